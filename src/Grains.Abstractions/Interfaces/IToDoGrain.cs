using Actors.Runtime;

namespace Actors.Grains.Abstractions;

/// <summary>
/// A To Do entry: a unit of work for a role, Open → BeingWorked (assigned to a user) → Complete. The system creates
/// them under deterministic ids (<see cref="ToDoId.For"/>) so a reminder delivered twice creates one, and completes
/// them itself when their cause clears.
/// </summary>
public interface IToDoGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the entry, open. Creating an entry that exists and is not complete returns it unchanged; a complete one
    /// whose cause came back is reopened.
    /// </summary>
    /// <exception cref="DomainException">Invalid (no message).</exception>
    Task<ToDoSnapshot> CreateAsync(CreateToDo command, Actor actor);

    /// <summary>The entry.</summary>
    /// <exception cref="DomainException">NotFound.</exception>
    [ReadOnly]
    Task<ToDoSnapshot> GetAsync();

    /// <summary>Assigns the entry to <paramref name="user"/>: it is being worked.</summary>
    /// <exception cref="DomainException">NotFound, Invalid (no user), IllegalTransition (complete).</exception>
    Task<ToDoSnapshot> AssignAsync(string user, Actor actor);

    /// <summary>Completes the entry by hand; the actor's comment is the resolution.</summary>
    /// <exception cref="DomainException">NotFound, IllegalTransition (already complete).</exception>
    Task<ToDoSnapshot> CompleteAsync(Actor actor);

    /// <summary>Forwards the entry to another role's queue: it is open again and unassigned (a complete entry is reopened).</summary>
    /// <exception cref="DomainException">NotFound, Invalid (no role).</exception>
    Task<ToDoSnapshot> ForwardAsync(string role, Actor actor);

    /// <summary>
    /// The system completes the entry because its cause cleared. Does nothing if it is complete or was never created,
    /// so callers need not know whether it exists.
    /// </summary>
    Task ResolveAsync(string resolution, Actor actor);
}
