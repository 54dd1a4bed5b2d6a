using System.Collections.Concurrent;

namespace Actors.Runtime.Execution;

/// <summary>
/// Runs an activation's work one task at a time, in order, on the thread pool: Orleans' ActivationTaskScheduler.
/// Grain code awaits without ConfigureAwait(false), so its continuations come back here through
/// TaskScheduler.Current and never run concurrently with another piece of the same activation.
/// </summary>
internal sealed class ActivationTaskScheduler : TaskScheduler, IThreadPoolWorkItem
{
    // Bounds one drain so a busy activation cannot monopolise a pool thread.
    private const int MaxTasksPerDrain = 64;

    [ThreadStatic]
    private static ActivationTaskScheduler? t_running;

    private readonly ConcurrentQueue<Task> _queue = new();
    private int _scheduled;

    public override int MaximumConcurrencyLevel => 1;

    public static bool IsRunningOn(ActivationTaskScheduler scheduler) => ReferenceEquals(t_running, scheduler);

    protected override void QueueTask(Task task)
    {
        _queue.Enqueue(task);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued)
    {
        // Inlining is safe only on the thread that is already draining this activation: it is the same
        // logical single thread. A previously queued task must keep its place in the queue.
        return !taskWasPreviouslyQueued && ReferenceEquals(t_running, this) && TryExecuteTask(task);
    }

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    void IThreadPoolWorkItem.Execute()
    {
        var previous = t_running;
        t_running = this;
        try
        {
            for (var i = 0; i < MaxTasksPerDrain && _queue.TryDequeue(out var task); i++)
            {
                TryExecuteTask(task);
            }
        }
        finally
        {
            t_running = previous;
        }

        Volatile.Write(ref _scheduled, 0);
        if (!_queue.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
    }
}
