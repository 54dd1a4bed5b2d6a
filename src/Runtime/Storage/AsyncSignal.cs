namespace Actors.Runtime.Storage;

/// <summary>
/// Wakes waiters when outbox rows after the ones they saw are committed. It holds the highest seq known committed; a
/// signal of a higher one raises it and wakes every waiter. A waiter names the seq it last saw and returns at once if
/// a higher one came since, so a consumer that was busy reading when a commit landed never sleeps through it, and one
/// waiter's wake-up is not taken from another. A spurious wake-up only costs a read; a lost one would cost a whole
/// poll interval.
/// </summary>
internal sealed class AsyncSignal
{
    private long _last;
    private TaskCompletionSource _next = NewSource();

    /// <summary>Rows up to <paramref name="seq"/> are committed: wakes the waiters if that is news.</summary>
    public void Set(long seq)
    {
        var last = Interlocked.Read(ref _last);
        while (seq > last)
        {
            var seen = Interlocked.CompareExchange(ref _last, seq, last);
            if (seen == last)
            {
                Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
                return;
            }

            last = seen;
        }
    }

    /// <summary>The highest seq known once it differs from <paramref name="seen"/>, or the one known after <paramref name="maxWait"/>.</summary>
    public async Task<long> WaitAsync(long seen, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The source first, then the seq: a Set between the two reads shows in the seq; one after both completes the
        // source read here.
        var next = Volatile.Read(ref _next);
        var current = Interlocked.Read(ref _last);
        if (current != seen)
        {
            return current;
        }

        using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(next.Task, Task.Delay(maxWait, delayCancellation.Token));
        await delayCancellation.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return Interlocked.Read(ref _last);
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
