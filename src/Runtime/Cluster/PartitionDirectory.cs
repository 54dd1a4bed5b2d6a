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
                _local[lease.Partition] = lease.OwnerNode == NodeId && localValid.Contains(lease.Partition);
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
                _local[partition] = false;
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
