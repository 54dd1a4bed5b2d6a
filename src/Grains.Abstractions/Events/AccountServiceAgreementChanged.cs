namespace Actors.Grains.Abstractions.Events;

/// <summary>An SA of the account changed (posted on the account's inbox stream <see cref="StreamNamespaces.AccountServiceAgreements"/>, not its history).</summary>
public sealed record AccountServiceAgreementChanged(
    AccountId AccountId,
    ServiceAgreementSummary ServiceAgreement) : DomainEvent;
