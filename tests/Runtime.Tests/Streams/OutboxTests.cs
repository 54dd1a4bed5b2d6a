using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Tests.Streams;

public abstract class OutboxTests(StoreKind kind) : NodeTestBase(kind)
{
    [Fact]
    public async Task EventsOfAFailedTurn_AreNotPublished_EventsCommittedWithState_Are()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<ICounterGrain>("tx");
        var storage = node.Get<IStorageProvider>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.IncrementAndRaiseAsync(failAfterWrite: false, failBeforeWrite: true));
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.IncrementAndRaiseAsync(failAfterWrite: true, failBeforeWrite: false));
        await grain.IncrementAndRaiseAsync(failAfterWrite: false, failBeforeWrite: false);

        // The in-memory counter kept the failed turn's increment (grain code mutates after its checks), but
        // the event of the turn that never wrote, and the one raised after the last write, are gone.
        var events = await ReadAllAsync(storage, "counter/tx");
        Assert.Equal([2, 3], events.Select(ValueOf));
        Assert.Equal(3, await grain.GetAsync());
    }

    [Fact]
    public async Task EventsRaisedAroundCommitsInFlight_AreEachPublishedOnce_InOrder()
    {
        var node = await StartNodeAsync();

        await node.Grains.GetGrain<ITwoStateGrain>("around").RaiseAroundTwoWritesAsync();

        // 1 goes with the first write, 2 with the second, 3 with the end of the turn: none is carried twice, and none
        // raised while a commit is in flight is dropped when that commit ends.
        var events = await ReadAllAsync(node.Get<IStorageProvider>(), "two/around");
        Assert.Equal([1, 2, 3], events.Select(ValueOf));
    }

    [Fact]
    public async Task Events_KeepPerStreamOrder_AndAGlobalSequence()
    {
        var node = await StartNodeAsync();
        var grains = Enumerable.Range(0, 4).Select(i => node.Grains.GetGrain<ICounterGrain>($"order-{i}")).ToArray();

        await Task.WhenAll(grains.Select(async g =>
        {
            for (var i = 0; i < 25; i++)
            {
                await g.IncrementAndRaiseAsync(false, false);
            }
        }));

        var storage = node.Get<IStorageProvider>();
        var all = await ReadAllAsync(storage, null);
        Assert.Equal(100, all.Count);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), all.Select(e => e.Seq - all[0].Seq + 1));
        foreach (var stream in all.GroupBy(e => e.Stream))
        {
            Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), stream.Select(e => e.StreamSeq));
            Assert.Equal(Enumerable.Range(1, 25), stream.Select(ValueOf));
        }
    }

    [Fact]
    public async Task ImplicitSubscription_DeliversAStreamsEventsToTheGrainOfTheSameKey_InOrder()
    {
        var node = await StartNodeAsync(o => o.OutboxPollInterval = TimeSpan.FromMilliseconds(100));
        var producer = node.Grains.GetGrain<IOrderProducerGrain>("shop");

        await producer.PlaceAsync("alice", "o-1", 2);
        await producer.PlaceAsync("bob", "o-2", 1);
        await producer.PlaceAsync("alice", "o-3", 5);

        await Probe.WaitUntilAsync(() => Probe.Entries("orders:alice").Count == 2 && Probe.Entries("orders:bob").Count == 1, "the order events to reach their history grains");
        Assert.Equal(["o-1@1", "o-3@2"], Probe.Entries("orders:alice"));
        Assert.Equal(["o-2@1"], Probe.Entries("orders:bob"));
        Assert.Equal(["o-1", "o-3"], await node.Grains.GetGrain<IOrderHistoryGrain>("alice").OrdersAsync());
    }

    [Fact]
    public async Task ImplicitSubscription_ServesOtherGrainsWhileOneGrainsEventWaits_AndKeepsEachStreamInOrder()
    {
        var node = await StartNodeAsync(o => o.OutboxPollInterval = TimeSpan.FromMilliseconds(100));

        await node.Grains.GetGrain<IOrderProducerGrain>("shop").PlaceTogetherAsync(["alice:held-1", "bob:o-2", "alice:o-3"]);

        await Probe.WaitUntilAsync(() => Probe.Entries("orders:bob").Count == 1, "bob's order to arrive while alice's first order waits");
        Assert.Empty(Probe.Entries("orders:alice"));
        Probe.Open("held-1");
        await Probe.WaitUntilAsync(() => Probe.Entries("orders:alice").Count == 2, "alice's orders once the first is let through");
        Assert.Equal(["held-1@1", "o-3@2"], Probe.Entries("orders:alice"));
        Assert.Equal(["o-2@1"], Probe.Entries("orders:bob"));
    }

    [Fact]
    public async Task NodeReplayConsumer_GetsTheWholeLogInSeqOrder_OncePerNodeRun()
    {
        var before = await StartNodeAsync();
        for (var i = 0; i < 3; i++)
        {
            await before.Grains.GetGrain<ICounterGrain>("replayed").IncrementAndRaiseAsync(false, false);
        }

        await before.StopAsync();

        var first = await StartReplayNodeAsync();
        var firstLog = ReplayConsumer.LogKey(first.Get<INodeStatus>().NodeId);
        await Probe.WaitUntilAsync(() => Probe.Entries(firstLog).Count >= 3, "the events committed before the node started to be replayed");
        for (var i = 0; i < 2; i++)
        {
            await first.Grains.GetGrain<ICounterGrain>("replayed").IncrementAndRaiseAsync(false, false);
        }

        await Probe.WaitUntilAsync(() => Probe.Entries(firstLog).Count >= 5, "the events committed after the node started");
        Assert.Equal(["1", "2", "3", "4", "5"], Probe.Entries(firstLog));
        await first.StopAsync();

        // The position lives in memory only: the next run of a node reads the whole log again.
        var second = await StartReplayNodeAsync();
        var secondLog = ReplayConsumer.LogKey(second.Get<INodeStatus>().NodeId);
        await Probe.WaitUntilAsync(() => Probe.Entries(secondLog).Count >= 5, "the next node run to replay the whole log");
        Assert.Equal(["1", "2", "3", "4", "5"], Probe.Entries(secondLog));
        Assert.Equal(0, await second.Get<IStorageProvider>().ReadCheckpointAsync("replay", CancellationToken.None));
    }

    [Fact]
    public async Task NodeReplayConsumer_AfterAHandlerFailure_RetriesFromItsInMemoryPosition()
    {
        var node = await StartReplayNodeAsync();
        var log = ReplayConsumer.LogKey(node.Get<INodeStatus>().NodeId);
        var grain = node.Grains.GetGrain<ICounterGrain>("replay-failure");
        for (var i = 0; i < 3; i++)
        {
            await grain.IncrementAndRaiseAsync(false, false);
        }

        await Probe.WaitUntilAsync(() => Probe.Entries(log).Count >= 3, "the first three events to be handled");
        node.Get<ReplayConsumer>().FailOnceAfter(3);

        await grain.IncrementAndRaiseAsync(false, false);
        await grain.IncrementAndRaiseAsync(false, false);

        await Probe.WaitUntilAsync(() => Probe.Entries(log).Count >= 5, "the failed batch to be retried");
        Assert.Equal(1, Probe.Get("replay-failures"));
        Assert.Equal(["1", "2", "3", "4", "5"], Probe.Entries(log));
    }

    [Fact]
    public async Task ClusterConsumer_StoppedWhileBusy_WritesThePositionItHandled_SoTheNextNodeDoesNotDeliverItAgain()
    {
        // A minute (the longest allowed) between checkpoint writes while events keep coming: only the first batch is written on the way.
        var node = await StartNodeAsync(
            o => (o.OutboxPollInterval, o.OutboxCheckpointInterval) = (TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1)),
            services: s => s.AddOutboxConsumer<SteppedConsumer>());
        var storage = node.Get<IStorageProvider>();
        var grain = node.Grains.GetGrain<ICounterGrain>("stepped");
        await grain.IncrementAndRaiseAsync(false, false);
        var first = await storage.GetLastSequenceAsync(CancellationToken.None);
        await Polling.UntilAsync(async () => await storage.ReadCheckpointAsync("stepped", CancellationToken.None) == first, "the first batch's position to be written");

        // The second batch finishes while a third event is already committed, so the log never looks quiet.
        Probe.Increment("hold:stepped");
        await grain.IncrementAndRaiseAsync(false, false);
        var second = await storage.GetLastSequenceAsync(CancellationToken.None);
        await Probe.WaitUntilAsync(() => Probe.Get("stepped-waiting") == 1, "the second batch to be in the handler");
        await grain.IncrementAndRaiseAsync(false, false);
        Probe.Decrement("hold:stepped");
        Probe.Increment("block:stepped");
        Probe.Open("release:stepped");
        await Probe.WaitUntilAsync(() => Probe.Get("stepped-blocked") == 1, "the third batch to be in the handler");
        Assert.Equal(second.ToString(System.Globalization.CultureInfo.InvariantCulture), Probe.Entries("stepped")[^1]);
        Assert.Equal(first, await storage.ReadCheckpointAsync("stepped", CancellationToken.None));

        await node.StopAsync();

        await using var reopened = Store.Open();
        await reopened.InitializeAsync(CancellationToken.None);
        Assert.Equal(second, await reopened.ReadCheckpointAsync("stepped", CancellationToken.None));
    }

    private Task<TestNode> StartReplayNodeAsync() =>
        StartNodeAsync(o => o.OutboxPollInterval = TimeSpan.FromMilliseconds(100), services: s => s.AddOutboxConsumer<ReplayConsumer>());

    private static int ValueOf(StoredEvent stored) => System.Text.Json.JsonDocument.Parse(stored.Payload).RootElement.GetProperty("value").GetInt32();

    protected static async Task<List<StoredEvent>> ReadAllAsync(IStorageProvider storage, string? stream)
    {
        return [.. await storage.ReadEventsAsync(0, 10_000, stream, CancellationToken.None)];
    }
}

public sealed class SqliteOutboxTests() : OutboxTests(StoreKind.Sqlite);

[Collection(PostgresCollection.Name)]
public sealed class PostgresOutboxTests() : OutboxTests(StoreKind.Postgres);
