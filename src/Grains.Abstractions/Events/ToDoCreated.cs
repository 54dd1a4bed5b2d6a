namespace Actors.Grains.Abstractions.Events;

/// <summary>A To Do entry was created (or reopened because its cause came back).</summary>
public sealed record ToDoCreated(
    ToDoId ToDoId,
    ToDoType Type,
    string Role,
    ToDoPriority Priority,
    ToDoSubject Subject,
    AccountId? AccountId,
    string Message,
    ToDoStatus Status) : DomainEvent;
