namespace Actors.Runtime.Execution;

/// <summary>
/// Runs an activation's work one task at a time, in order, on the thread pool: Orleans' ActivationTaskScheduler.
/// Grain code awaits without ConfigureAwait(false), so its continuations come back here through
/// TaskScheduler.Current and never run concurrently with another piece of the same activation.
/// </summary>
/// <remarks>
/// A node holds one scheduler per active grain, most of them idle, so an idle scheduler must be small: it guards its
/// queue with its activation's lock (a few instructions per task, not worth a lock of its own) and holds the next task
/// in one field. A ConcurrentQueue would cost about 830 bytes per activation for its first segment alone; a queue for
/// the tasks behind the next one is created only when tasks pile up.
/// </remarks>
internal sealed class ActivationTaskScheduler(Activation owner, Lock gate) : TaskScheduler, IThreadPoolWorkItem
{
    // Bounds one drain so a busy activation cannot monopolise a pool thread.
    private const int MaxTasksPerDrain = 64;

    [ThreadStatic]
    private static ActivationTaskScheduler? t_running;

    // The oldest queued task, null when none is; tasks queued while it is set wait in _later, in order.
    private Task? _next;
    private Queue<Task>? _later;
    private bool _scheduled;

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>The activation whose work this thread is running, if any.</summary>
    public static Activation? RunningActivation => t_running?.Owner;

    private Activation Owner { get; } = owner;

    protected override void QueueTask(Task task)
    {
        lock (gate)
        {
            if (_next is null)
            {
                _next = task;
            }
            else
            {
                (_later ??= new Queue<Task>()).Enqueue(task);
            }

            if (_scheduled)
            {
                return;
            }

            _scheduled = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued)
    {
        // Inlining is safe only on the thread that is already draining this activation: it is the same
        // logical single thread. A previously queued task must keep its place in the queue.
        return !taskWasPreviouslyQueued && ReferenceEquals(t_running, this) && TryExecuteTask(task);
    }

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (gate)
        {
            return _next is null ? [] : [_next, .. _later ?? []];
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        var previous = t_running;
        t_running = this;
        try
        {
            for (var i = 0; i < MaxTasksPerDrain; i++)
            {
                if (TakeNextOrStop() is not { } task)
                {
                    return;
                }

                TryExecuteTask(task);
            }
        }
        finally
        {
            t_running = previous;
        }

        // The drain reached its bound with work left: go to the back of the pool's queue.
        lock (gate)
        {
            if (_next is null)
            {
                _scheduled = false;
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    /// <summary>
    /// The next task, or null once none is left, having marked the scheduler idle under the same lock: a task queued
    /// after that schedules a new drain.
    /// </summary>
    private Task? TakeNextOrStop()
    {
        lock (gate)
        {
            var task = _next;
            if (task is null)
            {
                _scheduled = false;
                return null;
            }

            _next = _later is { Count: > 0 } later ? later.Dequeue() : null;
            return task;
        }
    }
}
