using Actors.Runtime.Tests.Infrastructure;

namespace Actors.Runtime.Tests.Execution;

public sealed class ExecutionTests() : NodeTestBase(StoreKind.Sqlite)
{
    [Fact]
    public async Task Turns_OfANonReentrantGrain_NeverOverlap()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IOverlapGrain>("serial");

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => grain.WorkAsync()));

        Assert.Equal(1, Probe.Get("max-inside:serial"));
    }

    [Fact]
    public async Task Turns_OfAReentrantGrain_Interleave()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IReentrantOverlapGrain>("interleaving");

        var first = grain.WaitAsync("first");
        var second = grain.WaitAsync("second");
        await Probe.WaitUntilAsync(() => Probe.Get("inside:interleaving") == 2, "both requests to be inside the reentrant grain at once");
        Probe.Open("second");
        Probe.Open("first");

        var results = await Task.WhenAll(first, second);
        Assert.Equal(new[] { 2, 2 }, results);
    }

    [Fact]
    public async Task Requests_OfANonReentrantGrain_WaitForTheRunningOne()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IOverlapGrain>("queued");

        var first = grain.WaitAsync("first");
        await Probe.WaitUntilAsync(() => Probe.Get("inside:queued") == 1, "the first request to be inside");
        var second = grain.WaitAsync("second");
        await Polling.UntilAsync(() => WaitingCount(node, "overlap", "queued") == 1, "the second request to queue");
        Assert.Equal(1, Probe.Get("inside:queued"));

        Probe.Open("first");
        Probe.Open("second");
        await Task.WhenAll(first, second);
        Assert.Equal(2, Probe.Get("inside:queued"));
    }

    [Fact]
    public async Task ReadOnlyRequests_RunBesideEachOther()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IOverlapGrain>("readers");

        var first = grain.ReadAsync("r1");
        var second = grain.ReadAsync("r2");
        await Probe.WaitUntilAsync(() => Probe.Get("inside:readers") == 2, "both read-only requests to be inside the grain at once");
        Probe.Open("r2");
        Probe.Open("r1");

        var results = await Task.WhenAll(first, second);
        Assert.Equal(new[] { 1, 1 }, results);
    }

    [Fact]
    public async Task WriteRequest_WaitsForRunningReadOnlyRequests()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IOverlapGrain>("reader-writer");

        var reading = grain.ReadAsync("hold");
        await Probe.WaitUntilAsync(() => Probe.Get("inside:reader-writer") == 1, "the read-only request to hold the grain");
        var writing = grain.WorkAsync();
        await Polling.UntilAsync(() => WaitingCount(node, "overlap", "reader-writer") == 1, "the write to queue behind the read");
        Assert.Equal(0, Probe.Get("worked:reader-writer"));

        Probe.Open("hold");
        await Task.WhenAll(reading, writing);
        Assert.Equal(0, Probe.Get("write-beside-read:reader-writer"));
        Assert.Equal(1, Probe.Get("worked:reader-writer"));
    }

    private static int WaitingCount(TestNode node, string grainType, string key) =>
        node.Get<Actors.Runtime.Execution.ActorRuntime>().Catalog.Activations.Single(a => a.Id == new GrainId(grainType, key)).WaitingCount;

    [Fact]
    public async Task CallCycle_BetweenNonReentrantGrains_FailsWithTimeoutNamingGrainAndMethod()
    {
        var node = await StartNodeAsync(o => o.CallTimeout = TimeSpan.FromSeconds(1));
        var a = node.Grains.GetGrain<ICycleGrain>("A");

        var error = await Assert.ThrowsAsync<TimeoutException>(() => a.PingAsync("B", "A"));

        Assert.Contains("ICycleGrain.PingAsync", error.Message, StringComparison.Ordinal);
        Assert.Contains("cycle/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueuedRequest_PastItsDeadline_FailsWithTimeout_AndNeverRuns()
    {
        var node = await StartNodeAsync(o => o.CallTimeout = TimeSpan.FromSeconds(1));
        var grain = node.Grains.GetGrain<IOverlapGrain>("stuck");
        var holding = grain.WaitAsync("stuck-gate");
        await Probe.WaitUntilAsync(() => Probe.Get("inside:stuck") == 1, "the grain to be held");

        // Nothing pumps the mailbox while the grain is held: only the deadline sweep can answer the queued call.
        var queued = grain.WorkAsync();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => queued.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("IOverlapGrain.WorkAsync", error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<TimeoutException>(() => holding.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("IOverlapGrain.WaitAsync", error.Message, StringComparison.Ordinal);

        // A request made after the gate opens queues behind anything left in the mailbox: once it is answered, the
        // timed-out request would have run too, had it been left to run.
        Probe.Open("stuck-gate");
        await grain.WorkAsync();
        Assert.Equal(1, Probe.Get("worked:stuck"));
    }

    [Fact]
    public async Task CallsInFlight_AreCountedUntilAnswered_AndAnsweredCallsLeaveNoDeadlineBehind()
    {
        // A timeout far beyond the test: only answering a call may take it off the deadline lists, not the sweep.
        var node = await StartNodeAsync(o => o.CallTimeout = TimeSpan.FromMinutes(10));
        var grain = node.Grains.GetGrain<IOverlapGrain>("counted");
        var holding = grain.WaitAsync("counted-gate");
        await Probe.WaitUntilAsync(() => Probe.Get("inside:counted") == 1, "the grain to be held");

        Assert.Equal(1, InFlight(node));

        Probe.Open("counted-gate");
        await holding;
        await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(() => node.Grains.GetGrain<ICounterGrain>("many-" + (i % 50)).GetAsync())));
        await Polling.UntilAsync(() => Task.FromResult(InFlight(node)), count => count == 0, "every answered call to leave the deadline lists");
    }

    private static int InFlight(TestNode node) => node.Get<Actors.Runtime.Execution.ActorRuntime>().Deadlines.Count;

    [Fact]
    public async Task CallChain_WithoutCycle_Completes()
    {
        var node = await StartNodeAsync();

        Assert.Equal("C", await node.Grains.GetGrain<ICycleGrain>("A").PingAsync("B", "C"));
    }

    [Fact]
    public async Task GrainException_ReachesCallerWithTypeAndMessage()
    {
        var node = await StartNodeAsync();

        var error = await Assert.ThrowsAsync<CustomerFacingException>(() => node.Grains.GetGrain<IThrowingGrain>("t").ThrowAsync("account is closed"));

        Assert.Equal("account is closed", error.Message);
    }

    [Fact]
    public async Task ValueTaskMethods_ReturnTheirResult()
    {
        var node = await StartNodeAsync();

        Assert.Equal(42, await node.Grains.GetGrain<IThrowingGrain>("v").ValueAsync(21));
    }

    [Fact]
    public async Task CancellationToken_FlowsIntoTheGrainMethod()
    {
        var node = await StartNodeAsync();
        using var cts = new CancellationTokenSource();

        var call = node.Grains.GetGrain<IThrowingGrain>("c").WaitForCancellationAsync(cts.Token);
        await Probe.WaitUntilAsync(() => Probe.Get("awaiting-cancel:c") == 1, "the grain method to be waiting on its token");
        await cts.CancelAsync();

        Assert.Equal("canceled", await call);
    }

    [Fact]
    public async Task CanceledToken_WithdrawsAQueuedRequest()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IOverlapGrain>("withdrawn");
        var busy = grain.WaitAsync("busy");
        await Probe.WaitUntilAsync(() => Probe.Get("inside:withdrawn") == 1, "the grain to be busy");
        using var cts = new CancellationTokenSource();

        var queued = grain.QueuedAsync(cts.Token);
        await Polling.UntilAsync(() => WaitingCount(node, "overlap", "withdrawn") == 1, "the second request to queue");
        await cts.CancelAsync();
        Probe.Open("busy");

        await Assert.ThrowsAsync<OperationCanceledException>(() => queued);
        Assert.Equal(2, await busy);
        Assert.Equal(1, Probe.Get("inside:withdrawn"));
    }

    [Fact]
    public async Task IdleActivation_IsCollectedAfterCollectionAge_OnTheClock()
    {
        var (_, grain) = await StartCollectingNodeWithQuietCounterAsync("idle");

        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(Probe.Entries("deactivate:idle"));

        Clock.Advance(TimeSpan.FromMinutes(7));
        await Probe.WaitUntilAsync(() => Probe.Entries("deactivate:idle").Count == 1, "the idle activation to be collected");

        Assert.Equal("ActivationIdle", Probe.Entries("deactivate:idle")[0]);
        Assert.Equal(1, await grain.GetAsync());
        Assert.Equal(2, Probe.Get("activate:idle"));
    }

    [Fact]
    public async Task ClockMovedADayAhead_CollectsTheIdleActivation_WalkingTheActivationsAboutOncePerCollectionAge()
    {
        var (node, grain) = await StartCollectingNodeWithQuietCounterAsync("day");
        var catalog = node.Get<Actors.Runtime.Execution.ActorRuntime>().Catalog;
        var walksBefore = catalog.CollectionWalks;

        Clock.Advance(TimeSpan.FromDays(1));
        await Probe.WaitUntilAsync(() => Probe.Entries("deactivate:day").Count == 1, "the idle activation to be collected");

        // The day has 1,440 quanta, so the collector fired 1,440 times; a walk can find something only once the oldest
        // activity the last walk left (or that walk's instant) is 15 minutes old.
        Assert.InRange(catalog.CollectionWalks - walksBefore, 1, (1440 / 15) + 1);
        Assert.Equal(1, await grain.GetAsync());
    }

    /// <summary>
    /// A node collecting after 15 minutes, looking every minute, with counter <paramref name="key"/> incremented once and
    /// its turn over: the caller resumes once the result is set, possibly before the turn has left the activation, and
    /// only idle activations are collected, so the clock may only move on once the turn is over.
    /// </summary>
    private async Task<(TestNode Node, ICounterGrain Grain)> StartCollectingNodeWithQuietCounterAsync(string key)
    {
        var node = await StartNodeAsync(o =>
        {
            o.CollectionAge = TimeSpan.FromMinutes(15);
            o.CollectionQuantum = TimeSpan.FromMinutes(1);
        });
        var grain = node.Grains.GetGrain<ICounterGrain>(key);
        await grain.IncrementAsync();
        var activation = node.Get<Actors.Runtime.Execution.ActorRuntime>().Catalog.Activations.Single(a => a.Id == new GrainId("counter", key));
        await Polling.UntilAsync(() => Task.FromResult(activation.IsQuiet), quiet => quiet, "the turn to leave the activation");
        return (node, grain);
    }

    [Fact]
    public async Task BusyActivation_IsNotCollected()
    {
        var node = await StartNodeAsync(o => o.CollectionAge = TimeSpan.FromMinutes(15));
        var grain = node.Grains.GetGrain<ICounterGrain>("busy");
        for (var minute = 0; minute < 30; minute += 5)
        {
            await grain.IncrementAsync();
            Clock.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(1, Probe.Get("activate:busy"));
    }

    [Fact]
    public async Task DeactivateOnIdle_NextCallGetsANewActivationWithTheStoredState()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<ICounterGrain>("deactivated");
        await grain.IncrementAsync();
        var first = await grain.GetActivationIdAsync();

        await grain.DeactivateAsync();
        var second = await grain.GetActivationIdAsync();

        Assert.NotEqual(first, second);
        Assert.Equal(1, await grain.GetAsync());
        Assert.Equal(["ApplicationRequested"], Probe.Entries("deactivate:deactivated"));
    }

    [Fact]
    public async Task Shutdown_DeactivatesGrainsActivatedWhileItDeactivatesTheOthers()
    {
        var node = await StartNodeAsync();
        await node.Grains.GetGrain<ILingeringGrain>("slow").TouchAsync();
        var stopping = node.StopAsync();
        await Probe.WaitUntilAsync(() => Probe.Entries("lingering:slow").Count == 1, "the shutdown to start deactivating");

        // The node still takes calls (as its outbox consumers still deliver to grains) until every grain is gone.
        await node.Grains.GetGrain<ICounterGrain>("late").IncrementAsync();
        Probe.Open("linger:slow");

        await Polling.CompletesAsync(stopping, "the node to stop");

        // Every activation of it was deactivated (the call may have met one that was already going, and made another).
        Assert.All(Probe.Entries("deactivate:late"), reason => Assert.Equal("ShuttingDown", reason));
        Assert.Equal(Probe.Get("activate:late"), Probe.Entries("deactivate:late").Count);
    }

    [Fact]
    public async Task ConcurrentCallers_SeeOneActivation()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<ICounterGrain>("single");

        var ids = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => grain.GetActivationIdAsync())));

        Assert.Single(ids.Distinct());
        Assert.Equal(1, Probe.Get("activate:single"));
    }

    [Fact]
    public async Task GrainTimer_TicksAsTurnsOnTheClock_AndStopsWhenDisposed()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<ITimerGrain>("ticker");
        await grain.StartAsync(TimeSpan.FromMinutes(1));

        Clock.Advance(TimeSpan.FromMinutes(1));
        await Probe.WaitUntilAsync(() => Probe.Get("timer:ticker") == 1, "the first timer tick");
        // The tick's turn re-arms the timer as it ends; a clock moved before that would arm it a minute after the move.
        await grain.PingAsync();
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Probe.WaitUntilAsync(() => Probe.Get("timer:ticker") == 2, "the second timer tick");
        await grain.StopAsync();
        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(2, Probe.Get("timer:ticker"));
    }
}
