namespace Actors.Grains.Abstractions.Events;

/// <summary>A field activity was created (or reopened), pending.</summary>
public sealed record FieldActivityCreated(
    FieldActivityId FieldActivityId,
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    FieldActivityKind Kind,
    DateOnly ScheduledDate,
    FieldActivityStatus Status) : DomainEvent;
