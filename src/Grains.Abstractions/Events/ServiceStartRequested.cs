namespace Actors.Grains.Abstractions.Events;

/// <summary>An account requested service at a premise (move-in or the start half of a transfer).</summary>
public sealed record ServiceStartRequested(
    AccountId AccountId,
    string RequestId,
    PremiseId PremiseId,
    DateOnly StartDate,
    IReadOnlyList<ServiceAgreementSummary> ServiceAgreements,
    IReadOnlyList<ServiceAgreementId> StoppedServiceAgreements) : DomainEvent;
