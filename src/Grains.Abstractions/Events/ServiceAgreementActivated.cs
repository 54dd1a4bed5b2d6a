namespace Actors.Grains.Abstractions.Events;

/// <summary>An SA became active (by the activation reminder, a completed start field activity, or a CSR).</summary>
public sealed record ServiceAgreementActivated(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    ServiceType ServiceType,
    DateOnly StartDate,
    decimal? StartRead,
    ServiceAgreementStatus Status) : DomainEvent;
