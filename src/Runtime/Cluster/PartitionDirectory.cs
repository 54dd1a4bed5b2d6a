using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Cluster;

/// <summary>
/// This node's view of partition ownership: which partitions it holds and at which epoch, and who holds the rest.
/// Activations are only created under a lease held here; the store's fence is the final word on every write.
/// </summary>
internal sealed class PartitionDirectory
{
    private readonly Lock _lock = new();
    private readonly PartitionLease?[] _leases;
    private readonly bool[] _local;
    private Dictionary<string, string> _addresses = new(StringComparer.Ordinal);
    private int _refreshRequested;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PartitionDirectory(IOptions<ActorRuntimeOptions> options)
    {
        NodeId = options.Value.NodeName;
        PartitionCount = options.Value.PartitionCount;
        _leases = new PartitionLease?[PartitionCount];
        _local = new bool[PartitionCount];
    }

    public string NodeId { get; }

    public int PartitionCount { get; }

    /// <summary>False once the node stopped dispatching (shutting down or self-fenced entirely).</summary>
    public bool IsAcceptingCalls { get; private set; } = true;

    public IReadOnlyCollection<int> LocalPartitions
    {
        get
        {
            lock (_lock)
            {
                return [.. Enumerable.Range(0, PartitionCount).Where(p => _local[p])];
            }
        }
    }

    public IReadOnlyList<PartitionLease> LocalLeases
    {
        get
        {
            lock (_lock)
            {
                return [.. Enumerable.Range(0, PartitionCount).Where(p => _local[p]).Select(p => _leases[p]!)];
            }
        }
    }

    /// <summary>Whether this node holds the partition now (no lock: the hot path of every grain call reads it).</summary>
    public bool IsLocal(int partition) => Volatile.Read(ref _local[partition]);

    /// <summary>
    /// Where a call for <paramref name="partition"/> goes: here, to the owner's address, or nowhere yet (no live owner
    /// known: the lease is free, expiring, or its owner has no address).
    /// </summary>
    public PartitionRoute Route(int partition)
    {
        lock (_lock)
        {
            if (_local[partition])
            {
                return PartitionRoute.Local;
            }

            var owner = _leases[partition]?.OwnerNode;
            return owner is not null && owner != NodeId && _addresses.TryGetValue(owner, out var address)
                ? new PartitionRoute(owner, address)
                : PartitionRoute.Unknown;
        }
    }

    /// <summary>Asks the lease manager to read the leases again soon (a call found no live owner, or a node said "not mine").</summary>
    public void RequestRefresh() => Volatile.Write(ref _refreshRequested, 1);

    /// <summary>Whether a refresh was requested since the last call (and clears the request).</summary>
    public bool TakeRefreshRequest() => Interlocked.Exchange(ref _refreshRequested, 0) == 1;

    /// <summary>Completes when the directory next changes (leases read, lost or released).</summary>
    public Task WhenChangedAsync()
    {
        lock (_lock)
        {
            return _changed.Task;
        }
    }

    /// <summary>Records the live nodes' addresses (for forwarding calls to them).</summary>
    public void UpdateNodes(IEnumerable<NodeRecord> liveNodes)
    {
        var addresses = liveNodes.Where(n => n.Address is not null).ToDictionary(n => n.NodeId, n => n.Address!, StringComparer.Ordinal);
        lock (_lock)
        {
            _addresses = addresses;
        }
    }

    public bool TryGetLocalLease(int partition, out LeaseToken lease)
    {
        lock (_lock)
        {
            if (_local[partition] && _leases[partition] is { } held)
            {
                lease = new LeaseToken(NodeId, partition, held.Epoch);
                return true;
            }
        }

        lease = default;
        return false;
    }

    /// <summary>
    /// The lease to activate a grain of <paramref name="partition"/> under; waits while this node does not hold it
    /// (start-up, or a dead owner's lease still running out) until the token fires.
    /// </summary>
    public async ValueTask<LeaseToken> WaitForLocalLeaseAsync(int partition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (!IsAcceptingCalls)
                {
                    throw new GrainUnavailableException($"Node {NodeId} is not accepting calls.");
                }

                if (_local[partition] && _leases[partition] is { } held)
                {
                    return new LeaseToken(NodeId, partition, held.Epoch);
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                var owner = _leases[partition]?.OwnerNode ?? "no node";
                throw new GrainUnavailableException($"Partition {partition} was not available on node {NodeId} in time (held by {owner}).");
            }
        }
    }

    /// <summary>Records the leases as read from the store; <paramref name="localValid"/> says which this node may use.</summary>
    public void Update(IEnumerable<PartitionLease> leases, IReadOnlySet<int> localValid)
    {
        lock (_lock)
        {
            foreach (var lease in leases)
            {
                _leases[lease.Partition] = lease;
                Volatile.Write(ref _local[lease.Partition], lease.OwnerNode == NodeId && localValid.Contains(lease.Partition));
            }

            SignalLocked();
        }
    }

    /// <summary>Marks partitions as no longer usable here (lost or released).</summary>
    public void RemoveLocal(IEnumerable<int> partitions)
    {
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                Volatile.Write(ref _local[partition], false);
            }

            SignalLocked();
        }
    }

    public void StopAcceptingCalls()
    {
        lock (_lock)
        {
            IsAcceptingCalls = false;
            SignalLocked();
        }
    }

    private void SignalLocked()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}

/// <summary>Where a grain call goes: <see cref="Local"/>, a remote node (<see cref="NodeId"/> at <see cref="Address"/>), or <see cref="Unknown"/>.</summary>
internal readonly record struct PartitionRoute(string? NodeId, string? Address)
{
    public static PartitionRoute Local => new(null, null);

    public static PartitionRoute Unknown => new(string.Empty, null);

    public bool IsLocal => NodeId is null;

    public bool IsRemote => Address is not null;
}
