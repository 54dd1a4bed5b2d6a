using Actors.Runtime.Execution;

namespace Actors.Runtime.Tests.Execution;

public sealed class StoreBatcherTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RequestsThatQueueWhileABatchIsInFlight_GoToTheStoreTogether_EachGettingItsOwnResult()
    {
        var batches = new List<int[]>();
        var firstInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new StoreBatcher<int, string>(
            async requests =>
            {
                lock (batches)
                {
                    batches.Add([.. requests]);
                }

                if (requests[0] == 0)
                {
                    firstInFlight.SetResult();
                    await releaseFirst.Task;
                }

                return [.. requests.Select(r => $"result {r}")];
            },
            maxBatch: 4,
            concurrency: 1,
            closedMessage: "closed");

        var first = batcher.EnqueueAsync(0);
        await firstInFlight.Task.WaitAsync(s_timeout);
        var queued = Enumerable.Range(1, 6).Select(batcher.EnqueueAsync).ToArray();
        releaseFirst.SetResult();
        var results = await Task.WhenAll(queued.Prepend(first)).WaitAsync(s_timeout);

        Assert.Equal(Enumerable.Range(0, 7).Select(r => $"result {r}"), results);
        Assert.Equal([[0], [1, 2, 3, 4], [5, 6]], batches);
    }

    [Fact]
    public async Task ASecondBatch_StartsWhileOneIsInFlight_OnlyOnceABusyQueueHasFormed()
    {
        var batches = new List<int[]>();
        var firstInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new StoreBatcher<int, int>(
            async requests =>
            {
                lock (batches)
                {
                    batches.Add([.. requests]);
                }

                if (requests[0] == 0)
                {
                    firstInFlight.SetResult();
                    await releaseFirst.Task;
                }
                else
                {
                    secondRan.TrySetResult();
                }

                return [.. requests];
            },
            maxBatch: 8,
            concurrency: 2,
            closedMessage: "closed",
            busyQueue: 3);

        var first = batcher.EnqueueAsync(0);
        await firstInFlight.Task.WaitAsync(s_timeout);
        var queued = Enumerable.Range(1, 3).Select(batcher.EnqueueAsync).ToArray();
        await secondRan.Task.WaitAsync(s_timeout);

        // One or two waiting went nowhere while the first batch was in flight; the third made the queue busy.
        Assert.Equal([[0], [1, 2, 3]], batches);
        var results = await Task.WhenAll(queued).WaitAsync(s_timeout);
        Assert.Equal([1, 2, 3], results);
        releaseFirst.SetResult();
        Assert.Equal(0, await first.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task RequestsBelowABusyQueue_WaitForTheBatchInFlight_AndThenGoTogether()
    {
        var started = new List<(int[] Requests, int InFlight)>();
        var inFlight = 0;
        var firstInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new StoreBatcher<int, int>(
            async requests =>
            {
                lock (started)
                {
                    started.Add(([.. requests], inFlight++));
                }

                if (requests[0] == 0)
                {
                    firstInFlight.SetResult();
                    await releaseFirst.Task;
                }

                lock (started)
                {
                    inFlight--;
                }

                return [.. requests];
            },
            maxBatch: 8,
            concurrency: 2,
            closedMessage: "closed",
            busyQueue: 3);

        var first = batcher.EnqueueAsync(0);
        await firstInFlight.Task.WaitAsync(s_timeout);
        var queued = new[] { batcher.EnqueueAsync(1), batcher.EnqueueAsync(2) };
        releaseFirst.SetResult();
        var results = await Task.WhenAll(queued.Prepend(first)).WaitAsync(s_timeout);

        Assert.Equal([0, 1, 2], results);
        Assert.Equal([([0], 0), ([1, 2], 0)], started.Select(s => (s.Requests, s.InFlight)).ToList(), new BatchComparer());
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
}
