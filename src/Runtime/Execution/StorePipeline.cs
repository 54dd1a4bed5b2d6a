using Actors.Runtime.Diagnostics;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;

namespace Actors.Runtime.Execution;

/// <summary>
/// The grains' one way to the store, gathered into batches. Group commit: concurrent grain commits go to the store in one
/// transaction per batch (each still all-or-nothing on its own), so many writers share one fsync while every
/// acknowledged write stays durable. The state reads of activating grains ride in the same batches: a read runs first in
/// the batch it meets and sees what was committed before it, so an activation costs no store transaction of its own. A
/// batch of reads alone is one read.
/// </summary>
internal sealed class StorePipeline
{
    private readonly IStorageProvider _storage;
    private readonly RuntimeMetrics _metrics;
    private readonly StoreBatcher<Request, Answer> _batcher;

    public StorePipeline(IStorageProvider storage, RuntimeMetrics metrics, ActorRuntimeOptions options)
    {
        _storage = storage;
        _metrics = metrics;
        _batcher = new StoreBatcher<Request, Answer>(
            RunAsync,
            options.MaxCommitBatch,
            options.CommitConcurrency,
            "The node is shutting down; the store was not asked.",
            busyQueue: Math.Max(1, options.MaxCommitBatch / 4));
    }

    public async Task<CommitResult> CommitAsync(GrainCommit commit) =>
        (await _batcher.EnqueueAsync(new Request(commit, default))).Commit!;

    /// <summary>Reads one state; <paramref name="cancellationToken"/> stops the wait, not the batch it joined.</summary>
    public async Task<StoredState?> ReadAsync(GrainId grain, string stateName, CancellationToken cancellationToken) =>
        (await _batcher.EnqueueAsync(new Request(null, new StateKey(grain, stateName))).WaitAsync(cancellationToken)).State;

    /// <summary>Refuses new requests; queued ones still run.</summary>
    public void Complete() => _batcher.Complete();

    private async Task<IReadOnlyList<Answer>> RunAsync(IReadOnlyList<Request> requests)
    {
        var commits = new List<GrainCommit>(requests.Count);
        var reads = new List<StateKey>();
        foreach (var request in requests)
        {
            if (request.Commit is { } commit)
            {
                commits.Add(commit);
            }
            else
            {
                reads.Add(request.Read);
            }
        }

        var group = commits.Count == 0
            ? new GroupCommitResult([], await _metrics.TimeStorage("read", async () => reads.Count == 1
                ? [await _storage.ReadStateAsync(reads[0].Grain, reads[0].StateName, CancellationToken.None)]
                : await _storage.ReadStatesAsync(reads, CancellationToken.None)))
            : await _metrics.TimeStorage("commit", () => _storage.CommitAsync(commits, reads, CancellationToken.None));
        if (commits.Count > 0)
        {
            _metrics.CommitBatch(commits.Count);
        }

        var answers = new Answer[requests.Count];
        for (int i = 0, c = 0, r = 0; i < requests.Count; i++)
        {
            answers[i] = requests[i].Commit is null ? new Answer(null, group.States[r++]) : new Answer(group.Commits[c++], null);
        }

        return answers;
    }

    /// <summary>A commit, or (with no commit) a state read.</summary>
    private readonly record struct Request(GrainCommit? Commit, StateKey Read);

    private readonly record struct Answer(CommitResult? Commit, StoredState? State);
}
