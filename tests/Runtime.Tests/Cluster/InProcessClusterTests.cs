using Actors.Runtime.Cluster;
using Actors.Runtime.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Actors.Runtime.Tests.Cluster;

/// <summary>Several nodes in one process on one PostgreSQL: placement, forwarding, errors across nodes, hand-over.</summary>
[Collection(PostgresCollection.Name)]
public sealed class InProcessClusterTests() : NodeTestBase(StoreKind.Postgres)
{
    private readonly InProcessNetwork _network = new();

    [Fact]
    public async Task ACallForAPartitionHeldElsewhere_RunsOnTheOwner_AndItsErrorKeepsTypeAndCode()
    {
        var a = await StartClusterNodeAsync("node-a");
        var b = await StartClusterNodeAsync("node-b");
        await WaitUntilSplitAsync(a, b);

        var onB = GrainOn(b, "on-b");
        var grain = a.Grains.GetGrain<IWhereGrain>(onB);
        Assert.Equal("node-b", await grain.WhereAsync());
        Assert.Equal(5, await grain.AddAsync(5));
        Assert.Equal(7, await b.Grains.GetGrain<IWhereGrain>(onB).AddAsync(2));

        var error = await Assert.ThrowsAsync<CodedException>(() => grain.FailAsync("E42"));
        Assert.Equal(("E42", "refused with E42"), (error.Code, error.Message));
    }

    [Fact]
    public async Task WhenTheOwnerStops_ItsPartitionsMove_AndCallsFollowThem()
    {
        var a = await StartClusterNodeAsync("node-a");
        var b = await StartClusterNodeAsync("node-b");
        await WaitUntilSplitAsync(a, b);
        var key = GrainOn(b, "moving");
        Assert.Equal(3, await a.Grains.GetGrain<IWhereGrain>(key).AddAsync(3));

        await b.StopAsync();
        _network.Disconnect("node-b");
        var grain = a.Grains.GetGrain<IWhereGrain>(key);
        Assert.Equal("node-a", await grain.WhereAsync());
        Assert.Equal(4, await grain.AddAsync(1));
    }

    private async Task<TestNode> StartClusterNodeAsync(string name)
    {
        var node = await StartNodeAsync(
            o =>
            {
                o.NodeAddress = InProcessNetwork.AddressOf(name);
                o.LeaseDuration = TimeSpan.FromSeconds(3);
            },
            name,
            services: s => s.Replace(ServiceDescriptor.Singleton(_network.Transport())));
        _network.Connect(name, node.Get<RemoteCallDispatcher>());
        return node;
    }

    private static async Task WaitUntilSplitAsync(TestNode a, TestNode b)
    {
        var da = a.Get<PartitionDirectory>();
        var db = b.Get<PartitionDirectory>();
        await Polling.UntilAsync(
            () => da.LocalPartitions.Count == da.PartitionCount / 2 && db.LocalPartitions.Count == db.PartitionCount / 2,
            "the partitions to be split between the two nodes");
    }

    /// <summary>A key of a WhereGrain whose partition <paramref name="node"/> holds.</summary>
    private static string GrainOn(TestNode node, string prefix)
    {
        var directory = node.Get<PartitionDirectory>();
        return Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}")
            .First(key => directory.IsLocal(Partitioner.GetPartition(new GrainId("where", key), directory.PartitionCount)));
    }
}
