namespace Actors.Grains.Abstractions.Events;

/// <summary>A stop was requested for the SA (or its stop date moved); it is pending stop.</summary>
public sealed record ServiceAgreementStopRequested(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    ServiceType ServiceType,
    DateOnly StopDate,
    DateOnly? PreviousStopDate,
    ServiceAgreementId? RequestedBy,
    ServiceAgreementStatus Status) : DomainEvent;
