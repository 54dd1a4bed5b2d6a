namespace Actors.Grains.Abstractions.Events;

/// <summary>A person was created.</summary>
public sealed record PersonCreated(
    PersonId PersonId,
    string Name,
    string? Phone,
    string? Email,
    bool LifeSupport) : DomainEvent;
