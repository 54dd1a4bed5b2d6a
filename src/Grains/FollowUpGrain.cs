using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Runtime;
using Microsoft.Extensions.Logging;

namespace Actors.Grains;

/// <summary>
/// A domain grain whose changes have follow-ups: calls that bring the grains around it in line with its state,
/// derived from the state alone, so running them again does no harm. They happen at least once whatever fails:
/// <list type="number">
/// <item>A change is written with its events, then its follow-ups are tried at once, in the same turn.</item>
/// <item>The grain's events come back to it from the outbox: the class subscribes to its own stream
/// (<see cref="ImplicitStreamSubscriptionAttribute">[ImplicitStreamSubscription]</see> of its namespace). The events
/// exist exactly when their write committed, so a delivery is the durable record that follow-ups may be owed, also
/// when the node died between a change's commit and its first try. A delivery finds nothing to do when this
/// activation followed up its current state, or when the event is one this activation raised after it loaded a
/// state whose follow-ups it does not know (its own write, not an earlier activation's).</item>
/// <item>Otherwise the delivery sets the follow-up reminder, due at once, and the reminder runs the follow-ups,
/// again with the reminder service's back-off until they succeed. The delivery makes no call itself, so a grain
/// that cannot be reached holds up neither the stream's other grains nor the consumer.</item>
/// </list>
/// A change costs its one commit: no reminder is written and removed around every change.
/// </summary>
public abstract class FollowUpGrain<TState>(IPersistentState<TState> state, TimeProvider time, ILogger logger)
    : DomainGrain<TState>(state, time)
    where TState : class, new()
{
    /// <summary>The reminder that runs follow-ups which failed on the first try (or were never tried).</summary>
    public const string FollowUpReminder = "follow-up";

    private FollowUps _followUps;

    /// <summary>
    /// While the follow-ups are <see cref="FollowUps.Unknown"/>: the events this activation raised on its stream, by
    /// reference (the outbox hands a node's own events back as the objects raised), so that their deliveries are told
    /// apart from an earlier activation's.
    /// </summary>
    private HashSet<object>? _raisedWhileUnknown;

    /// <summary>What this activation knows of the follow-ups of the current state.</summary>
    private enum FollowUps
    {
        /// <summary>
        /// The activation loaded a stored state and has not changed it: an earlier activation's change may still owe
        /// its follow-ups (its node may have died right after the commit). A delivery of that activation's events says so.
        /// </summary>
        Unknown,

        /// <summary>They are done: the last try succeeded, or the activation found no stored state.</summary>
        Done,

        /// <summary>The last change's first try failed.</summary>
        Owed,

        /// <summary>The follow-up reminder is set and runs them.</summary>
        Scheduled,
    }

    /// <summary>Subscribes to the grain's own stream, through which its committed writes come back to it.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _followUps = RecordExists ? FollowUps.Unknown : FollowUps.Done;
        return GetStreamProvider(StreamNamespaces.Provider)
            .GetStream<DomainEvent>(StreamId.Create(StreamNamespace, Key))
            .SubscribeAsync((delivered, _) => OnCommittedAsync(delivered));
    }

    /// <summary>Brings the grains around this one in line with its state. Idempotent: derived from the state alone.</summary>
    protected abstract Task FollowUpCoreAsync(Actor actor);

    /// <summary>Writes a change that has follow-ups, with the turn's events, then tries the follow-ups.</summary>
    protected async Task WriteChangeAsync(Actor actor)
    {
        Set(FollowUps.Owed);
        await WriteAsync();
        try
        {
            await FollowUpCoreAsync(actor);
            Set(FollowUps.Done);
        }
        catch (Exception ex)
        {
            // The change is committed; its delivery from the outbox sets the reminder that retries the follow-ups.
            Log.FollowUpDeferred(logger, ex, GrainId.ToString());
        }
    }

    /// <summary>
    /// Runs the follow-ups for the reminder. A failure propagates, so the reminder service delivers the reminder
    /// again after a back-off; it is removed once they succeed.
    /// </summary>
    protected async Task FollowUpByReminderAsync()
    {
        await FollowUpCoreAsync(Actor.System(FollowUpReminder));
        Set(FollowUps.Done);
    }

    protected override void OnRaised(DomainEvent raised)
    {
        if (_followUps == FollowUps.Unknown)
        {
            (_raisedWhileUnknown ??= new HashSet<object>(ReferenceEqualityComparer.Instance)).Add(raised);
        }
    }

    /// <summary>One of the grain's committed events came back from the outbox.</summary>
    private async Task OnCommittedAsync(DomainEvent delivered)
    {
        var owed = _followUps switch
        {
            FollowUps.Owed => true,

            // An event this activation did not raise (or one that lost its identity on the way: then the follow-ups run once more, harmlessly).
            FollowUps.Unknown => _raisedWhileUnknown?.Remove(delivered) != true,
            _ => false,
        };
        if (!owed)
        {
            return;
        }

        // Commits at the end of the turn; if that fails, the delivery fails and the outbox delivers the event again.
        await RegisterOrUpdateReminder(FollowUpReminder, Now);
        Set(FollowUps.Scheduled);
    }

    private void Set(FollowUps followUps)
    {
        _followUps = followUps;
        _raisedWhileUnknown = null;
    }
}
