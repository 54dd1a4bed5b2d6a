namespace Actors.Grains.Abstractions.Events;

/// <summary>A pending field activity moved to another date (its SA's date moved).</summary>
public sealed record FieldActivityRescheduled(
    FieldActivityId FieldActivityId,
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    DateOnly PreviousDate,
    DateOnly ScheduledDate) : DomainEvent;
