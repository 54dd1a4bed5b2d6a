using System.Threading.Channels;

namespace Actors.Runtime.Execution;

/// <summary>
/// Gathers concurrent store requests into batches: each of a fixed number of loops takes whatever has queued (up to a
/// maximum) while the previous batch was in flight and hands it to the store in one round trip, so the busier the node,
/// the larger the batches and the fewer the store transactions per request. A failed batch fails each of its requests.
/// </summary>
internal sealed class StoreBatcher<TRequest, TResult>
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> _run;
    private readonly int _maxBatch;
    private readonly string _closedMessage;

    /// <param name="run">Runs one batch; answers one result per request, in order.</param>
    /// <param name="maxBatch">The most requests in one batch.</param>
    /// <param name="concurrency">Batches in flight at once.</param>
    /// <param name="closedMessage">Why a request after <see cref="Complete"/> is refused.</param>
    public StoreBatcher(Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> run, int maxBatch, int concurrency, string closedMessage)
    {
        _run = run;
        _maxBatch = maxBatch;
        _closedMessage = closedMessage;
        for (var i = 0; i < concurrency; i++)
        {
            _ = Task.Run(LoopAsync);
        }
    }

    public Task<TResult> EnqueueAsync(TRequest request)
    {
        var pending = new Pending(request);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new GrainUnavailableException(_closedMessage);
        }

        return pending.Completion.Task;
    }

    /// <summary>Refuses new requests; queued ones still run.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task LoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var requests = new List<TRequest>(_maxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            requests.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var next))
            {
                batch.Add(next);
                requests.Add(next.Request);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var results = await _run(requests);
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

    private sealed class Pending(TRequest request)
    {
        public TRequest Request { get; } = request;

        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
