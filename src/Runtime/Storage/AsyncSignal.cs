namespace Actors.Runtime.Storage;

/// <summary>
/// Wakes waiters when new outbox rows may exist. A signal that nobody was waiting for is kept until the next
/// wait, which then returns at once: a consumer that was busy reading when a commit landed must not sleep
/// through it. A spurious wake-up only costs a read; a lost one costs a whole poll interval.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _current = NewSource();

    public void Set() => Volatile.Read(ref _current).TrySetResult();

    public async Task WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var source = Volatile.Read(ref _current);
        if (!source.Task.IsCompleted)
        {
            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(maxWait, delayCancellation.Token);
            var first = await Task.WhenAny(source.Task, delay);
            await delayCancellation.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
            if (first != source.Task)
            {
                return;
            }
        }

        Interlocked.CompareExchange(ref _current, NewSource(), source);
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
