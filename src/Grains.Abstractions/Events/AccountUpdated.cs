namespace Actors.Grains.Abstractions.Events;

/// <summary>An account's own fields changed.</summary>
public sealed record AccountUpdated(
    AccountId AccountId,
    CustomerClass CustomerClass,
    int Version,
    IReadOnlyList<FieldChange> Changes) : DomainEvent;
