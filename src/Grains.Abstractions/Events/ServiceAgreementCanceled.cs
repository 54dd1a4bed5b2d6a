namespace Actors.Grains.Abstractions.Events;

/// <summary>The SA was canceled (final).</summary>
public sealed record ServiceAgreementCanceled(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServiceType ServiceType,
    ServiceAgreementStatus PreviousStatus,
    ServiceAgreementStatus Status) : DomainEvent;
