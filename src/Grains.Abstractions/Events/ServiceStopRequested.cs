namespace Actors.Grains.Abstractions.Events;

/// <summary>An account requested a stop of its service at a premise (move-out or the stop half of a transfer).</summary>
public sealed record ServiceStopRequested(
    AccountId AccountId,
    PremiseId PremiseId,
    DateOnly StopDate,
    IReadOnlyList<ServiceAgreementId> ServiceAgreementIds) : DomainEvent;
