namespace Actors.Grains.Abstractions.Events;

/// <summary>The premise's life-support / sensitive-load flag was set or cleared.</summary>
public sealed record PremiseLifeSupportChanged(PremiseId PremiseId, bool LifeSupport) : DomainEvent;
