namespace Actors.Grains.Abstractions.Events;

/// <summary>A pending stop was withdrawn; the SA is active again.</summary>
public sealed record ServiceAgreementStopWithdrawn(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    DateOnly WithdrawnStopDate,
    ServiceAgreementStatus Status) : DomainEvent;
