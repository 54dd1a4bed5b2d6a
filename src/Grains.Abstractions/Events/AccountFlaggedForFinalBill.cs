namespace Actors.Grains.Abstractions.Events;

/// <summary>The last SA of the account stopped: it needs a final bill.</summary>
public sealed record AccountFlaggedForFinalBill(
    AccountId AccountId,
    ServiceAgreementId LastServiceAgreementId) : DomainEvent;
