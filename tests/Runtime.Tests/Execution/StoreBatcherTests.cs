using Actors.Runtime.Execution;

namespace Actors.Runtime.Tests.Execution;

public sealed class StoreBatcherTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RequestsThatQueueWhileABatchIsInFlight_GoToTheStoreTogether_EachGettingItsOwnResult()
    {
        var store = new HeldStore();
        var batcher = new StoreBatcher<int, string>(
            async requests => [.. (await store.RunAsync(requests)).Select(r => $"result {r}")],
            maxBatch: 4,
            concurrency: 1,
            closedMessage: "closed");

        var first = batcher.EnqueueAsync(0);
        await store.FirstInFlight.WaitAsync(s_timeout);
        var queued = Enumerable.Range(1, 6).Select(batcher.EnqueueAsync).ToArray();
        store.ReleaseFirst();
        var results = await Task.WhenAll(queued.Prepend(first)).WaitAsync(s_timeout);

        Assert.Equal(Enumerable.Range(0, 7).Select(r => $"result {r}"), results);
        Assert.Equal([[0], [1, 2, 3, 4], [5, 6]], store.Batches);
    }

    [Fact]
    public async Task ASecondBatch_StartsWhileOneIsInFlight_OnlyOnceABusyQueueHasFormed()
    {
        var (store, batcher, first) = await StartWithAHeldBatchAsync();
        var queued = Enumerable.Range(1, 3).Select(batcher.EnqueueAsync).ToArray();
        await store.LaterRan.WaitAsync(s_timeout);

        // One or two waiting went nowhere while the first batch was in flight; the third made the queue busy.
        Assert.Equal([[0], [1, 2, 3]], store.Batches);
        var results = await Task.WhenAll(queued).WaitAsync(s_timeout);
        Assert.Equal([1, 2, 3], results);
        store.ReleaseFirst();
        Assert.Equal(0, await first.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task RequestsBelowABusyQueue_WaitForTheBatchInFlight_AndThenGoTogether()
    {
        var (store, batcher, first) = await StartWithAHeldBatchAsync();
        var queued = new[] { batcher.EnqueueAsync(1), batcher.EnqueueAsync(2) };
        store.ReleaseFirst();
        var results = await Task.WhenAll(queued.Prepend(first)).WaitAsync(s_timeout);

        Assert.Equal([0, 1, 2], results);
        Assert.Equal([([0], 0), ([1, 2], 0)], store.Batches.Zip(store.InFlightAtStart).ToList(), new BatchComparer());
    }

    /// <summary>Two loops, a busy queue of three, and request 0 held in flight by the store.</summary>
    private static async Task<(HeldStore Store, StoreBatcher<int, int> Batcher, Task<int> First)> StartWithAHeldBatchAsync()
    {
        var store = new HeldStore();
        var batcher = new StoreBatcher<int, int>(store.RunAsync, maxBatch: 8, concurrency: 2, closedMessage: "closed", busyQueue: 3);
        var first = batcher.EnqueueAsync(0);
        await store.FirstInFlight.WaitAsync(s_timeout);
        return (store, batcher, first);
    }

    [Fact]
    public async Task AFailedBatch_FailsEachOfItsRequests_AndLaterBatchesStillRun()
    {
        var fail = true;
        var batcher = new StoreBatcher<int, int>(
            requests => fail ? throw new InvalidOperationException("store down") : Task.FromResult<IReadOnlyList<int>>([.. requests]),
            maxBatch: 8,
            concurrency: 1,
            closedMessage: "closed");

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.EnqueueAsync(1).WaitAsync(s_timeout));
        fail = false;

        Assert.Equal("store down", failed.Message);
        Assert.Equal(2, await batcher.EnqueueAsync(2).WaitAsync(s_timeout));
    }

    [Fact]
    public void AfterComplete_NewRequestsAreRefusedWithTheGivenReason()
    {
        var batcher = new StoreBatcher<int, int>(requests => Task.FromResult<IReadOnlyList<int>>([.. requests]), 8, 1, "The node is shutting down.");
        batcher.Complete();

        // Refused at once, before any task exists: the caller learns it without waiting for a store.
        var refused = Assert.Throws<GrainUnavailableException>(() => { _ = batcher.EnqueueAsync(1); });

        Assert.Equal("The node is shutting down.", refused.Message);
    }

    private sealed class BatchComparer : IEqualityComparer<(int[] Requests, int InFlight)>
    {
        public bool Equals((int[] Requests, int InFlight) x, (int[] Requests, int InFlight) y) =>
            x.Requests.SequenceEqual(y.Requests) && x.InFlight == y.InFlight;

        public int GetHashCode((int[] Requests, int InFlight) obj) => obj.InFlight;
    }

    /// <summary>
    /// A store that answers each request with itself and records every batch with how many batches were in flight when
    /// it started; the batch that begins with request 0 is held until <see cref="ReleaseFirst"/>.
    /// </summary>
    private sealed class HeldStore
    {
        private readonly TaskCompletionSource _firstInFlight = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _laterRan = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _releaseFirst = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<int[]> _batches = [];
        private readonly List<int> _inFlightAtStart = [];
        private int _inFlight;

        public Task FirstInFlight => _firstInFlight.Task;

        /// <summary>Completes when a batch other than the held one has run.</summary>
        public Task LaterRan => _laterRan.Task;

        public List<int[]> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public List<int> InFlightAtStart
        {
            get
            {
                lock (_batches)
                {
                    return [.. _inFlightAtStart];
                }
            }
        }

        public void ReleaseFirst() => _releaseFirst.SetResult();

        public async Task<IReadOnlyList<int>> RunAsync(IReadOnlyList<int> requests)
        {
            lock (_batches)
            {
                _batches.Add([.. requests]);
                _inFlightAtStart.Add(_inFlight++);
            }

            if (requests[0] == 0)
            {
                _firstInFlight.SetResult();
                await _releaseFirst.Task;
            }
            else
            {
                _laterRan.TrySetResult();
            }

            lock (_batches)
            {
                _inFlight--;
            }

            return [.. requests];
        }
    }
}
