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
        await Probe.WaitUntilAsync(() => Probe.Entries("orders:carol").Count == 1, "the first event over LISTEN");

        await using (var connection = new NpgsqlConnection(Store.ConnectionString))
        {
            await connection.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'actors-listen' AND datname = current_database()",
                connection);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
        }

        await producer.PlaceAsync("carol", "after", 1);

        await Probe.WaitUntilAsync(() => Probe.Entries("orders:carol").Count == 2, "the event committed after the LISTEN connection was killed");
        Assert.Equal(["before@1", "after@2"], Probe.Entries("orders:carol"));
    }
}
