using System.Text.Json;
using Actors.Runtime.Cluster;
using Actors.Runtime.Execution;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Streams;

/// <summary>Where an outbox consumer runs and where it keeps its position.</summary>
public enum OutboxConsumerScope
{
    /// <summary>
    /// One instance in the cluster (on the node holding the partition its name hashes to), with a durable checkpoint:
    /// projections, implicit stream subscriptions. At least once: handlers are idempotent.
    /// </summary>
    Cluster,

    /// <summary>
    /// One instance on every node, starting at the end of the log, position in memory: pushing to clients
    /// connected to this node.
    /// </summary>
    Node,

    /// <summary>
    /// One instance on every node, reading the whole log from the beginning (seq 0), position in memory: in-memory
    /// read models that every node rebuilds at start-up. Each node run sees every event once, in seq order (again
    /// after a handler failure, which retries the batch).
    /// </summary>
    NodeReplay,
}

/// <summary>Reads the outbox in global sequence order.</summary>
public interface IOutboxConsumer
{
    string Name { get; }

    OutboxConsumerScope Scope { get; }

    Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// Runs one consumer: read after its position (a Cluster consumer's checkpoint, the end of the log for a Node
/// consumer, seq 0 for a NodeReplay consumer), handle, advance; wait on the store's wake-up or the poll.
/// </summary>
internal sealed partial class OutboxConsumerLoop(
    IOutboxConsumer consumer,
    IStorageProvider storage,
    OutboxTail tail,
    PartitionDirectory directory,
    ActorRuntimeOptions options,
    TimeProvider time,
    Diagnostics.RuntimeMetrics metrics,
    ILogger logger)
{
    private const int BatchSize = 500;
    private const long Unknown = -1;

    private long _position = Unknown;

    public IOutboxConsumer Consumer => consumer;

    /// <summary>
    /// The seq of the last event this loop handled on this node (or started after), held in memory; null until the
    /// loop knows where it starts, and again while a Cluster consumer is not running here.
    /// </summary>
    public long? Position
    {
        get => Volatile.Read(ref _position) is var position and not Unknown ? position : null;
        private set => Volatile.Write(ref _position, value ?? Unknown);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var partition = Partitioner.GetPartition(new GrainId("outbox-consumer", consumer.Name), directory.PartitionCount);
        var seen = -1L;
        var checkpoint = new CheckpointWriter(consumer.Name, storage, options.OutboxCheckpointInterval);
        var caughtUpAt = long.MinValue;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (consumer.Scope == OutboxConsumerScope.Cluster && !directory.TryGetLocalLease(partition, out _))
                {
                    Position = null;
                    checkpoint.Forget();
                    await Pause.ForAsync(options.OutboxPollInterval, stopping);
                    continue;
                }

                Position ??= consumer.Scope switch
                {
                    OutboxConsumerScope.Cluster => await storage.ReadCheckpointAsync(consumer.Name, stopping),
                    OutboxConsumerScope.Node => await storage.GetLastSequenceAsync(stopping),
                    _ => 0, // NodeReplay: the whole log, on every start.
                };
                await SpaceReadsAsync(caughtUpAt, stopping);
                var events = await tail.ReadAsync(Position.Value, BatchSize, seen, stopping);
                if (events.Count == 0)
                {
                    await checkpoint.FlushAsync(stopping);
                    caughtUpAt = Environment.TickCount64;
                    seen = await storage.WaitForEventsAsync(seen, options.OutboxPollInterval, stopping);
                    continue;
                }

                await consumer.HandleAsync(events, stopping);
                if (consumer.Scope == OutboxConsumerScope.Cluster)
                {
                    await checkpoint.AdvanceAsync(events[^1].Seq, stopping);
                }

                Position = events[^1].Seq;
                metrics.OutboxDelivered(consumer.Name, time.GetUtcNow() - events[^1].CreatedAt);
                if (events.Count < BatchSize)
                {
                    // Caught up as of the read: the next read waits for the next notification (at once if one came
                    // meanwhile). None came: the log is quiet, so a position not yet written is made durable now.
                    if (checkpoint.IsPending && await storage.WaitForEventsAsync(seen, TimeSpan.Zero, stopping) == seen)
                    {
                        await checkpoint.FlushAsync(stopping);
                    }

                    caughtUpAt = Environment.TickCount64;
                    seen = await storage.WaitForEventsAsync(seen, options.OutboxPollInterval, stopping);
                }
                else
                {
                    caughtUpAt = long.MinValue;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex, consumer.Name, Position ?? 0);

                // A Cluster consumer re-reads its checkpoint (its lease may have moved); the others keep their place.
                Position = consumer.Scope == OutboxConsumerScope.Cluster ? null : Position;
                await Pause.ForAsync(options.OutboxPollInterval, stopping);
            }
        }

        await FlushOnStopAsync(checkpoint);
    }

    /// <summary>
    /// A node that stops (its leases are still held) writes the position it handled, so the node that runs the
    /// consumer next does not deliver those events again. Bounded: a store that does not answer leaves it to
    /// at-least-once delivery.
    /// </summary>
    private async Task FlushOnStopAsync(CheckpointWriter checkpoint)
    {
        using var bounded = new CancellationTokenSource(options.OutboxPollInterval * 5);
        try
        {
            await checkpoint.FlushAsync(bounded.Token);
        }
        catch (Exception ex)
        {
            LogNotFlushed(logger, ex, consumer.Name);
        }
    }

    /// <summary>
    /// After the loop caught up, the next read waits until <see cref="ActorRuntimeOptions.OutboxReadSpacing"/> has passed
    /// since: on a busy log the commits of that time are read together, in one store transaction, instead of one read
    /// per commit. A quiet log is read at once on the next commit; a consumer behind (a full batch) reads without a pause.
    /// </summary>
    private Task SpaceReadsAsync(long caughtUpAt, CancellationToken stopping)
    {
        if (caughtUpAt == long.MinValue)
        {
            return Task.CompletedTask;
        }

        var remaining = (long)options.OutboxReadSpacing.TotalMilliseconds - (Environment.TickCount64 - caughtUpAt);
        return remaining > 0 ? Task.Delay(TimeSpan.FromMilliseconds(remaining), stopping) : Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox consumer {Consumer} failed after seq {Position}; it will retry from its position")]
    private static partial void LogFailed(ILogger logger, Exception exception, string consumer, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox consumer {Consumer} could not write its position on stop; its next run delivers the events since its last checkpoint again")]
    private static partial void LogNotFlushed(ILogger logger, Exception exception, string consumer);
}

/// <summary>
/// A Cluster consumer's durable position, written at most once per interval while commits keep coming and at once when
/// the log goes quiet, so a busy log costs one checkpoint write a second rather than one per batch. Delivery stays at
/// least once: a node that takes the consumer over after a crash handles again what came after the last write.
/// </summary>
internal sealed class CheckpointWriter(string consumer, IStorageProvider storage, TimeSpan interval)
{
    private long _pending = -1;
    private long? _writtenAt;

    /// <summary>The consumer handled up to <paramref name="seq"/>: written now if the interval has passed since the last write.</summary>
    public Task AdvanceAsync(long seq, CancellationToken cancellationToken)
    {
        _pending = seq;
        var due = _writtenAt is not { } writtenAt || Environment.TickCount64 - writtenAt >= (long)interval.TotalMilliseconds;
        return due ? FlushAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Whether a handled position has not been written yet.</summary>
    public bool IsPending => _pending >= 0;

    /// <summary>Writes the position not yet written, if any.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!IsPending)
        {
            return;
        }

        await storage.WriteCheckpointAsync(consumer, _pending, cancellationToken);
        _pending = -1;
        _writtenAt = Environment.TickCount64;
    }

    /// <summary>The consumer moved to another node: what was not written is handled again there.</summary>
    public void Forget() => _pending = -1;
}

/// <summary>
/// The end of the log as this node's consumers read it: the most recent events, a contiguous run of the log. This
/// node's commits hand their rows over as they commit (<see cref="IStorageProvider.EventsAppended"/>), with the objects
/// they were raised as, so its consumers neither read back nor parse what it wrote; rows of other nodes come from store
/// reads, and consumers that follow the log ask for the same ones a few milliseconds apart, so one read answers all of
/// them (a read of the same position in flight is joined). The log is immutable and gap-free, so a full batch from the
/// run is what the store would answer. An answer that reaches the end of the run must also hold every row the caller
/// knows committed: the run serves it only when it reaches the seq the caller's last wake-up named
/// (<see cref="IStorageProvider.WaitForEventsAsync"/>). A consumer behind the run (a replay at start-up) reads the
/// store itself.
/// </summary>
internal sealed class OutboxTail
{
    /// <summary>Events kept in the run, and at most as many aside: a few seconds of a busy log, a few megabytes with the raised objects.</summary>
    private const int Capacity = 4096;

    private readonly IStorageProvider _storage;
    private readonly Lock _lock = new();
    private readonly List<StoredEvent> _recent = [];

    /// <summary>Rows this node committed after a gap in the run, in seq order, until the gap is filled.</summary>
    private readonly List<StoredEvent> _ahead = [];
    private Task<IReadOnlyList<StoredEvent>>? _reading;
    private long _readingAfter;
    private int _readingMax;
    private long _readingKnown = long.MinValue;
    private long _readingId;

    public OutboxTail(IStorageProvider storage)
    {
        _storage = storage;
        storage.EventsAppended += Offer;
    }

    /// <summary>
    /// Up to <paramref name="max"/> events after <paramref name="afterSeq"/>, in seq order, as a store read that saw
    /// every row up to <paramref name="knownSeq"/> (what the caller's last <see cref="IStorageProvider.WaitForEventsAsync"/>
    /// answered) would give them.
    /// </summary>
    public Task<IReadOnlyList<StoredEvent>> ReadAsync(long afterSeq, int max, long knownSeq, CancellationToken cancellationToken)
    {
        Task<IReadOnlyList<StoredEvent>> reading;
        TaskCompletionSource<IReadOnlyList<StoredEvent>>? started = null;
        long id;
        lock (_lock)
        {
            if (TryServe(afterSeq, max, knownSeq) is { } kept)
            {
                return Task.FromResult<IReadOnlyList<StoredEvent>>(kept);
            }

            if (_reading is { } joinable && _readingAfter == afterSeq && _readingMax >= max && knownSeq <= _readingKnown)
            {
                reading = joinable;
                id = 0;
            }
            else
            {
                id = ++_readingId;
                started = new TaskCompletionSource<IReadOnlyList<StoredEvent>>(TaskCreationOptions.RunContinuationsAsynchronously);
                (_reading, _readingAfter, _readingMax, _readingKnown) = (started.Task, afterSeq, max, long.MinValue);
                reading = started.Task;
            }
        }

        // Outside the lock: an in-process store reads synchronously, and this node's commits hand over under the lock.
        if (started is not null)
        {
            _ = ReadStoreAsync(id, afterSeq, max, started);
        }

        return reading.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Rows this node committed, in seq order. They precede the run when they come just before it; otherwise they wait
    /// aside, in seq order, and join the run once it reaches them: at once when they follow it, later when they come
    /// after a gap (another node's commits between, or two commits of this node handed over out of order) that a store
    /// read or the other commit's rows fill. Rows the run already holds are dropped.
    /// </summary>
    private void Offer(IReadOnlyList<StoredEvent> events)
    {
        lock (_lock)
        {
            if (_recent.Count > 0 && events[^1].Seq == _recent[0].Seq - 1)
            {
                _recent.InsertRange(0, events);
            }
            else
            {
                var at = _ahead.FindIndex(e => e.Seq > events[0].Seq);
                _ahead.InsertRange(at < 0 ? _ahead.Count : at, events);
            }

            Settle();
        }
    }

    /// <summary>The answer from the kept run, when it has one (under the lock).</summary>
    private List<StoredEvent>? TryServe(long afterSeq, int max, long knownSeq)
    {
        if (_recent.Count == 0 || afterSeq < _recent[0].Seq - 1 || afterSeq > _recent[^1].Seq)
        {
            return null;
        }

        // At the end of the run, which holds every row the caller knows of: nothing more until the next wake-up.
        if (afterSeq == _recent[^1].Seq)
        {
            return knownSeq <= afterSeq ? [] : null;
        }

        var from = (int)(afterSeq - (_recent[0].Seq - 1));
        var available = _recent.Count - from;
        return available >= max || _recent[^1].Seq >= knownSeq ? _recent.GetRange(from, Math.Min(max, available)) : null;
    }

    private async Task ReadStoreAsync(long id, long afterSeq, int max, TaskCompletionSource<IReadOnlyList<StoredEvent>> answer)
    {
        try
        {
            // The seq known before the read: every row up to it is visible to the read's snapshot.
            var known = await _storage.WaitForEventsAsync(-1, TimeSpan.Zero, CancellationToken.None);
            lock (_lock)
            {
                if (_readingId == id)
                {
                    _readingKnown = known;
                }
            }

            var events = await _storage.ReadEventsAsync(afterSeq, max, null, CancellationToken.None);
            lock (_lock)
            {
                Keep(events);
            }

            answer.SetResult(events);
        }
        catch (Exception ex)
        {
            answer.SetException(ex);
        }
        finally
        {
            lock (_lock)
            {
                if (_readingId == id)
                {
                    (_reading, _readingKnown) = (null, long.MinValue);
                }
            }
        }
    }

    /// <summary>Adds a store read to the kept run (under the lock): it extends the run, or replaces one it does not touch.</summary>
    private void Keep(IReadOnlyList<StoredEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var end = _recent.Count == 0 ? long.MinValue : _recent[^1].Seq;
        if (_recent.Count == 0 || events[0].Seq > end + 1 || events[^1].Seq < _recent[0].Seq - 1)
        {
            _recent.Clear();
            _recent.AddRange(events);
        }
        else if (events[^1].Seq >= end)
        {
            _recent.AddRange(events.Where(e => e.Seq > end));
        }

        Settle();
    }

    /// <summary>
    /// Moves the rows waiting aside that now follow the run into it and drops those it already holds; keeps the run
    /// within its capacity. With no run yet, or more than that waiting aside (a gap no read filled), their first
    /// stretch starts the run.
    /// </summary>
    private void Settle()
    {
        if (_recent.Count == 0 || _ahead.Count > Capacity)
        {
            _recent.Clear();
            var stretch = 0;
            while (stretch < _ahead.Count && (stretch == 0 || _ahead[stretch].Seq == _ahead[stretch - 1].Seq + 1))
            {
                stretch++;
            }

            _recent.AddRange(_ahead.GetRange(0, stretch));
            _ahead.RemoveRange(0, stretch);
            _ahead.RemoveRange(0, Math.Max(0, _ahead.Count - Capacity));
        }

        var end = _recent.Count == 0 ? long.MinValue : _recent[^1].Seq;
        var settled = 0;
        while (settled < _ahead.Count && _ahead[settled].Seq <= end + 1)
        {
            if (_ahead[settled].Seq == end + 1)
            {
                _recent.Add(_ahead[settled]);
                end++;
            }

            settled++;
        }

        _ahead.RemoveRange(0, settled);
        if (_recent.Count > Capacity)
        {
            _recent.RemoveRange(0, _recent.Count - Capacity);
        }
    }
}

/// <summary>The consumer loops this node runs, so that how far each got can be asked (quiescence).</summary>
internal sealed class OutboxConsumerLoops
{
    private IReadOnlyList<OutboxConsumerLoop> _all = [];

    public IReadOnlyList<OutboxConsumerLoop> All => Volatile.Read(ref _all);

    public void Publish(IReadOnlyList<OutboxConsumerLoop> loops) => Volatile.Write(ref _all, loops);
}

/// <summary>
/// Delivers a namespace's events to the grain of the same key as the stream, for grain classes marked
/// [ImplicitStreamSubscription]: the grain is activated, subscribes in OnActivateAsync, and the event runs as a
/// turn of it. A cluster-scope consumer, so each event reaches its grain at least once, in stream order.
/// </summary>
internal sealed partial class ImplicitSubscriptionConsumer(ActorRuntime runtime, GrainClassInfo grainClass, string streamNamespace, ILogger logger) : IOutboxConsumer
{
    public string Name => $"implicit:{streamNamespace}:{grainClass.GrainType}";

    public OutboxConsumerScope Scope => OutboxConsumerScope.Cluster;

    /// <summary>Grains whose events are delivered at the same time (each grain's one after the other).</summary>
    private const int ConcurrentGrains = 64;

    /// <summary>
    /// Each stream's events go to its grain in stream order; the grains of a batch are served at the same time, so
    /// their turns' commits meet in the same store transactions instead of following one another.
    /// </summary>
    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        var prefix = streamNamespace + "/";
        var byStream = new Dictionary<string, List<StoredEvent>>(StringComparer.Ordinal);
        foreach (var stored in events)
        {
            if (stored.Stream.StartsWith(prefix, StringComparison.Ordinal))
            {
                (byStream.TryGetValue(stored.Stream, out var list) ? list : byStream[stored.Stream] = []).Add(stored);
            }
        }

        // Every stream's deliveries run to their end even when another's fail (as one after the other did): a failed
        // batch is retried from the checkpoint, and no sibling's grain turn is abandoned half-way by a cancellation.
        using var slots = new SemaphoreSlim(ConcurrentGrains);
        await Task.WhenAll(byStream.Values.Select(async stream =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                var grainId = new GrainId(grainClass.GrainType, StreamId.Parse(stream[0].Stream).Key);
                foreach (var stored in stream)
                {
                    await runtime.RouteAsync<object?>(
                        grainId,
                        Partitioner.GetPartition(grainId, runtime.Directory.PartitionCount),
                        $"stream {stored.Stream}#{stored.StreamSeq}",
                        () => DeliverAsync(runtime, grainClass, grainId, stored, logger, cancellationToken),
                        () => new RemoteCallRequest(grainClass.GrainType, grainId.Key, DeliveryMethod, [JsonSerializer.SerializeToElement(stored, runtime.JsonOptions)]),
                        _ => null,
                        cancellationToken);
                }
            }
            finally
            {
                slots.Release();
            }
        }));
    }

    /// <summary>The method key under which a stream event is forwarded to the node that holds its grain.</summary>
    public const string DeliveryMethod = "$implicit-stream-delivery";

    /// <summary>Runs the event as a turn of the grain's activation on this node, through the subscription it made.</summary>
    public static Task<object?> DeliverAsync(ActorRuntime runtime, GrainClassInfo grainClass, GrainId grainId, StoredEvent stored, ILogger logger, CancellationToken cancellationToken) =>
        runtime.InvokeAsync<object?>(grainId, grainClass, $"stream {stored.Stream}#{stored.StreamSeq}", WorkKind.Request, async grain =>
        {
            if (grain.Activation.TryGetSubscription(StreamId.Parse(stored.Stream), out var subscription))
            {
                await subscription.DeliverAsync(stored);
            }
            else
            {
                LogNoSubscription(logger, grainId, stored.Stream);
            }

            return null;
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {Grain} has an implicit subscription to {Stream} but did not subscribe in OnActivateAsync; event skipped")]
    private static partial void LogNoSubscription(ILogger logger, GrainId grain, string stream);
}
