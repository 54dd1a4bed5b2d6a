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

        Assert.All(await Task.WhenAll(nodes.Select(node => node.GetSchemaVersionAsync(Ct))), version => Assert.Equal(4, version));
        Assert.Equal([1, 2, 3, 4], await ColumnAsync<int>(location, "SELECT version FROM schema_version ORDER BY version"));
    }

    [Fact]
    public async Task AfterMigration4_ASchema3NodesCheck_FailsSoItCannotCommit()
    {
        // A schema-3 node fences with FOR SHARE and takes leases over without the partition fence lock: it must not
        // commit beside schema-4 nodes, and every commit of it goes through actors_require.
        var exception = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(Location, "SELECT actors_require(true, '0')"));

        Assert.Equal(PostgresErrorCodes.UndefinedFunction, exception.SqlState);
    }

    [Fact]
    public async Task InitializeAsync_OnASchema1Store_NumbersTheRowsItsSequencerLeftInTransactionOrder()
    {
        var location = await NewStoreAsync();
        await ExecuteAsync(location, PostgresSql.CreateSchemaVersion);
        await ExecuteAsync(location, PostgresSql.Migration1);
        await ExecuteAsync(location, "INSERT INTO schema_version (version) VALUES (1)");

        // A schema-1 node's outbox: one row its sequencer numbered, then rows of three transactions it had not.
        await ExecuteAsync(location, """
            INSERT INTO outbox (seq, stream, stream_seq, type, payload) VALUES (1, 's', 1, 'numbered', '{"n": 1}');
            INSERT INTO stream_head (stream, last_seq) VALUES ('s', 1);
            UPDATE outbox_head SET last_seq = 1;
            """);
        await ExecuteAsync(location, """INSERT INTO outbox (stream, type, payload) VALUES ('t', 'first', '{"n": 1}'), ('s', 'second', '{"n": 1}')""");
        await ExecuteAsync(location, """INSERT INTO outbox (stream, type, payload) VALUES ('s', 'third', '{"n": 1}')""");

        var store = await OpenInitializedAsync(location);

        Assert.Equal(4, await store.GetSchemaVersionAsync(Ct));
        Assert.Equal(
            [(1L, "s", 1L, "numbered", Json(1)), (2L, "t", 1L, "first", Json(1)), (3L, "s", 2L, "second", Json(1)), (4L, "s", 3L, "third", Json(1))],
            Project(await store.ReadEventsAsync(0, 10, null, Ct)));

        // And a commit continues both numberings.
        var grain = Grain("after-migration");
        var lease = await store.TryAcquireLeaseAsync(Partition(grain), NodeA, LongLease, force: false, Ct);
        var result = await store.CommitAsync([new GrainCommit(grain, new LeaseToken(NodeA, Partition(grain), lease!.Epoch), [], [Event("s", "fourth")], [])], Ct);
        AssertCommitted(Assert.Single(result));
        Assert.Equal([(5L, "s", 4L, "fourth", Json(1))], Project(await store.ReadEventsAsync(4, 10, null, Ct)));
    }

    [Fact]
    public async Task Events_CommittedConcurrentlyOnTwoNodes_AreReadableAtOnce_WithoutAGapEverSeen()
    {
        var otherNode = await OpenInitializedAsync(Location);
        var grains = Enumerable.Range(0, 20).Select(i => Grain($"sequenced-{i}")).ToList();
        var leases = new List<LeaseToken>();
        foreach (var grain in grains)
        {
            leases.Add(await LeaseAsync(grain));
        }

        var commits = Task.WhenAll(grains.Select((grain, i) => Task.Run(async () =>
        {
            var node = i % 2 == 0 ? Store : otherNode;
            var events = Enumerable.Range(0, 5).Select(j => new OutgoingEvent($"s{i % 3}", $"{i}-{j}", Json(j))).ToList();
            var result = Assert.Single(await node.CommitAsync([new GrainCommit(grain, leases[i], [], events, [])], Ct));

            // Readable as soon as the commit returns, on either node.
            var mine = await (i % 2 == 0 ? otherNode : Store).ReadEventsAsync(0, 1000, null, Ct);
            Assert.Equal(5, mine.Count(e => e.Type.StartsWith($"{i}-", StringComparison.Ordinal)));
            return result;
        })));
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!commits.IsCompleted)
            {
                var seen = await Store.ReadEventsAsync(0, 1000, null, Ct);
                Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen.Select(e => e.Seq));
                reads++;
            }

            return reads;
        })).ToList();

        Assert.All(await commits, result => AssertCommitted(result));
        await Task.WhenAll(readers);

        var events = await Store.ReadEventsAsync(0, 1000, null, Ct);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(100, await otherNode.GetLastSequenceAsync(Ct));
        Assert.Equal(100, events.Select(e => e.Type).Distinct().Count());
        foreach (var stream in events.GroupBy(e => e.Stream))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(i => (long)i), stream.Select(e => e.StreamSeq));
        }

        // The events of one commit are numbered together, in the order raised.
        foreach (var unit in events.GroupBy(e => e.Type.Split('-')[0]))
        {
            var seqs = unit.Select(e => e.Seq).ToList();
            Assert.Equal(Enumerable.Range((int)seqs[0], 5).Select(i => (long)i), seqs);
            Assert.Equal(Enumerable.Range(0, 5).Select(j => $"{unit.Key}-{j}"), unit.Select(e => e.Type));
        }
    }

    [Fact]
    public async Task Commit_WhileAnotherAppendIsOpen_WaitsForItAndNumbersAfterIt()
    {
        var grain = Grain("later");
        await LeaseAsync(grain);
        await using var open = await OpenAppendAsync("early");

        var commit = CommitAsync(grain, events: [Event("s", "late")]);

        await WaitForSequencerLockWaiterAsync();
        Assert.False(commit.IsCompleted);
        Assert.Empty(await Store.ReadEventsAsync(0, 10, null, Ct));

        await open.Transaction.CommitAsync(Ct);

        AssertCommitted(await commit);
        Assert.Equal(
            [(1L, "s", 1L, "early", Json(1)), (2L, "s", 2L, "late", Json(1))],
            Project(await Store.ReadEventsAsync(0, 10, null, Ct)));
    }

    [Fact]
    public async Task Commit_WhileAnotherAppendIsOpen_TakesItsNumbersOnceItRollsBack()
    {
        var grain = Grain("survivor");
        await LeaseAsync(grain);
        await using var open = await OpenAppendAsync("aborted");

        var commit = CommitAsync(grain, events: [Event("s", "late")]);
        await WaitForSequencerLockWaiterAsync();

        await open.Transaction.RollbackAsync(Ct);

        AssertCommitted(await commit);
        Assert.Equal([(1L, "s", 1L, "late", Json(1))], Project(await Store.ReadEventsAsync(0, 10, null, Ct)));
        Assert.Equal(1, await Store.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task TakeOver_WhileAGroupCommitUnderTheOldLeaseIsOpen_WaitsForIt()
    {
        var grain = Grain("taken-over");
        var partition = Partition(grain);
        var old = await LeaseAsync(grain);
        await using var open = await OpenFenceAsync(PostgresSql.FencePartitionsShared, new NpgsqlParameter<int[]> { TypedValue = [partition] });

        var takeover = Task.Run(() => Store.TryAcquireLeaseAsync(partition, NodeB, LongLease, force: true, Ct));

        await WaitForFenceWaiterAsync(partition);
        Assert.False(takeover.IsCompleted);
        Assert.Equal(NodeA, (await Store.ReadLeasesAsync(Ct)).Single(lease => lease.Partition == partition).OwnerNode);

        await open.Transaction.CommitAsync(Ct);

        Assert.Equal((NodeB, old.Epoch + 1), await takeover is { } taken ? (taken.OwnerNode, taken.Epoch) : default);
        Assert.Equal(CommitStatus.Fenced, (await CommitEverythingAsync(grain, old)).Status);
        await AssertNothingCommittedAsync(grain);
    }

    [Fact]
    public async Task GroupCommit_WhileATakeOverIsOpen_WaitsForIt_AndIsFenced()
    {
        var grain = Grain("late-commit");
        var partition = Partition(grain);
        var old = await LeaseAsync(grain);
        await using var open = await OpenFenceAsync(PostgresSql.FencePartition, new NpgsqlParameter<int> { TypedValue = partition });
        await using (var change = new NpgsqlCommand(PostgresSql.AcquireLease, open.Connection, open.Transaction))
        {
            change.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
            change.Parameters.Add(new NpgsqlParameter<string> { TypedValue = NodeB });
            change.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = LongLease });
            change.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = true });
            await change.ExecuteNonQueryAsync(Ct);
        }

        var commit = Task.Run(() => CommitEverythingAsync(grain, old));

        await WaitForFenceWaiterAsync(partition);
        Assert.False(commit.IsCompleted);

        await open.Transaction.CommitAsync(Ct);

        Assert.Equal(CommitStatus.Fenced, (await commit).Status);
        await AssertNothingCommittedAsync(grain);
    }

    [Fact]
    public async Task WaitForEvents_AfterListenConnectionWasKilled_WakesOnTheNextCommit()
    {
        var grain = Grain("killed-listener");
        var lease = await LeaseAsync(grain);
        await EnsureEventListenerReadyAsync();
        var provider = (PostgresStorageProvider)Store;
        var killed = await ListenBackendAsync(excluding: null);

        Assert.True(await ScalarAsync<bool>(Location, $"SELECT pg_terminate_backend({killed})"));

        await Polling.UntilAsync(
            () => Task.FromResult(provider.ListenConnections),
            connections => connections >= 2,
            "the LISTEN connection to be re-established after pg_terminate_backend");
        await ListenBackendAsync(excluding: killed);
        var seen = await Store.WaitForEventsAsync(-1, TimeSpan.Zero, Ct);
        var wait = Store.WaitForEventsAsync(seen, TimeSpan.FromMinutes(10), Ct);
        Assert.False(wait.IsCompleted);

        // Another node's commit, which only the LISTEN connection can tell of (this node's own signal at once).
        var otherNode = await OpenInitializedAsync(Location);
        AssertCommitted(Assert.Single(await otherNode.CommitAsync([new GrainCommit(grain, lease, [], [Event("s", "after-kill")], [])], Ct)));

        await Polling.CompletesAsync(wait, "WaitForEventsAsync to wake on a commit after the LISTEN connection was killed");
    }

    [Fact]
    public async Task WaitForEvents_OnANotificationWithoutASeq_ReadsTheLastSeq()
    {
        await EnsureEventListenerReadyAsync();
        var seen = await Store.WaitForEventsAsync(-1, TimeSpan.Zero, Ct);
        var wait = Store.WaitForEventsAsync(seen, TimeSpan.FromMinutes(10), Ct);
        Assert.False(wait.IsCompleted);

        // What a node of an earlier version sends: rows appended, and a notification that does not say up to where.
        await ExecuteAsync(Location, $$"""
            BEGIN;
            UPDATE outbox_head SET last_seq = last_seq + 1 WHERE id = 1;
            INSERT INTO outbox (seq, stream, stream_seq, type, payload) SELECT last_seq, 'old-node', 1, 'e1', '{}' FROM outbox_head WHERE id = 1;
            NOTIFY {{PostgresSql.EventsChannel}};
            COMMIT;
            """);

        await Polling.CompletesAsync(wait, "WaitForEventsAsync to wake on a notification without a seq");
        Assert.Equal((await Store.ReadEventsAsync(0, 10, null, Ct))[^1].Seq, await wait);
    }

    [Fact]
    public async Task WaitForEvents_WakesWhenAnotherNodeCommits()
    {
        var grain = Grain("other-node-wake");
        var lease = await LeaseAsync(grain);
        await EnsureEventListenerReadyAsync();
        var seen = await Store.WaitForEventsAsync(-1, TimeSpan.Zero, Ct);
        var wait = Store.WaitForEventsAsync(seen, TimeSpan.FromMinutes(10), Ct);
        Assert.False(wait.IsCompleted);

        var otherNode = await OpenInitializedAsync(Location);
        AssertCommitted(Assert.Single(await otherNode.CommitAsync([new GrainCommit(grain, lease, [], [Event("s", "e1")], [])], Ct)));

        await Polling.CompletesAsync(wait, "WaitForEventsAsync to wake when another node committed events");
        Assert.Equal(["e1"], Types(await Store.ReadEventsAsync(0, 10, null, Ct)));
    }

    protected override Task<string> CreateStoreAsync() => fixture.Server.CreateDatabaseAsync();

    protected override IStorageProvider Open(string location) => new PostgresStorageProvider(location);

    protected override int SchemaVersion => 4;

    protected override async Task EnsureEventListenerReadyAsync()
    {
        var provider = (PostgresStorageProvider)Store;
        await Store.WaitForEventsAsync(-1, TimeSpan.Zero, Ct);
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
              AND pid <> {excluding ?? 0}
            """;
        return await Polling.UntilAsync(
            () => ScalarAsync<int>(Location, sql),
            pid => pid != 0,
            "a LISTEN connection named " + PostgresEventListener.ApplicationName);
    }

    /// <summary>
    /// Another client's commit in progress: it has appended an outbox row as a commit does (the sequencer lock, then
    /// <see cref="PostgresSql.AppendEvents"/>) and stays open.
    /// </summary>
    private async Task<OpenTransaction> OpenAppendAsync(string type)
    {
        var connection = new NpgsqlConnection(Location);
        await connection.OpenAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await using (var lockCommand = new NpgsqlCommand(PostgresSql.TakeTransactionLock, connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = PostgresSql.SequencerLock });
            await lockCommand.ExecuteNonQueryAsync(Ct);
        }

        await using var append = new NpgsqlCommand(PostgresSql.AppendEvents, connection, transaction)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]> { TypedValue = ["s"] },
                new NpgsqlParameter<string[]> { TypedValue = [type] },
                new NpgsqlParameter<string[]> { TypedValue = [Json(1)] },
            },
        };
        await append.ExecuteNonQueryAsync(Ct);
        return new OpenTransaction(connection, transaction);
    }

    /// <summary>Waits until a backend of this database waits for the sequencer's advisory lock.</summary>
    /// <summary>A transaction of its own that has taken a fence lock with <paramref name="sql"/> and stays open.</summary>
    private async Task<OpenTransaction> OpenFenceAsync(string sql, NpgsqlParameter partitions)
    {
        var connection = new NpgsqlConnection(Location);
        await connection.OpenAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await using var fence = new NpgsqlCommand(sql, connection, transaction)
        {
            Parameters = { new NpgsqlParameter<int> { TypedValue = PostgresSql.PartitionFence }, partitions },
        };
        await fence.ExecuteNonQueryAsync(Ct);
        return new OpenTransaction(connection, transaction);
    }

    private async Task WaitForFenceWaiterAsync(int partition) =>
        await Polling.UntilAsync(
            () => ScalarAsync<long>(Location, $"""
                SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()
                  AND l.classid = {PostgresSql.PartitionFence} AND l.objid = {partition} AND l.objsubid = 2
                """),
            waiting => waiting == 1,
            "the fence lock to have a waiter");

    private async Task WaitForSequencerLockWaiterAsync() =>
        await Polling.UntilAsync(
            () => ScalarAsync<long>(Location, $"""
                SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()
                  AND ((l.classid::bigint << 32) | l.objid::bigint) = {PostgresSql.SequencerLock}
                """),
            waiting => waiting == 1,
            "the commit to wait for the sequencer lock");

    private async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<List<T>> ColumnAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<T>();
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
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
