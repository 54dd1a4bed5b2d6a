using System.Diagnostics;
using Actors.Runtime.Execution;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Cluster;

/// <summary>
/// Registers the node, heartbeats, and takes and renews partition leases. A lease is used locally only until
/// its local deadline (renewal start + lease duration, measured on this node's monotonic clock, so always before
/// the store lets anyone else take it): a node that cannot renew in time stops dispatching that partition and
/// drops its activations by itself (self-fencing).
/// </summary>
internal sealed partial class LeaseManager : IAsyncDisposable
{
    private readonly IStorageProvider _storage;
    private readonly PartitionDirectory _directory;
    private readonly ActorRuntime _runtime;
    private readonly ActorRuntimeOptions _options;
    private readonly ILogger<LeaseManager> _logger;
    private readonly Dictionary<int, long> _localDeadlines = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private int _refreshes;

    public LeaseManager(IStorageProvider storage, PartitionDirectory directory, ActorRuntime runtime, IOptions<ActorRuntimeOptions> options, ILogger<LeaseManager> logger)
    {
        _storage = storage;
        _directory = directory;
        _runtime = runtime;
        _options = options.Value;
        _logger = logger;
    }

    private TimeSpan RenewInterval => _options.LeaseDuration / 3;

    /// <summary>Completed refreshes (the one at start, then one per renew interval), so tests can wait for one.</summary>
    internal int Refreshes => Volatile.Read(ref _refreshes);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _storage.RegisterNodeAsync(_directory.NodeId, _options.NodeAddress, cancellationToken);
        await _storage.EnsurePartitionsAsync(_options.PartitionCount, cancellationToken);
        await RefreshAsync(cancellationToken);
        LogStarted(_logger, _directory.NodeId, _directory.LocalPartitions.Count, _options.PartitionCount);
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        var fenceCheck = TimeSpan.FromTicks(Math.Max(RenewInterval.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks));
        var nextRenew = Stopwatch.GetTimestamp();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (Stopwatch.GetTimestamp() >= nextRenew || _directory.TakeRefreshRequest())
                {
                    nextRenew = Stopwatch.GetTimestamp() + (long)(RenewInterval.TotalSeconds * Stopwatch.Frequency);
                    await RefreshAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRenewFailed(_logger, ex, _directory.NodeId);
            }

            SelfFence();
            try
            {
                await Task.Delay(fenceCheck, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Heartbeat, renew what is held, drop what was lost, take free partitions up to a fair share.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var renewStarted = Stopwatch.GetTimestamp();
        await _storage.HeartbeatAsync(_directory.NodeId, cancellationToken);
        var held = _directory.LocalLeases;
        var renewed = held.Count == 0 ? [] : await _storage.RenewLeasesAsync(_directory.NodeId, held, _options.LeaseDuration, cancellationToken);
        var deadline = renewStarted + (long)(_options.LeaseDuration.TotalSeconds * Stopwatch.Frequency);
        var valid = new HashSet<int>();
        lock (_lock)
        {
            foreach (var lease in renewed)
            {
                _localDeadlines[lease.Partition] = deadline;
                valid.Add(lease.Partition);
            }
        }

        var lost = held.Select(l => l.Partition).Where(p => !valid.Contains(p)).ToHashSet();
        if (lost.Count > 0)
        {
            LoseLocal(lost, "renewal refused");
        }

        var leases = await _storage.ReadLeasesAsync(cancellationToken);
        var nodes = await _storage.ReadNodesAsync(cancellationToken);
        var storeNow = await _storage.GetStoreTimeAsync(cancellationToken);
        var live = nodes.Where(n => n.Status == NodeStatus.Active && storeNow - n.HeartbeatAt < _options.LeaseDuration * 2).ToList();
        _directory.UpdateNodes(live);
        var liveNodes = Math.Max(1, live.Count);
        var share = (_options.PartitionCount + liveNodes - 1) / liveNodes;
        var force = _storage.IsSingleProcess;
        var heldCount = valid.Count;
        foreach (var lease in leases.OrderBy(l => l.Partition))
        {
            if (heldCount >= share && !force)
            {
                break;
            }

            var free = lease.OwnerNode is null || lease.ExpiresAt <= storeNow;
            if (valid.Contains(lease.Partition) || (!free && !force))
            {
                continue;
            }

            var acquireStarted = Stopwatch.GetTimestamp();
            var acquired = await _storage.TryAcquireLeaseAsync(lease.Partition, _directory.NodeId, _options.LeaseDuration, force, cancellationToken);
            if (acquired is null)
            {
                continue;
            }

            lock (_lock)
            {
                _localDeadlines[acquired.Partition] = acquireStarted + (long)(_options.LeaseDuration.TotalSeconds * Stopwatch.Frequency);
            }

            // The previous owner's reminder deliveries can no longer commit: deliver them from here at once.
            await _storage.ReleaseForeignClaimsAsync(acquired.Partition, _directory.NodeId, cancellationToken);
            valid.Add(acquired.Partition);
            heldCount++;
            LogAcquired(_logger, _directory.NodeId, acquired.Partition, acquired.Epoch);
        }

        if (!force && heldCount > share)
        {
            // A node joined: hand the partitions above this node's fair share over, gracefully, so it can take them.
            var excess = valid.OrderDescending().Take(heldCount - share).ToHashSet();
            await HandOverAsync(excess, cancellationToken);
            valid.ExceptWith(excess);
        }

        _directory.Update(await _storage.ReadLeasesAsync(cancellationToken), valid);
        Interlocked.Increment(ref _refreshes);
    }

    /// <summary>Stops using every lease whose local deadline passed without a renewal.</summary>
    /// <summary>
    /// Gives partitions up gracefully: calls stop coming here, their activations finish their turns and deactivate,
    /// then the leases are released so another node takes them at once instead of waiting for them to expire.
    /// </summary>
    private async Task HandOverAsync(HashSet<int> partitions, CancellationToken cancellationToken)
    {
        ForgetDeadlines(partitions);

        _directory.RemoveLocal(partitions);
        await _runtime.Catalog.DeactivatePartitionsAsync(partitions, _options.CallTimeout, cancellationToken);
        await _storage.ReleaseLeasesAsync(_directory.NodeId, partitions, cancellationToken);
        LogHandedOver(_logger, _directory.NodeId, partitions.Count);
    }

    private void ForgetDeadlines(HashSet<int> partitions)
    {
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                _localDeadlines.Remove(partition);
            }
        }
    }

    private void SelfFence()
    {
        var now = Stopwatch.GetTimestamp();
        HashSet<int> expired;
        lock (_lock)
        {
            expired = [.. _localDeadlines.Where(kv => kv.Value <= now).Select(kv => kv.Key)];
        }

        if (expired.Count > 0)
        {
            LoseLocal(expired, "not renewed before its local deadline");
        }
    }

    private void LoseLocal(HashSet<int> partitions, string why)
    {
        ForgetDeadlines(partitions);

        LogLost(_logger, _directory.NodeId, partitions.Count, why);
        _directory.RemoveLocal(partitions);
        _runtime.Catalog.DropPartitions(partitions);
    }

    /// <summary>Graceful stop: hands every partition back at once so other nodes need not wait for expiry.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        var held = _directory.LocalPartitions;
        _directory.RemoveLocal(held);
        try
        {
            await _storage.ReleaseLeasesAsync(_directory.NodeId, held, cancellationToken);
            await _storage.SetNodeStatusAsync(_directory.NodeId, NodeStatus.Dead, cancellationToken);
        }
        catch (Exception ex)
        {
            LogReleaseFailed(_logger, ex, _directory.NodeId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} started holding {Held} of {Total} partitions")]
    private static partial void LogStarted(ILogger logger, string node, int held, int total);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Node {Node} acquired partition {Partition} at epoch {Epoch}")]
    private static partial void LogAcquired(ILogger logger, string node, int partition, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} lost {Count} partition leases: {Why}")]
    private static partial void LogLost(ILogger logger, string node, int count, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} could not renew its leases")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} could not release its leases on stop")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} handed {Count} partitions over to balance the cluster")]
    private static partial void LogHandedOver(ILogger logger, string node, int count);
}
