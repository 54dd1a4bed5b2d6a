using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Runtime;

namespace Actors.Grains;

/// <summary>
/// What every domain grain shares: its one persistent state, the business clock, and raising events on its own
/// stream stamped with who, why and when. Events and reminder changes commit with the next state write, so each
/// method checks its rules first, then mutates, raises, sets reminders and writes once.
/// </summary>
public abstract class DomainGrain<TState>(IPersistentState<TState> state, TimeProvider time) : Grain
    where TState : class, new()
{
    protected TState State => state.State;

    /// <summary>Whether the state is stored (read at activation, or written since).</summary>
    protected bool RecordExists => state.RecordExists;

    protected DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The namespace of the grain's own event stream.</summary>
    protected abstract string StreamNamespace { get; }

    protected string Key => GrainId.Key;

    /// <summary>
    /// Writes the state with the turn's events and reminders. A failed write leaves the in-memory state ahead of the
    /// store, so the activation is dropped and the next call reloads what was committed.
    /// </summary>
    protected async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>Raises <paramref name="domainEvent"/> on the grain's own stream (its history).</summary>
    protected Task RaiseAsync(DomainEvent domainEvent, Actor actor)
    {
        var stamped = Stamp(domainEvent, actor);
        OnRaised(stamped);
        return Publish(StreamId.Create(StreamNamespace, Key), stamped);
    }

    /// <summary>Raises <paramref name="domainEvent"/> on another stream (e.g. an account's inbox).</summary>
    protected Task RaiseOnAsync(StreamId streamId, DomainEvent domainEvent, Actor actor) => Publish(streamId, Stamp(domainEvent, actor));

    /// <summary>Called with each event raised on the grain's own stream, as it will be stored and delivered.</summary>
    protected virtual void OnRaised(DomainEvent raised)
    {
    }

    private DomainEvent Stamp(DomainEvent domainEvent, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        ArgumentNullException.ThrowIfNull(actor);
        return domainEvent with { Actor = actor.User, Reason = actor.Reason, Comment = actor.Comment, OccurredAt = Now };
    }

    private Task Publish(StreamId streamId, DomainEvent stamped) =>
        GetStreamProvider(StreamNamespaces.Provider).GetStream<DomainEvent>(streamId).OnNextAsync(stamped);

    /// <summary>
    /// Removes reminders if they exist (the removal commits with the turn). Nothing is read first: removing a reminder
    /// that does not exist changes nothing, and a read would cost a store round trip per name inside the turn.
    /// </summary>
    protected async Task UnregisterIfPresentAsync(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            await UnregisterReminder(new NamedReminder(name));
        }
    }

    /// <summary>A reminder known only by its name: all that removing it needs.</summary>
    private sealed record NamedReminder(string ReminderName) : IGrainReminder
    {
        public DateTimeOffset DueAt => default;

        public TimeSpan? Period => null;

        public MissedTickPolicy Policy => MissedTickPolicy.FireOnce;
    }
}
