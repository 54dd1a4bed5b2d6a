namespace Actors.Grains.Abstractions.Events;

/// <summary>A To Do entry was forwarded to another role: open again, unassigned.</summary>
public sealed record ToDoForwarded(
    ToDoId ToDoId,
    AccountId? AccountId,
    string PreviousRole,
    string Role,
    ToDoStatus Status) : DomainEvent;
