namespace Actors.Grains.Abstractions.Events;

/// <summary>A stopped (or reactivated) SA closed because its balance is zero.</summary>
public sealed record ServiceAgreementClosed(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServiceAgreementStatus Status) : DomainEvent;
