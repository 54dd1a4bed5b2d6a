namespace Actors.Grains.Abstractions.Events;

/// <summary>A field activity was completed with a meter read.</summary>
public sealed record FieldActivityCompleted(
    FieldActivityId FieldActivityId,
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    FieldActivityKind Kind,
    decimal Read,
    DateOnly CompletedOn,
    FieldActivityId? CompletedWith,
    FieldActivityStatus Status) : DomainEvent;
