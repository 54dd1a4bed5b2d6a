using System.Threading.Channels;

namespace Actors.Runtime.Execution;

/// <summary>
/// Gathers concurrent store requests into batches: each of a fixed number of loops takes whatever has queued (up to a
/// maximum) while the previous batch was in flight and hands it to the store in one round trip, so the busier the node,
/// the larger the batches and the fewer the store transactions per request. A failed batch fails each of its requests.
/// The first loop takes whatever has queued whenever it is free; the others start a batch only once a busy queue has
/// formed, so a lightly loaded node keeps its batches large and a busy one keeps several in flight.
/// </summary>
internal sealed class StoreBatcher<TRequest, TResult>
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> _run;
    private readonly int _maxBatch;
    private readonly int _busyQueue;
    private readonly int _spareLoops;
    /// <summary>Holds at most one wake-up for the spare loops: a busy queue formed.</summary>
    private readonly Channel<bool> _busy = Channel.CreateBounded<bool>(1);
    private readonly string _closedMessage;

    /// <param name="run">Runs one batch; answers one result per request, in order.</param>
    /// <param name="maxBatch">The most requests in one batch.</param>
    /// <param name="concurrency">Batches in flight at once.</param>
    /// <param name="closedMessage">Why a request after <see cref="Complete"/> is refused.</param>
    /// <param name="busyQueue">How many requests must wait before a batch starts while another is in flight.</param>
    public StoreBatcher(Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> run, int maxBatch, int concurrency, string closedMessage, int busyQueue = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(busyQueue, 1);
        _run = run;
        _maxBatch = maxBatch;
        _busyQueue = busyQueue;
        _spareLoops = concurrency - 1;
        _closedMessage = closedMessage;
        _ = Task.Run(LoopAsync);
        for (var i = 0; i < _spareLoops; i++)
        {
            _ = Task.Run(SpareLoopAsync);
        }
    }

    public Task<TResult> EnqueueAsync(TRequest request)
    {
        var pending = new Pending(request);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new GrainUnavailableException(_closedMessage);
        }

        if (_spareLoops > 0 && _queue.Reader.Count >= _busyQueue)
        {
            _busy.Writer.TryWrite(true);
        }

        return pending.Completion.Task;
    }

    /// <summary>Refuses new requests; queued ones still run.</summary>
    public void Complete()
    {
        _queue.Writer.TryComplete();
        _busy.Writer.TryComplete();
    }

    private async Task LoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var requests = new List<TRequest>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            await RunBatchAsync(batch, requests);
        }
    }

    /// <summary>Woken when a busy queue forms; runs batches while it stays busy.</summary>
    private async Task SpareLoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var requests = new List<TRequest>(_maxBatch);
        while (await _busy.Reader.WaitToReadAsync())
        {
            // Every waiting loop wakes; the one that takes the wake-up serves the queue.
            if (!_busy.Reader.TryRead(out _))
            {
                continue;
            }

            bool busy;
            do
            {
                busy = await RunBatchAsync(batch, requests) && _queue.Reader.Count >= _busyQueue;
            }
            while (busy);
        }
    }

    /// <summary>Takes what has queued (up to the maximum) and runs it; false when nothing had.</summary>
    private async Task<bool> RunBatchAsync(List<Pending> batch, List<TRequest> requests)
    {
        batch.Clear();
        requests.Clear();
        while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
            requests.Add(next.Request);
        }

        if (batch.Count == 0)
        {
            return false;
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

        return true;
    }

    private sealed class Pending(TRequest request)
    {
        public TRequest Request { get; } = request;

        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
