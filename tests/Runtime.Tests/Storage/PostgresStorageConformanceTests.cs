using Actors.Runtime.Storage;
using Actors.Runtime.Storage.Postgres;
using Actors.Runtime.Tests.Infrastructure;
using Npgsql;

namespace Actors.Runtime.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStorageConformanceTests(PostgresFixture fixture) : StorageConformanceTests
{
    [Fact]
    public void Provider_IsNotSingleProcess()
    {
        Assert.Equal(("Postgres", false), (Store.Name, Store.IsSingleProcess));
    }

    [Fact]
    public async Task InitializeAsync_FromSeveralNodesAtOnce_MigratesOnce()
    {
        var location = await NewStoreAsync();
        var nodes = Enumerable.Range(0, 4).Select(_ => Track(Open(location))).ToList();

        await Task.WhenAll(nodes.Select(node => Task.Run(() => node.InitializeAsync(Ct))));

        Assert.All(await Task.WhenAll(nodes.Select(node => node.GetSchemaVersionAsync(Ct))), version => Assert.Equal(1, version));
        Assert.Equal(1L, await ScalarAsync<long>(location, "SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task SequenceEvents_FromConcurrentCallersOnTwoNodes_AssignsEverySeqOnceWithoutGaps()
    {
        var otherNode = await OpenInitializedAsync(Location);
        var grains = Enumerable.Range(0, 20).Select(i => Grain($"sequenced-{i}")).ToList();
        foreach (var grain in grains)
        {
            await LeaseAsync(grain);
        }

        var commits = Task.WhenAll(grains.Select((grain, i) => Task.Run(() => CommitAsync(
            grain,
            events: [.. Enumerable.Range(0, 5).Select(j => new OutgoingEvent($"s{i % 3}", $"{i}-{j}", Json(j)))]))));
        var sequencers = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var sequencer = i % 2 == 0 ? Store : otherNode;
            var seen = new List<long>();
            while (!commits.IsCompleted)
            {
                seen.Add(await sequencer.SequenceEventsAsync(Ct));
            }

            return seen;
        })).ToList();

        Assert.All(await commits, result => AssertCommitted(result));
        var observed = (await Task.WhenAll(sequencers)).SelectMany(seen => seen).ToList();
        Assert.Equal(100, await SequenceUntilAsync(100));

        Assert.All(observed, last => Assert.InRange(last, 0, 100));
        var events = await Store.ReadEventsAsync(0, 1000, null, Ct);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(100, events.Select(e => e.Type).Distinct().Count());
        foreach (var stream in events.GroupBy(e => e.Stream))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(i => (long)i), stream.Select(e => e.StreamSeq));
        }

        // The events of one transaction share its xid, so they are sequenced together and in the order raised.
        foreach (var unit in events.GroupBy(e => e.Type.Split('-')[0]))
        {
            var seqs = unit.Select(e => e.Seq).ToList();
            Assert.Equal(Enumerable.Range((int)seqs[0], 5).Select(i => (long)i), seqs);
            Assert.Equal(Enumerable.Range(0, 5).Select(j => $"{unit.Key}-{j}"), unit.Select(e => e.Type));
        }
    }

    [Fact]
    public async Task SequenceEvents_WhileAnEarlierTransactionIsOpen_WaitsForItAndThenOrdersByTransaction()
    {
        var grain = Grain("later");
        await LeaseAsync(grain);
        await using var open = await OpenTransactionWithOutboxRowAsync("early");

        await CommitAsync(grain, events: [Event("s", "late")]);

        Assert.Equal(0, await Store.SequenceEventsAsync(Ct));
        Assert.Empty(await Store.ReadEventsAsync(0, 10, null, Ct));

        await open.Transaction.CommitAsync(Ct);

        Assert.Equal(2, await SequenceUntilAsync(2));
        Assert.Equal(
            [(1L, "s", 1L, "early", Json(1)), (2L, "s", 2L, "late", Json(1))],
            Project(await Store.ReadEventsAsync(0, 10, null, Ct)));
    }

    [Fact]
    public async Task SequenceEvents_WhileAnEarlierTransactionIsOpen_SkipsItsRowsOnceItRollsBack()
    {
        var grain = Grain("survivor");
        await LeaseAsync(grain);
        await using var open = await OpenTransactionWithOutboxRowAsync("aborted");

        await CommitAsync(grain, events: [Event("s", "late")]);

        Assert.Equal(0, await Store.SequenceEventsAsync(Ct));

        await open.Transaction.RollbackAsync(Ct);

        Assert.Equal(1, await SequenceUntilAsync(1));
        Assert.Equal([(1L, "s", 1L, "late", Json(1))], Project(await Store.ReadEventsAsync(0, 10, null, Ct)));
    }

    [Fact]
    public async Task ReadEvents_ReturnsOnlySequencedEvents()
    {
        var grain = Grain("unsequenced");
        await CommitAsync(grain, events: [Event("s", "e1")]);

        Assert.Empty(await Store.ReadEventsAsync(0, 10, null, Ct));
        Assert.Equal(0, await Store.GetLastSequenceAsync(Ct));

        await SequenceUntilAsync(1);
        Assert.Equal(["e1"], Types(await Store.ReadEventsAsync(0, 10, null, Ct)));
    }

    [Fact]
    public async Task WaitForEvents_AfterListenConnectionWasKilled_WakesOnTheNextCommit()
    {
        var grain = Grain("killed-listener");
        await LeaseAsync(grain);
        await EnsureEventListenerReadyAsync();
        var provider = (PostgresStorageProvider)Store;
        var killed = await ListenBackendAsync(excluding: null);

        Assert.True(await ScalarAsync<bool>(Location, $"SELECT pg_terminate_backend({killed})"));

        await Polling.UntilAsync(
            () => Task.FromResult(provider.ListenConnections),
            connections => connections >= 2,
            "the LISTEN connection to be re-established after pg_terminate_backend");
        await ListenBackendAsync(excluding: killed);
        var seen = await Store.WaitForEventsAsync(OutboxWait.Appended, -1, TimeSpan.Zero, Ct);
        var wait = Store.WaitForEventsAsync(OutboxWait.Appended, seen, TimeSpan.FromMinutes(10), Ct);
        Assert.False(wait.IsCompleted);

        await CommitAsync(grain, events: [Event("s", "after-kill")]);

        await Polling.CompletesAsync(wait, "WaitForEventsAsync to wake on a commit after the LISTEN connection was killed");
    }

    [Fact]
    public async Task WaitForEvents_WakesWhenEventsAreSequenced()
    {
        var grain = Grain("sequenced-wake");
        await CommitAsync(grain, events: [Event("s", "e1")]);
        await EnsureEventListenerReadyAsync();
        var seen = await Store.WaitForEventsAsync(OutboxWait.Sequenced, -1, TimeSpan.Zero, Ct);
        var wait = Store.WaitForEventsAsync(OutboxWait.Sequenced, seen, TimeSpan.FromMinutes(10), Ct);
        Assert.False(wait.IsCompleted);

        var otherNode = await OpenInitializedAsync(Location);
        await Polling.UntilAsync(() => otherNode.SequenceEventsAsync(Ct), last => last == 1, "another node to sequence the event");

        await Polling.CompletesAsync(wait, "WaitForEventsAsync to wake when another node sequenced events");
    }

    protected override Task<string> CreateStoreAsync() => fixture.Server.CreateDatabaseAsync();

    protected override IStorageProvider Open(string location) => new PostgresStorageProvider(location);

    protected override async Task EnsureEventListenerReadyAsync()
    {
        var provider = (PostgresStorageProvider)Store;
        await Store.WaitForEventsAsync(OutboxWait.Appended, -1, TimeSpan.Zero, Ct);
        await Polling.UntilAsync(
            () => Task.FromResult(provider.ListenConnections),
            connections => connections >= 1,
            "the LISTEN connection to be established");
    }

    /// <summary>The pid of this database's LISTEN connection (other than <paramref name="excluding"/>), once it exists.</summary>
    private async Task<int> ListenBackendAsync(int? excluding)
    {
        var sql = $"""
            SELECT coalesce(min(pid), 0) FROM pg_stat_activity
            WHERE application_name = '{PostgresEventListener.ApplicationName}' AND datname = current_database()
              AND query LIKE 'LISTEN%' AND pid <> {excluding ?? 0}
            """;
        return await Polling.UntilAsync(
            () => ScalarAsync<int>(Location, sql),
            pid => pid != 0,
            "a LISTEN connection named " + PostgresEventListener.ApplicationName);
    }

    /// <summary>A transaction of another client that has written an outbox row and stays open.</summary>
    private async Task<OpenTransaction> OpenTransactionWithOutboxRowAsync(string type)
    {
        var connection = new NpgsqlConnection(Location);
        await connection.OpenAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO outbox (stream, type, payload) VALUES ('s', $1, '{\"n\": 1}')", connection, transaction)
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = type } },
        };
        await insert.ExecuteNonQueryAsync(Ct);
        return new OpenTransaction(connection, transaction);
    }

    private async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    private sealed record OpenTransaction(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
