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
}
