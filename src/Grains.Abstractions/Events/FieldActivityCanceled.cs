namespace Actors.Grains.Abstractions.Events;

/// <summary>A field activity was canceled.</summary>
public sealed record FieldActivityCanceled(
    FieldActivityId FieldActivityId,
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    FieldActivityKind Kind,
    FieldActivityStatus Status) : DomainEvent;
