namespace Actors.Grains.Abstractions.Events;

/// <summary>A premise was created with its service points.</summary>
/// <param name="LifeSupport">Life support or sensitive load at the premise: severance and disconnection need care.</param>
public sealed record PremiseCreated(
    PremiseId PremiseId,
    Address Address,
    PremiseId? ParentPremiseId,
    IReadOnlyList<ServicePointInfo> ServicePoints,
    bool LifeSupport = false) : DomainEvent;
