namespace Actors.Grains.Abstractions.Events;

/// <summary>A pending-start SA was created.</summary>
public sealed record ServiceAgreementCreated(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    ServiceType ServiceType,
    DateOnly StartDate,
    ServiceAgreementStatus Status,
    ServiceAgreementId? ReciprocalStopOf) : DomainEvent;
