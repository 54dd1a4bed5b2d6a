namespace Actors.Grains.Abstractions.Events;

/// <summary>A start or stop read reached the SA from its completed field activity.</summary>
public sealed record ServiceAgreementReadRecorded(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    FieldActivityId FieldActivityId,
    FieldActivityKind Kind,
    decimal Read,
    DateOnly ReadOn) : DomainEvent;
