using System.Diagnostics;
using Actors.Runtime.Execution;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;

namespace Actors.Runtime.Hosting;

/// <summary>
/// Polls the store and this node's consumer loops. Each check reads in causal order, so work that finishes between
/// two reads cannot hide: reminders first (a delivery is completed in the store only after its handler's turn
/// committed, so once none is due their events are in the log), then the log end (sequenced first), then how far
/// each consumer got.
/// </summary>
internal sealed class RuntimeQuiescence(IStorageProvider storage, ActorRuntime runtime, OutboxConsumerLoops loops) : IRuntimeQuiescence
{
    /// <summary>Real time between checks: short, because callers wait on this between the steps of a test or a time jump.</summary>
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(15);

    public async Task<bool> WaitForQuiescenceAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var started = Stopwatch.GetTimestamp();
        long? passedAt = null;
        while (true)
        {
            // A consumer can commit an event after the log end was read and then report that end as handled; the
            // next check, which must find the same end, sees that event.
            var logEnd = await CheckAsync(cancellationToken);
            if (logEnd is not null && logEnd == passedAt)
            {
                return true;
            }

            passedAt = logEnd;
            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.Delay(remaining < CheckInterval ? remaining : CheckInterval, cancellationToken);
        }
    }

    /// <summary>The log end when nothing is due and every consumer has handled up to it; null otherwise.</summary>
    private async Task<long?> CheckAsync(CancellationToken cancellationToken)
    {
        if (await storage.AnyDueRemindersAsync(runtime.Time.GetUtcNow(), cancellationToken))
        {
            return null;
        }

        var logEnd = await storage.GetLastSequenceAsync(cancellationToken);
        foreach (var loop in loops.All)
        {
            var handled = loop.Consumer.Scope == OutboxConsumerScope.Cluster
                ? await storage.ReadCheckpointAsync(loop.Consumer.Name, cancellationToken)
                : loop.Position;
            if (handled is not { } seq || seq < logEnd)
            {
                return null;
            }
        }

        return logEnd;
    }
}
