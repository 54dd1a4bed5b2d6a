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

    /// <summary>Stopwatch timestamp after which the caller no longer waits; 0 for none.</summary>
    public long Deadline { get; } = deadline;

    /// <summary>Timer ticks do not keep an activation alive; calls, reminders and stream events do.</summary>
    public bool CountsAsActivity { get; } = countsAsActivity;

    /// <summary>Calls can move to a new activation when theirs is deactivated before they started.</summary>
    public virtual bool CanRedispatch => false;

    public bool IsExpired => Deadline != 0 && Stopwatch.GetTimestamp() > Deadline;

    /// <summary>Claims the item for execution; false if it was already started or abandoned.</summary>
    public bool TryStart() => Interlocked.Exchange(ref _started, 1) == 0;

    /// <summary>Fails the item with cancellation if it has not started yet.</summary>
    public void Withdraw()
    {
        if (TryStart())
        {
            Reject(new OperationCanceledException($"{Description} on {Target} was canceled before it started."));
        }
    }

    /// <summary>
    /// The caller stopped waiting: a request not started yet never will be; one already running runs on, and its
    /// result is ignored. The caller's wait fails with a <see cref="TimeoutException"/>.
    /// </summary>
    public void TimeOut()
    {
        TryStart();
        Reject(new TimeoutException($"{Description} on {Target} timed out."));
    }

    /// <summary>Runs on the activation's scheduler. Never throws: the outcome goes to the item's own waiter.</summary>
    public abstract Task ExecuteAsync(Activation activation);

    /// <summary>Fails the item without running it.</summary>
    public abstract void Reject(Exception exception);
}

/// <summary>A call whose result a caller awaits.</summary>
internal sealed class CallWorkItem<T>(
    GrainId target,
    string description,
    WorkKind kind,
    long deadline,
    Func<Grain, Task<T>> body) : WorkItem(target, description, kind, deadline, countsAsActivity: true)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Completion => _completion.Task;

    public override bool CanRedispatch => true;

    public override async Task ExecuteAsync(Activation activation)
    {
        try
        {
            var result = await body(activation.GrainInstance);
            await activation.FlushPendingAsync();
            _completion.TrySetResult(result);
        }
        catch (Exception ex)
        {
            activation.OnTurnFailed(ex);
            _completion.TrySetException(ex);
        }
    }

    public override void Reject(Exception exception) => _completion.TrySetException(exception);
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
