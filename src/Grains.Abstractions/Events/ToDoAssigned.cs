namespace Actors.Grains.Abstractions.Events;

/// <summary>A To Do entry was assigned to a user: it is being worked.</summary>
public sealed record ToDoAssigned(
    ToDoId ToDoId,
    AccountId? AccountId,
    string AssignedTo,
    string? PreviousAssignee,
    ToDoStatus Status) : DomainEvent;
