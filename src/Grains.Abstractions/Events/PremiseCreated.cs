namespace Actors.Grains.Abstractions.Events;

/// <summary>A premise was created with its service points.</summary>
public sealed record PremiseCreated(
    PremiseId PremiseId,
    Address Address,
    PremiseId? ParentPremiseId,
    IReadOnlyList<ServicePointInfo> ServicePoints) : DomainEvent;
