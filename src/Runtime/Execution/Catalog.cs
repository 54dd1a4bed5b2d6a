using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Actors.Runtime.Cluster;

namespace Actors.Runtime.Execution;

/// <summary>The activations of this node, by grain id: at most one per grain, created on first call.</summary>
internal sealed class Catalog(ActorRuntime runtime, PartitionDirectory directory)
{
    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new();

    /// <summary>The runtime-clock timestamp up to which no activation can be idle for a collection age.</summary>
    private long _nothingCollectibleUntil = long.MinValue;

    private int _collectionWalks;

    private int _collectionQueued;

    private long _collectionAsks;

    public int Count => _activations.Count;

    public IEnumerable<Activation> Activations => _activations.Values;

    /// <summary>The grain's activation on this node, if it has one (which may be on its way out: see <see cref="Activation.TryEnqueue"/>).</summary>
    public bool TryGetActivation(GrainId id, [NotNullWhen(true)] out Activation? activation) => _activations.TryGetValue(id, out activation);

    public ValueTask<Activation> GetOrCreateAsync(GrainId id, GrainClassInfo grainClass, CancellationToken cancellationToken)
    {
        if (_activations.TryGetValue(id, out var existing) && existing.Status != ActivationStatus.Invalid)
        {
            return ValueTask.FromResult(existing);
        }

        return CreateAsync(id, grainClass, cancellationToken);
    }

    private async ValueTask<Activation> CreateAsync(GrainId id, GrainClassInfo grainClass, CancellationToken cancellationToken)
    {
        var partition = Partitioner.GetPartition(id, directory.PartitionCount);
        while (true)
        {
            if (_activations.TryGetValue(id, out var existing))
            {
                if (existing.Status != ActivationStatus.Invalid)
                {
                    return existing;
                }

                _activations.TryRemove(KeyValuePair.Create(id, existing));
            }

            var lease = await directory.WaitForLocalLeaseAsync(partition, cancellationToken);
            var created = new Activation(runtime, id, grainClass, lease);
            if (_activations.TryAdd(id, created))
            {
                return created;
            }
        }
    }

    public void Remove(Activation activation) => _activations.TryRemove(KeyValuePair.Create(activation.Id, activation));

    /// <summary>Drops every activation of partitions this node no longer holds (the fence would refuse their writes).</summary>
    public void DropPartitions(IReadOnlySet<int> partitions)
    {
        foreach (var activation in _activations.Values)
        {
            if (partitions.Contains(activation.Lease.Partition))
            {
                activation.Drop(new DeactivationReason(DeactivationReasonCode.LeaseLost, $"partition {activation.Lease.Partition} lease lost"));
            }
        }
    }

    /// <summary>
    /// Asks for <see cref="CollectIdle"/> (the collector's timer does, once per quantum of the runtime's clock). It runs
    /// on the thread pool at the clock's instant when it starts, and asks made while one is queued are served by it: a
    /// manual clock moved a month ahead fires the timer 43,200 times within one move, and a later collection finds all
    /// that an earlier one would have (an activation idle at one instant is idle at a later one unless it worked since).
    /// Work marked since the last collection is dated at the first ask after it, as a collection then would have, and
    /// work marked after that ask at the collection's own instant.
    /// </summary>
    public void RequestCollection(TimeSpan collectionAge)
    {
        if (Interlocked.Exchange(ref _collectionQueued, 1) == 0)
        {
            var ask = new CollectionAsk(collectionAge, runtime.Time.GetTimestamp(), Interlocked.Increment(ref _collectionAsks));
            ThreadPool.UnsafeQueueUserWorkItem(
                static request =>
                {
                    Volatile.Write(ref request.Catalog._collectionQueued, 0);
                    request.Catalog.CollectIdle(request.Ask);
                },
                (Catalog: this, Ask: ask),
                preferLocal: false);
        }
    }

    /// <summary>
    /// Deactivates activations idle for longer than the collection age. A look finds nothing to collect until the
    /// oldest activity the last look left (or that look's instant, for activations made since) is a collection age
    /// old, so until then it does not walk the activations. A manual clock moved a day ahead asks for a collection once
    /// per quantum of the day (1,440 times at the default minute): with 30,000 activations, walking them at each ask
    /// kept a silo busy for most of the 100 ms between two such moves.
    /// </summary>
    private void CollectIdle(CollectionAsk ask)
    {
        var time = runtime.Time;
        var now = time.GetTimestamp();
        var collectionAge = ask.Age;
        var age = (long)(collectionAge.TotalSeconds * time.TimestampFrequency);
        if (now <= Volatile.Read(ref _nothingCollectibleUntil))
        {
            return;
        }

        Interlocked.Increment(ref _collectionWalks);
        var threshold = now - age;
        var oldestKept = now;

        // Enumerating the dictionary itself takes no snapshot.
        foreach (var (_, activation) in _activations)
        {
            if (activation.IsIdleSince(threshold, ask.Number, ask.At, now, out var lastActivity))
            {
                activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ActivationIdle, $"idle for more than {collectionAge}"));
            }
            else
            {
                oldestKept = Math.Min(oldestKept, lastActivity);
            }
        }

        Volatile.Write(ref _nothingCollectibleUntil, oldestKept + age);
    }

    /// <summary>The number of the latest ask for a collection: work marks it, so a walk can tell work before the ask from work after.</summary>
    public long CollectionAsks => Volatile.Read(ref _collectionAsks);

    /// <summary>How many times <see cref="CollectIdle"/> walked the activations (for tests).</summary>
    internal int CollectionWalks => Volatile.Read(ref _collectionWalks);

    /// <summary>Deactivates the activations of partitions being handed over, waiting (bounded) for their turns to end.</summary>
    public async Task DeactivatePartitionsAsync(IReadOnlySet<int> partitions, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var leaving = _activations.Values.Where(a => partitions.Contains(a.Lease.Partition)).ToList();
        foreach (var activation in leaving)
        {
            activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ShuttingDown, $"partition {activation.Lease.Partition} handed over"));
        }

        var deadline = DateTime.UtcNow + timeout;
        while (leaving.Any(a => _activations.TryGetValue(a.Id, out var current) && current == a) && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }

        DropPartitions(partitions);
    }

    /// <summary>
    /// Deactivates every activation (graceful shutdown), waiting until they are gone or the token fires. Activations
    /// made meanwhile (the outbox consumers still deliver to grains) are asked to go too.
    /// </summary>
    public async Task DeactivateAllAsync(CancellationToken cancellationToken)
    {
        while (!_activations.IsEmpty && !cancellationToken.IsCancellationRequested)
        {
            foreach (var activation in _activations.Values)
            {
                activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ShuttingDown, "node shutting down"));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }
    }

    /// <summary>An ask for a collection: its age, its instant on the runtime's clock and its number.</summary>
    private readonly record struct CollectionAsk(TimeSpan Age, long At, long Number);
}
