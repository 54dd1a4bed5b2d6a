using Actors.Runtime.Persistence;
using Actors.Runtime.Reminders;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Execution;

internal enum ActivationStatus
{
    Activating,
    Valid,
    Deactivating,
    Invalid,
}

/// <summary>
/// The one live instance of a grain on this node: its mailbox, its scheduler, its grain object and the side
/// effects (events, reminder changes) its current turn has buffered for the next commit.
/// </summary>
/// <remarks>
/// A node holds many of these, most of them idle between rare calls, so the collections that only some turns or some
/// grains need (buffered events and reminder changes, timers, stream subscriptions) are created when first used, and
/// the buffers are let go again once committed: an idle activation holds none of them.
/// </remarks>
internal sealed partial class Activation
{
    private readonly Lock _lock = new();
    private IntrusiveList<WorkItem, WorkItem.Mailbox> _waiting;
    private List<OutgoingEvent>? _pendingEvents;
    private Dictionary<string, ReminderOperation>? _pendingReminders;

    /// <summary>
    /// The reminder changes of commits in flight (a turn may start a commit and go on before it ends), oldest first:
    /// the turn still sees them (<see cref="TryGetPendingReminder"/>) until their commit has ended.
    /// </summary>
    private List<Dictionary<string, ReminderOperation>>? _committingReminders;
    private List<GrainTimer>? _timers;
    private Dictionary<StreamId, StreamSubscription>? _subscriptions;
    private Grain? _grain;
    private ActivationStatus _status = ActivationStatus.Activating;
    private int _runningRequests;
    private int _runningReadOnly;
    private bool _runningLifecycle;
    private bool _deactivationQueued;
    private long _lastActivity;
    private bool _active;

    /// <summary>The collector's ask number when work last marked the activation active.</summary>
    private long _activeAsk;

    public Activation(ActorRuntime runtime, GrainId id, GrainClassInfo grainClass, LeaseToken lease)
    {
        Runtime = runtime;
        Id = id;
        GrainClass = grainClass;
        Lease = lease;
        Scheduler = new ActivationTaskScheduler(this, _lock);
        _lastActivity = runtime.Time.GetTimestamp();
        _waiting.AddFirst(new InternalWorkItem(id, "activate", WorkKind.Lifecycle, countsAsActivity: true, a => a.ActivateAsync()));
    }

    public ActorRuntime Runtime { get; }

    public GrainId Id { get; }

    public GrainClassInfo GrainClass { get; }

    public LeaseToken Lease { get; }

    public ActivationTaskScheduler Scheduler { get; }

    public ActivationReminders Reminders => new(this);

    public Grain GrainInstance => _grain ?? throw new InvalidOperationException($"Grain {Id} is not activated.");

    public ActivationStatus Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    /// <summary>Requests queued and not started.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// Queues work; false when the activation is gone and the caller must find the new one. Work that can start at
    /// once (an idle grain's next request, the common case) starts without waiting in the queue.
    /// </summary>
    public bool TryEnqueue(WorkItem item)
    {
        bool startNow;
        lock (_lock)
        {
            if (_status == ActivationStatus.Invalid)
            {
                return false;
            }

            startNow = _waiting.Count == 0 && CanStartLocked(item) && item.TryStart();
            if (startNow)
            {
                MarkRunningLocked(item);
            }
            else
            {
                _waiting.AddLast(item);
            }
        }

        if (startNow)
        {
            Start(item);
        }
        else
        {
            Pump();
        }

        return true;
    }

    /// <summary>True when the activation is valid and nothing runs or waits on it.</summary>
    public bool IsQuiet
    {
        get
        {
            lock (_lock)
            {
                return IsQuietLocked();
            }
        }
    }

    /// <summary>
    /// The collector's look: true when the activation is quiet and its last activity is older than
    /// <paramref name="olderThanTimestamp"/>. Starting work only marks the activation active (a clock read per request
    /// would cost more than the rest of its bookkeeping); this look turns the mark into a time: <paramref name="askedAt"/>
    /// when the work came before the collector's ask number <paramref name="ask"/>, else <paramref name="now"/>. So
    /// activity is known to within one quantum, as in Orleans' collection buckets. When
    /// false, <paramref name="lastActivity"/> is the activity the look found, or <see cref="long.MaxValue"/> for an
    /// activation already on its way out, which no later look needs to collect.
    /// </summary>
    public bool IsIdleSince(long olderThanTimestamp, long ask, long askedAt, long now, out long lastActivity)
    {
        // Most looks find an activation neither marked nor idle long enough, and need no lock: a mark or a start that
        // races with this read only makes the activation look busy, which is never wrong.
        lastActivity = Volatile.Read(ref _lastActivity);
        if (!Volatile.Read(ref _active) && lastActivity >= olderThanTimestamp)
        {
            return false;
        }

        lock (_lock)
        {
            if (_active)
            {
                _active = false;
                _lastActivity = Math.Max(_lastActivity, _activeAsk < ask ? askedAt : now);
            }

            lastActivity = _deactivationQueued || _status is ActivationStatus.Deactivating or ActivationStatus.Invalid ? long.MaxValue : _lastActivity;
            return IsQuietLocked() && _lastActivity < olderThanTimestamp;
        }
    }

    private bool IsQuietLocked() =>
        _status == ActivationStatus.Valid && !_deactivationQueued && _runningRequests == 0 && !_runningLifecycle && _waiting.Count == 0;

    /// <summary>
    /// Deactivates once the running requests are done. Calls that arrive meanwhile wait behind the deactivation
    /// and then go to a new activation, which cannot exist before this one is gone (single activation).
    /// </summary>
    public void RequestDeactivation(DeactivationReason reason)
    {
        lock (_lock)
        {
            if (_deactivationQueued || _status is ActivationStatus.Invalid or ActivationStatus.Deactivating)
            {
                return;
            }

            _deactivationQueued = true;
            _waiting.AddFirst(new InternalWorkItem(Id, "deactivate", WorkKind.Lifecycle, countsAsActivity: false, a => a.DeactivateAsync(reason)));
        }

        Pump();
    }

    /// <summary>
    /// Drops the activation at once without running grain code: the node lost the partition's lease, so any write
    /// would be refused by the fence anyway. Waiting calls are sent on to wherever the grain lives now.
    /// </summary>
    public void Drop(DeactivationReason reason)
    {
        List<CallWorkItem> moved;
        lock (_lock)
        {
            if (_status == ActivationStatus.Invalid)
            {
                return;
            }

            _status = ActivationStatus.Invalid;
            moved = TakeRedispatchableLocked();
            foreach (var item in _waiting.TakeAll())
            {
                item.Reject(new GrainUnavailableException($"Activation of {Id} was dropped: {reason}."));
            }
        }

        LogDropped(Runtime.Logger, Id, reason);
        DisposeTimers();
        Runtime.Catalog.Remove(this);
        Redispatch(moved);
    }

    /// <summary>
    /// Takes the calls out of the queue: those still awaited move to the grain's next activation; those already answered
    /// (timed out, withdrawn) are dropped.
    /// </summary>
    private List<CallWorkItem> TakeRedispatchableLocked()
    {
        var moved = new List<CallWorkItem>();
        var item = _waiting.First;
        while (item is not null)
        {
            var next = IntrusiveList<WorkItem, WorkItem.Mailbox>.NextOf(item);
            if (item is CallWorkItem call)
            {
                _waiting.Remove(call);
                if (!call.IsClaimed)
                {
                    moved.Add(call);
                }
            }

            item = next;
        }

        return moved;
    }

    private void Redispatch(List<CallWorkItem> calls)
    {
        foreach (var call in calls)
        {
            Runtime.Redispatch(call, GrainClass);
        }
    }

    /// <summary>
    /// Starts what may start now; <paramref name="finished"/> is the item whose turn just ended, counted out under the
    /// same lock.
    /// </summary>
    private void Pump(WorkItem? finished = null)
    {
        // Usually exactly one item starts (the next request of a non-reentrant grain): it needs no list.
        WorkItem? firstToStart = null;
        List<WorkItem>? moreToStart = null;
        lock (_lock)
        {
            if (finished is not null)
            {
                MarkFinishedLocked(finished);
            }

            while (_waiting.First is { } next)
            {
                if (next.IsExpired)
                {
                    // The caller already got its timeout; running the request now would surprise it.
                    _waiting.Remove(next);
                    next.TryStart();
                    continue;
                }

                if (!CanStartLocked(next))
                {
                    break;
                }

                _waiting.Remove(next);
                if (!next.TryStart())
                {
                    continue;
                }

                MarkRunningLocked(next);
                if (firstToStart is null)
                {
                    firstToStart = next;
                }
                else
                {
                    (moreToStart ??= []).Add(next);
                }
            }
        }

        if (firstToStart is null)
        {
            return;
        }

        Start(firstToStart);
        if (moreToStart is not null)
        {
            foreach (var item in moreToStart)
            {
                Start(item);
            }
        }
    }

    private void MarkFinishedLocked(WorkItem item) => CountRunningLocked(item, -1);

    private void MarkRunningLocked(WorkItem item)
    {
        CountRunningLocked(item, +1);
        if (item.CountsAsActivity)
        {
            _active = true;
            _activeAsk = Runtime.Catalog.CollectionAsks;
        }
    }

    /// <summary>Counts <paramref name="item"/> in (+1) or out (-1) of what runs now.</summary>
    private void CountRunningLocked(WorkItem item, int delta)
    {
        switch (item.Kind)
        {
            case WorkKind.Lifecycle:
                _runningLifecycle = delta > 0;
                break;
            case WorkKind.ReadOnly:
                _runningReadOnly += delta;
                _runningRequests += delta;
                break;
            default:
                _runningRequests += delta;
                break;
        }
    }

    private void Start(WorkItem item)
    {
        item.RunningOn = this;
        var task = new Task(static state => _ = ((WorkItem)state!).RunningOn!.RunAsync((WorkItem)state), item);
        task.Start(Scheduler);
    }

    private bool CanStartLocked(WorkItem next)
    {
        if (_runningLifecycle)
        {
            return false;
        }

        if (_status == ActivationStatus.Invalid)
        {
            return false;
        }

        return next.Kind switch
        {
            WorkKind.Lifecycle => _runningRequests == 0,
            WorkKind.ReadOnly => _status == ActivationStatus.Valid && (_runningRequests == _runningReadOnly || GrainClass.IsReentrant),
            _ => _status == ActivationStatus.Valid && (_runningRequests == 0 || GrainClass.IsReentrant),
        };
    }

    private async Task RunAsync(WorkItem item)
    {
        try
        {
            await item.ExecuteAsync(this);
        }
        catch (Exception ex)
        {
            // ExecuteAsync reports to its caller; anything escaping here is a runtime bug worth seeing.
            LogTurnCrashed(Runtime.Logger, ex, Id, item.Description);
        }
        finally
        {
            Pump(finished: item);
        }
    }

    private async Task ActivateAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(Runtime.Options.CallTimeout);
            var (grain, states) = Runtime.GrainActivator.Create(this);
            _grain = grain;
            foreach (var state in states)
            {
                await state.ReadAsync(cts.Token);
            }

            await grain.OnActivateAsync(cts.Token);
            await FlushPendingAsync();
            lock (_lock)
            {
                if (_status == ActivationStatus.Activating)
                {
                    _status = ActivationStatus.Valid;
                }
            }

            Runtime.Metrics.ActivationCreated(GrainClass.GrainType);
        }
        catch (Exception ex)
        {
            LogActivationFailed(Runtime.Logger, ex, Id);
            List<WorkItem> failed;
            lock (_lock)
            {
                _status = ActivationStatus.Invalid;
                failed = _waiting.TakeAll();
            }

            Runtime.Catalog.Remove(this);
            foreach (var item in failed)
            {
                item.Reject(ex);
            }
        }
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        lock (_lock)
        {
            if (_status != ActivationStatus.Valid)
            {
                return;
            }

            _status = ActivationStatus.Deactivating;
        }

        try
        {
            using var cts = new CancellationTokenSource(Runtime.Options.CallTimeout);
            if (reason.ReasonCode is not (DeactivationReasonCode.InconsistentState or DeactivationReasonCode.LeaseLost))
            {
                await GrainInstance.OnDeactivateAsync(reason, cts.Token);
                await FlushPendingAsync();
            }
        }
        catch (Exception ex)
        {
            LogDeactivationFailed(Runtime.Logger, ex, Id);
        }

        List<CallWorkItem> moved;
        lock (_lock)
        {
            _status = ActivationStatus.Invalid;
            moved = TakeRedispatchableLocked();
            foreach (var item in _waiting.TakeAll())
            {
                item.Reject(new GrainUnavailableException($"Activation of {Id} was deactivated: {reason}."));
            }
        }

        DisposeTimers();
        Runtime.Catalog.Remove(this);
        Runtime.Metrics.ActivationRemoved(GrainClass.GrainType);
        LogDeactivated(Runtime.Logger, Id, reason);
        Redispatch(moved);
    }

    // ---- side effects buffered by the turn -----------------------------------------------------------------

    public void BufferEvent(OutgoingEvent outgoing) => (_pendingEvents ??= []).Add(outgoing);

    public void BufferReminder(ReminderOperation operation) =>
        (_pendingReminders ??= new(StringComparer.Ordinal))[operation.Name] = operation;

    public bool TryGetPendingReminder(string name, out ReminderOperation operation)
    {
        if (_pendingReminders is not null && _pendingReminders.TryGetValue(name, out operation!))
        {
            return true;
        }

        for (var i = (_committingReminders?.Count ?? 0) - 1; i >= 0; i--)
        {
            if (_committingReminders![i].TryGetValue(name, out operation!))
            {
                return true;
            }
        }

        operation = null!;
        return false;
    }

    /// <summary>The turn's reminder changes not yet committed, those of commits in flight first: a later one of a name wins.</summary>
    public IEnumerable<ReminderOperation> PendingReminders =>
        (_committingReminders ?? []).SelectMany(c => c.Values).Concat(_pendingReminders?.Values ?? Enumerable.Empty<ReminderOperation>());

    /// <summary>Commits the turn's buffered events and reminder changes that no state write carried.</summary>
    public Task FlushPendingAsync() => _pendingEvents is null && _pendingReminders is null ? Task.CompletedTask : CommitAsync(null);

    /// <summary>
    /// Commits a state operation (or none) together with everything the turn buffered until now, in one transaction.
    /// Returns the new version of the state. The commit takes what it carries: what the turn buffers while it is in
    /// flight goes with the next commit, and a second commit started before this one ends does not carry it again.
    /// If the commit fails, what it carried is discarded with it (the activation is deactivated in every such case).
    /// </summary>
    public async Task<long> CommitAsync(StateOperation? state)
    {
        IReadOnlyList<OutgoingEvent> events = _pendingEvents is { } pendingEvents ? pendingEvents : [];
        var reminders = _pendingReminders;
        ClearPending();
        var commit = new GrainCommit(Id, Lease, state is null ? [] : [state], events, reminders is null ? [] : [.. reminders.Values]);
        if (reminders is not null)
        {
            (_committingReminders ??= []).Add(reminders);
        }

        CommitResult result;
        try
        {
            result = await Runtime.Store.CommitAsync(commit);
        }
        catch (Exception ex)
        {
            // The grain already changed its in-memory state for a write whose fate is unknown: a retry on this
            // activation would apply the change twice. Reload from storage instead.
            RequestDeactivation(new DeactivationReason(DeactivationReasonCode.InconsistentState, $"commit failed: {ex.GetType().Name}"));
            throw;
        }
        finally
        {
            if (reminders is not null && _committingReminders!.Remove(reminders) && _committingReminders.Count == 0)
            {
                _committingReminders = null;
            }
        }

        switch (result.Status)
        {
            case CommitStatus.Committed:
                if (commit.Reminders.Count > 0)
                {
                    Runtime.NotifyRemindersChanged(commit.Reminders);
                }

                return state is null ? 0 : result.NewVersions[0];
            case CommitStatus.Conflict:
                RequestDeactivation(new DeactivationReason(DeactivationReasonCode.InconsistentState, $"state '{result.ConflictingState}' changed underneath"));
                throw new InconsistentStateException(
                    $"Version conflict writing state '{result.ConflictingState}' of grain {Id}: stored version {result.StoredVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, expected {state?.ExpectedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.",
                    result.StoredVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    state?.ExpectedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            default:
                Drop(new DeactivationReason(DeactivationReasonCode.LeaseLost, $"write fenced: partition {Lease.Partition} epoch {Lease.Epoch} no longer held"));
                throw new LeaseLostException($"Write of grain {Id} refused: node {Lease.NodeId} no longer holds partition {Lease.Partition} at epoch {Lease.Epoch}.");
        }
    }

    /// <summary>A turn threw: what it buffered after its last commit is discarded with it.</summary>
    public void OnTurnFailed(Exception exception)
    {
        ClearPending();
        if (exception is InconsistentStateException)
        {
            RequestDeactivation(new DeactivationReason(DeactivationReasonCode.InconsistentState, exception.Message));
        }
    }

    private void ClearPending()
    {
        _pendingEvents = null;
        _pendingReminders = null;
    }

    // ---- timers and stream subscriptions ---------------------------------------------------------------------

    public IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period);
        lock (_lock)
        {
            (_timers ??= []).Add(timer);
        }

        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_lock)
        {
            _timers?.Remove(timer);
        }
    }

    private void DisposeTimers()
    {
        List<GrainTimer>? timers;
        lock (_lock)
        {
            timers = _timers;
            _timers = null;
        }

        if (timers is null)
        {
            return;
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }

    internal StreamSubscriptionHandle Subscribe(StreamId streamId, StreamSubscription subscription)
    {
        (_subscriptions ??= [])[streamId] = subscription;
        return new StreamSubscriptionHandle(streamId, () => _subscriptions?.Remove(streamId));
    }

    internal bool TryGetSubscription(StreamId streamId, out StreamSubscription subscription)
    {
        if (_subscriptions is null)
        {
            subscription = null!;
            return false;
        }

        return _subscriptions.TryGetValue(streamId, out subscription!);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activation of {Grain} failed")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, GrainId grain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OnDeactivateAsync of {Grain} failed")]
    private static partial void LogDeactivationFailed(ILogger logger, Exception exception, GrainId grain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deactivated {Grain}: {Reason}")]
    private static partial void LogDeactivated(ILogger logger, GrainId grain, DeactivationReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped activation {Grain}: {Reason}")]
    private static partial void LogDropped(ILogger logger, GrainId grain, DeactivationReason reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Turn {Method} of {Grain} crashed the runtime's turn wrapper")]
    private static partial void LogTurnCrashed(ILogger logger, Exception exception, GrainId grain, string method);
}
