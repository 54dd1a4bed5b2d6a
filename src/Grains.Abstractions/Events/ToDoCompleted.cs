namespace Actors.Grains.Abstractions.Events;

/// <summary>A To Do entry was completed, by a user or by the system when its cause cleared.</summary>
public sealed record ToDoCompleted(
    ToDoId ToDoId,
    AccountId? AccountId,
    bool Automatic,
    string? Resolution,
    ToDoStatus Status) : DomainEvent;
