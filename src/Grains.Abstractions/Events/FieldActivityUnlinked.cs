namespace Actors.Grains.Abstractions.Events;

/// <summary>A back-to-back pairing was dissolved (the partner was canceled or rescheduled).</summary>
public sealed record FieldActivityUnlinked(
    FieldActivityId FieldActivityId,
    FieldActivityId PartnerId,
    ServiceAgreementId ServiceAgreementId,
    PremiseId PremiseId) : DomainEvent;
