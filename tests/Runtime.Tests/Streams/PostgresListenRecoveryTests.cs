using Actors.Runtime.Storage;
using Actors.Runtime.Tests.Infrastructure;
using Npgsql;

namespace Actors.Runtime.Tests.Streams;

[Collection(PostgresCollection.Name)]
public sealed class PostgresListenRecoveryTests() : NodeTestBase(StoreKind.Postgres)
{
    [Fact]
    public async Task Consumers_KeepReceivingEvents_AfterTheListenConnectionIsKilled()
    {
        // A poll interval longer than the bounded wait below: only LISTEN/NOTIFY can deliver in time.
        var node = await StartNodeAsync(o => o.OutboxPollInterval = TimeSpan.FromMinutes(1));
        var producer = node.Grains.GetGrain<IOrderProducerGrain>("listen");
        await producer.PlaceAsync("carol", "before", 1);
        await Probe.WaitUntilAsync(() => Probe.Entries("orders:carol").Count == 1, "the first event");

        await using (var connection = new NpgsqlConnection(Store.ConnectionString))
        {
            await connection.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'actors-listen' AND datname = current_database()",
                connection);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
        }

        // Committed by another node: this node's own commits would signal its consumers without LISTEN.
        await using (var otherNode = Store.Open())
        {
            await otherNode.InitializeAsync(CancellationToken.None);
            var writer = new GrainId("other-node-writer", "w");
            var leases = await otherNode.ReadLeasesAsync(CancellationToken.None);
            var lease = leases.Single(l => l.Partition == Partitioner.GetPartition(writer, leases.Count));
            var results = await otherNode.CommitAsync(
                [new GrainCommit(writer, new LeaseToken(lease.OwnerNode!, lease.Partition, lease.Epoch), [], [new OutgoingEvent("orders/carol", nameof(OrderPlaced), """{"orderId":"after","lines":1}""")], [])],
                CancellationToken.None);
            Assert.Equal(CommitStatus.Committed, Assert.Single(results).Status);
        }

        await Probe.WaitUntilAsync(() => Probe.Entries("orders:carol").Count == 2, "the event committed after the LISTEN connection was killed");
        Assert.Equal(["before@1", "after@2"], Probe.Entries("orders:carol"));
    }
}
