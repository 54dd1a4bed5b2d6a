namespace Actors.Grains.Abstractions.Events;

/// <summary>A child premise was created under this (parent) premise.</summary>
public sealed record PremiseChildAdded(
    PremiseId PremiseId,
    PremiseId ChildPremiseId) : DomainEvent;
