using System.Threading.Channels;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;

namespace Actors.Runtime.Execution;

/// <summary>
/// Group commit: concurrent grain commits are gathered into one store transaction per batch (each still
/// all-or-nothing on its own), so many writers share one fsync while every acknowledged write stays durable.
/// </summary>
internal sealed class Committer
{
    private readonly Channel<PendingCommit> _queue = Channel.CreateUnbounded<PendingCommit>(new UnboundedChannelOptions { SingleReader = false });
    private readonly IStorageProvider _storage;
    private readonly RuntimeMetrics _metrics;
    private readonly int _maxBatch;

    public Committer(IStorageProvider storage, RuntimeMetrics metrics, ActorRuntimeOptions options)
    {
        _storage = storage;
        _metrics = metrics;
        _maxBatch = options.MaxCommitBatch;
        for (var i = 0; i < options.CommitConcurrency; i++)
        {
            _ = Task.Run(WriteLoopAsync);
        }
    }

    public Task<CommitResult> CommitAsync(GrainCommit commit)
    {
        var pending = new PendingCommit(commit);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new GrainUnavailableException("The node is shutting down; the write was not attempted.");
        }

        return pending.Completion.Task;
    }

    public void Complete() => _queue.Writer.TryComplete();

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingCommit>(_maxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var commits = batch.ConvertAll(p => p.Commit);
                var results = await _metrics.TimeStorage("commit", () => _storage.CommitAsync(commits, CancellationToken.None));
                _metrics.CommitBatch(batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(ex);
                }
            }
        }
    }

    private sealed class PendingCommit(GrainCommit commit)
    {
        public GrainCommit Commit { get; } = commit;

        public TaskCompletionSource<CommitResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
