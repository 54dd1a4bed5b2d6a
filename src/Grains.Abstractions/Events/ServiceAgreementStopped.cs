namespace Actors.Grains.Abstractions.Events;

/// <summary>A pending stop was finalized at its stop date with its stop read.</summary>
public sealed record ServiceAgreementStopped(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    ServiceType ServiceType,
    DateOnly StopDate,
    decimal? StopRead,
    ServiceAgreementStatus Status) : DomainEvent;
