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
/// <item>The change's events come back to the grain from the outbox: the class subscribes to its own stream
/// (<see cref="ImplicitStreamSubscriptionAttribute">[ImplicitStreamSubscription]</see> of its namespace). The events
/// exist exactly when the change committed, so the delivery is the durable record that follow-ups may be owed,
/// also when the node died between the commit and the first try. A delivery finds nothing to do when this
/// activation already followed up the current state.</item>
/// <item>When the follow-ups fail again on the delivery, the grain sets the follow-up reminder, which retries them
/// until they succeed; the delivery itself succeeds, so the stream's other grains do not wait on this one.</item>
/// </list>
/// The change costs its one commit: no reminder is written and removed around every change.
/// </summary>
public abstract class FollowUpGrain<TState>(IPersistentState<TState> state, TimeProvider time, ILogger logger)
    : DomainGrain<TState>(state, time)
    where TState : class, new()
{
    /// <summary>The reminder that retries follow-ups which failed on the first try and on the change's delivery.</summary>
    public const string FollowUpReminder = "follow-up";

    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether this activation knows the follow-ups of the stored state are done. An activation that found no stored
    /// record knows it; one that loaded a record does not until it has run them (a change may have committed just
    /// before its node died).
    /// </summary>
    private bool _followedUp;

    /// <summary>Subscribes to the grain's own stream, through which its committed changes come back to it.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _followedUp = !RecordExists;
        return GetStreamProvider(StreamNamespaces.Provider)
            .GetStream<DomainEvent>(StreamId.Create(StreamNamespace, Key))
            .SubscribeAsync((_, _) => OnCommittedAsync());
    }

    /// <summary>Brings the grains around this one in line with its state. Idempotent: derived from the state alone.</summary>
    protected abstract Task FollowUpCoreAsync(Actor actor);

    /// <summary>Writes a change that has follow-ups, with the turn's events, then tries the follow-ups.</summary>
    protected async Task WriteChangeAsync(Actor actor)
    {
        _followedUp = false;
        await WriteAsync();
        await TryFollowUpAsync(actor, "when the change comes back from the outbox");
    }

    /// <summary>Tries the follow-ups; a failure is logged and left to the delivery or the reminder that retries them.</summary>
    protected async Task<bool> TryFollowUpAsync(Actor actor, string retriedBy = "by the follow-up reminder")
    {
        try
        {
            await FollowUpCoreAsync(actor);
        }
        catch (Exception ex)
        {
            Log.FollowUpDeferred(logger, ex, GrainId.ToString(), retriedBy);
            return false;
        }

        _followedUp = true;
        return true;
    }

    /// <summary>
    /// Runs the follow-ups for the reminder. A failure propagates, so the reminder service delivers the reminder
    /// again later; it is removed once they succeed.
    /// </summary>
    protected async Task FollowUpByReminderAsync()
    {
        await FollowUpCoreAsync(Actor.System(FollowUpReminder));
        _followedUp = true;
    }

    /// <summary>One of the grain's committed events came back from the outbox.</summary>
    private async Task OnCommittedAsync()
    {
        if (_followedUp || await TryFollowUpAsync(Actor.System(FollowUpReminder), $"by the follow-up reminder in {s_retryDelay.TotalSeconds:0} s"))
        {
            return;
        }

        // Commits at the end of the turn; if that fails, the delivery fails and the outbox delivers the event again.
        await RegisterOrUpdateReminder(FollowUpReminder, Now + s_retryDelay);
    }
}
