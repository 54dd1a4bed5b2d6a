namespace Actors.Grains.Abstractions.Events;

/// <summary>A field activity was paired with its back-to-back partner: one read completes both.</summary>
public sealed record FieldActivityLinked(
    FieldActivityId FieldActivityId,
    FieldActivityId PartnerId,
    ServiceAgreementId ServiceAgreementId,
    PremiseId PremiseId) : DomainEvent;
