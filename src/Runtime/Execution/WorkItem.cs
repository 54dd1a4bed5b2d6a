using System.Diagnostics;

namespace Actors.Runtime.Execution;

internal enum WorkKind
{
    /// <summary>A normal request: exclusive unless the grain is reentrant.</summary>
    Request,

    /// <summary>A [ReadOnly] request: may run beside other read-only requests.</summary>
    ReadOnly,

    /// <summary>Activation or deactivation: runs alone, always.</summary>
    Lifecycle,
}

/// <summary>One unit of work queued on an activation's mailbox.</summary>
internal abstract class WorkItem(GrainId target, string description, WorkKind kind, long deadline, bool countsAsActivity)
{
    private int _started;

    public GrainId Target { get; } = target;

    /// <summary>"Interface.Method" or a lifecycle step; used in errors and logs.</summary>
    public string Description { get; } = description;

    public WorkKind Kind { get; } = kind;

    /// <summary>
    /// <see cref="Environment.TickCount64"/> after which the caller no longer waits; 0 for none. Deadlines are kept on
    /// the coarse millisecond clock: reading it costs a memory load, where a precise timestamp is a clock read, which on
    /// a virtual machine costs as much as a quarter of an in-process call.
    /// </summary>
    public long Deadline { get; } = deadline;

    /// <summary>Timer ticks do not keep an activation alive; calls, reminders and stream events do.</summary>
    public bool CountsAsActivity { get; } = countsAsActivity;

    public bool IsExpired => Deadline != 0 && Environment.TickCount64 > Deadline;

    /// <summary>True once the item was started or abandoned (timed out, withdrawn).</summary>
    public bool IsClaimed => Volatile.Read(ref _started) != 0;

    /// <summary>Claims the item for execution; false if it was already started or abandoned.</summary>
    public bool TryStart() => Interlocked.Exchange(ref _started, 1) == 0;

    /// <summary>The links of the activation's mailbox the item waits in; the activation's lock guards them.</summary>
    internal ListLinks<WorkItem> MailboxLinks;

    /// <summary>The activation the item was started on (set when it starts, so its task needs no state of its own).</summary>
    public Activation? RunningOn { get; set; }

    /// <summary>Runs on the activation's scheduler. Never throws: the outcome goes to the item's own waiter.</summary>
    public abstract Task ExecuteAsync(Activation activation);

    /// <summary>Fails the item without running it.</summary>
    public abstract void Reject(Exception exception);

    /// <summary>Selects <see cref="MailboxLinks"/>.</summary>
    internal readonly struct Mailbox : ILinkSelector<WorkItem>
    {
        public static ref ListLinks<WorkItem> Of(WorkItem item) => ref item.MailboxLinks;
    }
}

/// <summary>
/// A call whose result a caller awaits (and which moves to the grain's next activation when its own is deactivated
/// before the call started): the caller's task is the item's own, and the item answers it however the call
/// ends (result, grain exception, rejection, withdrawal or timeout), recording the call's metrics once, so the call path
/// needs no async method of its own between the caller and the grain.
/// </summary>
internal abstract class CallWorkItem(ActorRuntime runtime, GrainId target, string description, WorkKind kind)
    : WorkItem(target, description, kind, Environment.TickCount64 + runtime.CallTimeoutMilliseconds, countsAsActivity: true)
{
    // A precise start only when someone listens to the call-duration histogram: two clock reads per call otherwise spent
    // on a figure nobody reads.
    private readonly long _started = runtime.Metrics.TimesCalls ? Stopwatch.GetTimestamp() : 0;

    private CancellationTokenRegistration _withdrawal;

    protected ActorRuntime Runtime { get; } = runtime;

    /// <summary>The links of the deadline list the call waits in (see CallDeadlines); the list's lock guards them.</summary>
    internal ListLinks<CallWorkItem> DeadlineLinks;

    /// <summary>The deadline list holding the call, -1 when none does.</summary>
    internal int DeadlineStripe { get; set; } = -1;

    /// <summary>Selects <see cref="DeadlineLinks"/>.</summary>
    internal readonly struct DeadlineList : ILinkSelector<CallWorkItem>
    {
        public static ref ListLinks<CallWorkItem> Of(CallWorkItem item) => ref item.DeadlineLinks;
    }

    /// <summary>The caller's token withdraws the call while it waits in the mailbox (as in Orleans).</summary>
    public void WithdrawOn(CancellationToken cancellationToken) =>
        _withdrawal = cancellationToken.UnsafeRegister(static s => ((CallWorkItem)s!).Withdraw(), this);

    /// <summary>Fails the call with cancellation if it has not started yet.</summary>
    public void Withdraw()
    {
        if (TryStart())
        {
            Reject(new OperationCanceledException($"{Description} on {Target} was canceled before it started."));
        }
    }

    /// <summary>
    /// The deadline passed: a request not started yet never will be; one already running runs on, and its result is
    /// ignored. The caller's wait fails with a <see cref="TimeoutException"/> naming the grain and method.
    /// </summary>
    public void TimeOut()
    {
        TryStart();
        Reject(new TimeoutException(
            $"Call {Description} on grain {Target} timed out after {Runtime.Options.CallTimeout}: the grain did not answer (it may be waiting on a call back into a busy grain)."));
    }

    /// <summary>Once per call, by whichever outcome answered the caller first.</summary>
    protected void Finished(bool failed)
    {
        Runtime.Deadlines.Untrack(this);
        _withdrawal.Dispose();
        Runtime.Metrics.CallCompleted(Target.Type, _started == 0 ? null : Stopwatch.GetElapsedTime(_started), failed);
    }
}

/// <summary>A call returning <typeparamref name="T"/>: runs <c>body(grain, state)</c> as a turn.</summary>
internal sealed class CallWorkItem<T>(
    ActorRuntime runtime,
    GrainId target,
    string description,
    WorkKind kind,
    Func<Grain, object?, Task<T>> body,
    object? state) : CallWorkItem(runtime, target, description, kind)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Completion => _completion.Task;

    public override async Task ExecuteAsync(Activation activation)
    {
        try
        {
            var result = await body(activation.GrainInstance, state);
            await activation.FlushPendingAsync();
            if (_completion.TrySetResult(result))
            {
                Finished(failed: false);
            }
        }
        catch (Exception ex)
        {
            activation.OnTurnFailed(ex);
            Reject(ex);
        }
    }

    public override void Reject(Exception exception)
    {
        if (_completion.TrySetException(exception))
        {
            Finished(failed: true);
        }
    }
}

/// <summary>Runs a piece of runtime work (lifecycle, timer tick) on the activation.</summary>
internal sealed class InternalWorkItem(
    GrainId target,
    string description,
    WorkKind kind,
    bool countsAsActivity,
    Func<Activation, Task> body,
    Action<Exception>? onRejected = null) : WorkItem(target, description, kind, deadline: 0, countsAsActivity)
{
    public override Task ExecuteAsync(Activation activation) => body(activation);

    public override void Reject(Exception exception) => onRejected?.Invoke(exception);
}
