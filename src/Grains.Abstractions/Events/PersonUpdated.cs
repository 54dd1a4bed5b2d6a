namespace Actors.Grains.Abstractions.Events;

/// <summary>A person's details changed; <paramref name="Changes"/> lists each field before and after.</summary>
public sealed record PersonUpdated(
    PersonId PersonId,
    string Name,
    string? Phone,
    string? Email,
    bool LifeSupport,
    int Version,
    IReadOnlyList<FieldChange> Changes) : DomainEvent;
