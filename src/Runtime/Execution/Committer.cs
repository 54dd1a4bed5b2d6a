using Actors.Runtime.Diagnostics;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;

namespace Actors.Runtime.Execution;

/// <summary>
/// Group commit: concurrent grain commits are gathered into one store transaction per batch (each still
/// all-or-nothing on its own), so many writers share one fsync while every acknowledged write stays durable.
/// </summary>
internal sealed class Committer(IStorageProvider storage, RuntimeMetrics metrics, ActorRuntimeOptions options)
{
    private readonly StoreBatcher<GrainCommit, CommitResult> _batcher = new(
        async commits =>
        {
            var results = await metrics.TimeStorage("commit", () => storage.CommitAsync(commits, CancellationToken.None));
            metrics.CommitBatch(commits.Count);
            return results;
        },
        options.MaxCommitBatch,
        options.CommitConcurrency,
        "The node is shutting down; the write was not attempted.",
        busyQueue: Math.Max(1, options.MaxCommitBatch / 4));

    public Task<CommitResult> CommitAsync(GrainCommit commit) => _batcher.EnqueueAsync(commit);

    public void Complete() => _batcher.Complete();
}

/// <summary>
/// Grain state reads when grains activate, gathered like commits: the reads that queue while a read is in flight go to
/// the store together in one statement (one round trip, one read transaction), so a burst of activations (a request
/// that touches several new grains, a reminder batch) costs a few store transactions instead of one each.
/// </summary>
internal sealed class StateReader(IStorageProvider storage, RuntimeMetrics metrics, ActorRuntimeOptions options)
{
    private readonly StoreBatcher<StateKey, StoredState?> _batcher = new(
        keys => metrics.TimeStorage("read", async () => keys.Count == 1
            ? [await storage.ReadStateAsync(keys[0].Grain, keys[0].StateName, CancellationToken.None)]
            : await storage.ReadStatesAsync(keys, CancellationToken.None)),
        options.MaxCommitBatch,
        options.StateReadConcurrency,
        "The node is shutting down; the grain state was not read.");

    /// <summary>Reads one state; <paramref name="cancellationToken"/> stops the wait, not the batch it joined.</summary>
    public Task<StoredState?> ReadAsync(GrainId grain, string stateName, CancellationToken cancellationToken) =>
        _batcher.EnqueueAsync(new StateKey(grain, stateName)).WaitAsync(cancellationToken);

    public void Complete() => _batcher.Complete();
}
