namespace Actors.Runtime.Storage;

/// <summary>
/// Wakes waiters when new outbox rows may exist. Every signal bumps a version; a waiter names the version it last
/// saw and returns at once if a signal came since, so a consumer that was busy reading when a commit landed never
/// sleeps through it, and one waiter's wake-up is not taken from another. A spurious wake-up only costs a read; a
/// lost one would cost a whole poll interval.
/// </summary>
internal sealed class AsyncSignal
{
    private long _version;
    private TaskCompletionSource _next = NewSource();

    public void Set()
    {
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
    }

    /// <summary>The version once it differs from <paramref name="seen"/>, or the version after <paramref name="maxWait"/>.</summary>
    public async Task<long> WaitAsync(long seen, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The source first, then the version: a Set between the two reads shows in the version; one after both
        // completes the source read here.
        var next = Volatile.Read(ref _next);
        var current = Interlocked.Read(ref _version);
        if (current != seen)
        {
            return current;
        }

        using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(next.Task, Task.Delay(maxWait, delayCancellation.Token));
        await delayCancellation.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return Interlocked.Read(ref _version);
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
