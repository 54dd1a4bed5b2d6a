using Actors.Runtime.Storage;
using Actors.Runtime.Tests.Infrastructure;

namespace Actors.Runtime.Tests.Persistence;

public abstract class GrainPersistenceTests(StoreKind kind) : NodeTestBase(kind)
{
    [Fact]
    public async Task State_SurvivesARestartOfTheNode()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<ICounterGrain>("durable");
        await grain.IncrementAsync();
        await grain.IncrementAsync();
        await node.StopAsync();

        var restarted = await StartNodeAsync();

        Assert.Equal(2, await restarted.Grains.GetGrain<ICounterGrain>("durable").GetAsync());
    }

    [Fact]
    public async Task GrainsActivatingAtOnce_WithTheirStateReadsBatched_EachGetsItsOwnState()
    {
        const int grains = 60;
        var node = await StartNodeAsync();
        await Task.WhenAll(Enumerable.Range(0, grains).Select(async i =>
        {
            var grain = node.Grains.GetGrain<ICounterGrain>($"many-{i}");
            for (var n = 0; n <= i % 4; n++)
            {
                await grain.IncrementAsync();
            }
        }));
        await node.StopAsync();

        // One batch in flight at a time: the activations that arrive meanwhile are read together.
        var restarted = await StartNodeAsync(o => o.CommitConcurrency = 1);
        var values = await Task.WhenAll(Enumerable.Range(0, grains).Select(i => restarted.Grains.GetGrain<ICounterGrain>($"many-{i}").GetAsync()));

        Assert.Equal(Enumerable.Range(0, grains).Select(i => (i % 4) + 1), values);
    }

    [Fact]
    public async Task Etag_ChangesOnEveryWrite()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<ICounterGrain>("etag");
        Assert.Null(await grain.GetEtagAsync());

        await grain.IncrementAsync();
        var first = await grain.GetEtagAsync();
        await grain.IncrementAsync();
        var second = await grain.GetEtagAsync();

        Assert.NotNull(first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task StaleWrite_ThrowsInconsistentState_AndTheNextCallReloads()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<ICounterGrain>("stale");
        await grain.IncrementAsync();
        var id = new GrainId("counter", "stale");

        // Another writer changes the stored state underneath the activation.
        var storage = node.Get<IStorageProvider>();
        var lease = LeaseOf(node, id);
        var stored = await storage.ReadStateAsync(id, "counter", CancellationToken.None);
        var results = await storage.CommitAsync([new GrainCommit(id, lease, [new StateOperation("counter", stored!.Version, """{"value":41,"applied":[]}""")], [], [])], CancellationToken.None);
        Assert.Equal(CommitStatus.Committed, results[0].Status);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => grain.IncrementAsync());
        Assert.Contains("counter", error.Message, StringComparison.Ordinal);

        Assert.Equal(41, await grain.GetAsync());
        Assert.Equal(42, await grain.IncrementAsync());
        Assert.Equal(2, Probe.Get("activate:stale"));
    }

    [Fact]
    public async Task WriteUnderAStaleLeaseEpoch_IsFenced_AndTheActivationDropped()
    {
        // A long lease keeps the node's own renewal out of the way while the test moves the lease.
        var node = await StartNodeAsync(o => o.LeaseDuration = TimeSpan.FromMinutes(5));
        var grain = node.Grains.GetGrain<ICounterGrain>("fenced");
        await grain.IncrementAsync();

        // The lease loop renews once right after start; landing after the takeover below, that renewal would drop
        // the activation before its own write could be fenced.
        var leaseManager = node.Get<Actors.Runtime.Cluster.LeaseManager>();
        await Polling.UntilAsync(() => Task.FromResult(leaseManager.Refreshes), refreshes => refreshes >= 2, "the node's first lease renewal after start");
        var id = new GrainId("counter", "fenced");
        var storage = node.Get<IStorageProvider>();
        var oldLease = LeaseOf(node, id);

        // A write carrying an epoch the partition has moved past is refused by the store.
        var taken = await storage.TryAcquireLeaseAsync(oldLease.Partition, "intruder", TimeSpan.FromSeconds(30), force: true, CancellationToken.None);
        Assert.NotNull(taken);
        Assert.True(taken.Epoch > oldLease.Epoch);
        var stale = await storage.CommitAsync([new GrainCommit(id, oldLease, [new StateOperation("counter", 1, """{"value":99}""")], [], [])], CancellationToken.None);
        Assert.Equal(CommitStatus.Fenced, stale[0].Status);

        // The activation still believes it owns the partition: its write is fenced and it is dropped.
        await Assert.ThrowsAsync<LeaseLostException>(() => grain.IncrementAsync());
        Assert.Equal(1, (await storage.ReadStateAsync(id, "counter", CancellationToken.None))!.Version);
        Assert.DoesNotContain(node.Get<Actors.Runtime.Execution.ActorRuntime>().Catalog.Activations, a => a.Id == id);
    }

    private static LeaseToken LeaseOf(TestNode node, GrainId id)
    {
        var directory = node.Get<Actors.Runtime.Cluster.PartitionDirectory>();
        Assert.True(directory.TryGetLocalLease(Partitioner.GetPartition(id, directory.PartitionCount), out var lease));
        return lease;
    }
}

public sealed class SqliteGrainPersistenceTests() : GrainPersistenceTests(StoreKind.Sqlite);

[Collection(PostgresCollection.Name)]
public sealed class PostgresGrainPersistenceTests() : GrainPersistenceTests(StoreKind.Postgres);
