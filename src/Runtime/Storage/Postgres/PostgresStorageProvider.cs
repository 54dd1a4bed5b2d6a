using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Runtime.Storage.Postgres;

/// <summary>
/// The cluster store. Every guarantee (optimistic concurrency, fencing, reminder claims, lease ownership, event
/// order) is decided inside a PostgreSQL transaction against the server's clock_timestamp(), never by a node's
/// belief. A commit numbers the outbox rows it appends under a transaction-scoped lock held to its end, so the numbers
/// follow commit order and a reader never sees a gap that a later commit fills.
/// </summary>
public sealed partial class PostgresStorageProvider : IStorageProvider
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresEventListener _listener;
    private readonly ILogger _logger;

    public PostgresStorageProvider(string connectionString, ILogger<PostgresStorageProvider>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            // The same few statements run on every commit; preparing them saves the parse and plan each time.
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        // The store keeps no session state on pooled connections (its advisory locks are transaction-scoped and
        // LISTEN has its own connection), so the reset Npgsql otherwise runs when a connection returns to the pool
        // is pure cost: one more server transaction per group commit, which doubled the commits per write.
        builder.ConnectionStringBuilder.NoResetOnClose = true;

        // Every statement of the store finds its rows by an index. The planner is told so: a plan made while a table
        // was empty (a new store, or the reminder table between bursts, before autovacuum analyzed it) scanned the
        // whole table, and PostgreSQL keeps a prepared statement's generic plan however much the table grows. In the
        // activation benchmark that turned each reminder's removal into a scan (0.7 ms instead of 12 us) and a claim
        // of 256 into a 1.2 s nested loop of two scans. Nor does any statement want a bitmap scan, which fetches every
        // matching row before it can sort them: a claim of the 256 oldest due reminders, with 10,000 due, read all of
        // them each time.
        // The prepared statements keep their generic plan. PostgreSQL otherwise plans a statement again on every run while
        // a plan for the actual values looks cheaper than the generic one, and for a statement over arrays (a group
        // commit's writes, a batched read, the lease check) it always does: its row estimate follows the array's length,
        // the generic plan's is ten. Planning those CTEs cost as much as running them (2,000 runs of the state update
        // over three rows: 0.80 s planned each time, 0.42 s with the generic plan).
        builder.ConnectionStringBuilder.Options =
            $"{builder.ConnectionStringBuilder.Options} -c enable_seqscan=off -c enable_bitmapscan=off -c plan_cache_mode=force_generic_plan".Trim();
        _dataSource = builder.Build();
        _listener = new PostgresEventListener(connectionString, _logger);
    }

    public string Name => "Postgres";

    /// <summary>How many times the LISTEN connection was (re)established, for tests that break it.</summary>
    internal int ListenConnections => _listener.Connections;

    public bool IsSingleProcess => false;

    // ---- schema ----------------------------------------------------------------------------------------------

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(BatchCommand(PostgresSql.TakeTransactionLock, Value(PostgresSql.MigrationLock)));
            batch.BatchCommands.Add(BatchCommand(PostgresSql.CreateSchemaVersion));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        // A statement after the lock, so it sees what a node that started at the same time committed.
        int current;
        await using (var read = new NpgsqlCommand(PostgresSql.ReadSchemaVersion, connection, transaction))
        {
            current = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
        }

        string[] migrations = [PostgresSql.Migration1, PostgresSql.Migration2, PostgresSql.Migration3, PostgresSql.Migration4];
        for (var version = current + 1; version <= migrations.Length; version++)
        {
            await using (var migrate = new NpgsqlCommand(migrations[version - 1], connection, transaction))
            {
                await migrate.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var record = new NpgsqlCommand(PostgresSql.RecordSchemaVersion, connection, transaction)
            {
                Parameters = { Value(version) },
            };
            await record.ExecuteNonQueryAsync(cancellationToken);
            LogMigrated(version);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand(PostgresSql.SchemaVersionTableExists, connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0;
            }
        }

        await using var read = new NpgsqlCommand(PostgresSql.ReadSchemaVersion, connection);
        return (int)(await read.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<DateTimeOffset> GetStoreTimeAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(PostgresSql.StoreTime);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);

        // ExecuteScalar would give a DateTime: a timestamptz only becomes a DateTimeOffset when asked for one.
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    // ---- grain state -----------------------------------------------------------------------------------------

    public async Task<StoredState?> ReadStateAsync(GrainId grain, string stateName, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReadState, Value(grain.Type), Value(grain.Key), Value(stateName));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredState(
            reader.IsDBNull(0) ? null : reader.GetString(0),
            reader.GetInt64(1),
            reader.GetFieldValue<DateTimeOffset>(2));
    }

    public async Task<IReadOnlyList<StoredState?>> ReadStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReadStates, StateKeyArrays(keys));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var states = new StoredState?[keys.Count];
        await ReadStatesAsync(reader, states, cancellationToken);
        return states;
    }

    /// <summary>The parameters of <see cref="PostgresSql.ReadStates"/>: the keys' types, grain keys and state names.</summary>
    private static NpgsqlParameter[] StateKeyArrays(IReadOnlyList<StateKey> keys)
    {
        var types = new string[keys.Count];
        var grainKeys = new string[keys.Count];
        var names = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            (types[i], grainKeys[i], names[i]) = (keys[i].Grain.Type, keys[i].Grain.Key, keys[i].StateName);
        }

        return [Value(types), Value(grainKeys), Value(names)];
    }

    /// <summary>Reads the current result set of <see cref="PostgresSql.ReadStates"/> into <paramref name="results"/>, by key position.</summary>
    private static async Task ReadStatesAsync(NpgsqlDataReader reader, StoredState?[] results, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
        {
            results[reader.GetInt64(0) - 1] = new StoredState(
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetInt64(2),
                reader.GetFieldValue<DateTimeOffset>(3));
        }
    }

    /// <summary>
    /// Runs the whole group as one batch, which PostgreSQL runs as one implicit transaction and commits when the batch
    /// ends: one round trip, and the outbox's sequencer lock is held only while the server works, never while this
    /// node reads the answer. Every check (each unit's lease, each state's expected version) fails its statement when
    /// it does not hold, which rolls the whole batch back; the group is then run again without the unit that failed,
    /// so nothing of a failed unit survives while the others still commit together. Failures are rare, so the common
    /// case never pays for per-unit savepoints and their round trips.
    /// </summary>
    public async Task<IReadOnlyList<CommitResult>> CommitAsync(IReadOnlyList<GrainCommit> commits, CancellationToken cancellationToken) =>
        (await CommitAsync(commits, [], cancellationToken)).Commits;

    /// <summary>
    /// The reads are the batch's first statement, so they are read in the group's round trip and transaction, before any
    /// of its locks; a retry after a failed check does not read again.
    /// </summary>
    public async Task<GroupCommitResult> CommitAsync(IReadOnlyList<GrainCommit> commits, IReadOnlyList<StateKey> reads, CancellationToken cancellationToken)
    {
        if (commits.Count == 0)
        {
            return new GroupCommitResult([], reads.Count > 0 ? await ReadStatesAsync(reads, cancellationToken) : []);
        }

        var results = new CommitResult?[commits.Count];
        var pending = Enumerable.Range(0, commits.Count).ToList();
        var states = new StoredState?[reads.Count];
        var unread = reads.Count > 0 ? reads : null;
        var appended = new List<StoredEvent>();
        while (pending.Count > 0)
        {
            var failures = await TryCommitAsync(commits, pending, results, unread, states, appended, cancellationToken);
            unread = null;
            if (failures == 0)
            {
                break;
            }

            LogCommitRetried(failures, pending.Count);
        }

        if (appended.Count > 0)
        {
            AppendedEvents.Raise(EventsAppended, appended, _logger);
            _listener.Notify(appended[^1].Seq);
        }

        return new GroupCommitResult(results!, states);
    }

    /// <summary>
    /// One attempt at the units in <paramref name="pending"/>, with <paramref name="reads"/> first when there are any.
    /// Commits and fills their results when all succeed; otherwise (the batch rolled back by a failed check) records the
    /// results of the units the check belonged to, removes them from <paramref name="pending"/> and returns how many
    /// failed. The reads fill <paramref name="states"/> in either case; a commit fills <paramref name="appended"/> with
    /// the outbox rows it added.
    /// </summary>
    private async Task<int> TryCommitAsync(
        IReadOnlyList<GrainCommit> commits,
        List<int> pending,
        CommitResult?[] results,
        IReadOnlyList<StateKey>? reads,
        StoredState?[] states,
        List<StoredEvent> appended,
        CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        if (reads is not null)
        {
            batch.BatchCommands.Add(BatchCommand(PostgresSql.ReadStates, StateKeyArrays(reads)));
        }

        var leaseChecks = AddLeaseChecks(batch, pending.Select(unit => commits[unit].Lease));
        var writes = new GroupWrites();
        var events = new List<OutgoingEvent>();
        foreach (var unit in pending)
        {
            writes.Add(unit, commits[unit]);
            events.AddRange(commits[unit].Events);
        }

        writes.AddTo(batch);
        if (events.Count > 0)
        {
            // Last, after every row lock the units take: the lock is held to the end of the transaction, and a
            // commit waiting for it holds nothing the holder still needs.
            batch.BatchCommands.Add(BatchCommand(PostgresSql.TakeTransactionLock, Value(PostgresSql.SequencerLock)));
            batch.BatchCommands.Add(BatchCommand(
                PostgresSql.AppendEvents,
                Value(events.Select(e => e.Stream).ToArray()),
                Value(events.Select(e => e.Type).ToArray()),
                Value(events.Select(e => e.Payload).ToArray())));
            batch.BatchCommands.Add(BatchCommand(PostgresSql.NotifyOutbox));
        }

        StoredEvent[]? stored = null;
        try
        {
            if (reads is null && events.Count == 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
            else
            {
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                if (reads is not null)
                {
                    await ReadStatesAsync(reader, states, cancellationToken);
                }

                do
                {
                    if (reader.FieldCount > 0 && reader.GetName(0) == PostgresSql.AppendedSeqColumn)
                    {
                        stored = await ReadAppendedAsync(reader, events, cancellationToken);
                    }
                }
                while (await reader.NextResultAsync(cancellationToken));
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresSql.CheckFailed)
        {
            var failure = int.Parse(ex.MessageText, System.Globalization.CultureInfo.InvariantCulture);
            var failed = await RecordFailureAsync(connection, commits, pending, results, failure, leaseChecks, writes, cancellationToken);
            pending.RemoveAll(failed.Contains);
            return failed.Count;
        }

        foreach (var unit in pending)
        {
            results[unit] = new CommitResult(
                CommitStatus.Committed,
                [.. commits[unit].States.Select(operation => operation.ExpectedVersion + 1 ?? 1)]);
        }

        if (events.Count > 0 && stored is null)
        {
            LogAppendedNotReturned(events.Count);
        }

        appended.AddRange(stored ?? []);
        pending.Clear();
        return 0;
    }

    /// <summary>
    /// The rows <see cref="PostgresSql.AppendEvents"/> returned, in the order of <paramref name="events"/>: the commit
    /// numbered them consecutively in that order, so a row's place is its seq less the first one's.
    /// </summary>
    private static async Task<StoredEvent[]?> ReadAppendedAsync(NpgsqlDataReader reader, List<OutgoingEvent> events, CancellationToken cancellationToken)
    {
        var rows = new List<(long Seq, long StreamSeq, DateTimeOffset CreatedAt)>(events.Count);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        // One row per event, numbered without a gap, or nothing is handed over (the consumers read the store).
        var first = rows.Count == 0 ? 0 : rows.Min(row => row.Seq);
        if (rows.Count != events.Count || rows.Max(row => row.Seq) - first != events.Count - 1)
        {
            return null;
        }

        var stored = new StoredEvent[events.Count];
        foreach (var (seq, streamSeq, createdAt) in rows)
        {
            var outgoing = events[(int)(seq - first)];
            stored[seq - first] = new StoredEvent(seq, outgoing.Stream, streamSeq, outgoing.Type, outgoing.Payload, createdAt) { Value = outgoing.Value };
        }

        return stored;
    }

    /// <summary>
    /// The units whose check failed with <paramref name="failure"/>, their results recorded: every unit under a lease
    /// that did not hold is fenced; a state at another version is its unit's conflict, with the stored version, read
    /// after the rollback so it is the committed one.
    /// </summary>
    private static async Task<List<int>> RecordFailureAsync(
        NpgsqlConnection connection,
        IReadOnlyList<GrainCommit> commits,
        List<int> pending,
        CommitResult?[] results,
        int failure,
        Dictionary<LeaseToken, int> leaseChecks,
        GroupWrites writes,
        CancellationToken cancellationToken)
    {
        if (leaseChecks.Where(check => check.Value == failure).Select(check => (LeaseToken?)check.Key).FirstOrDefault() is { } lost)
        {
            var fenced = pending.Where(unit => commits[unit].Lease == lost).ToList();
            foreach (var unit in fenced)
            {
                results[unit] = CommitResult.Fenced;
            }

            return fenced;
        }

        var (conflicted, operation) = writes.StateWrites[failure];
        var grain = commits[conflicted].Grain;
        await using var read = new NpgsqlCommand(PostgresSql.ReadStateVersion, connection)
        {
            Parameters = { Value(grain.Type), Value(grain.Key), Value(operation.StateName) },
        };
        var stored = await read.ExecuteScalarAsync(cancellationToken) as long?;
        results[conflicted] = new CommitResult(CommitStatus.Conflict, [], operation.StateName, stored);
        return [conflicted];
    }

    /// <summary>
    /// Adds the fence of the batch's partitions and the check of its distinct leases, before any unit's writes; returns
    /// each lease's failure text, a negative number so that no state write's position can be mistaken for it. The fence
    /// locks are taken in ascending partition order, as a takeover's lock and every lease row lock are, so a group
    /// commit cannot deadlock with a takeover or a renewal.
    /// </summary>
    private static Dictionary<LeaseToken, int> AddLeaseChecks(NpgsqlBatch batch, IEnumerable<LeaseToken> leases)
    {
        var distinct = leases.Distinct().OrderBy(l => l.Partition).ThenBy(l => l.Epoch).ThenBy(l => l.NodeId, StringComparer.Ordinal).ToList();
        var checks = new Dictionary<LeaseToken, int>(distinct.Count);
        for (var i = 0; i < distinct.Count; i++)
        {
            checks[distinct[i]] = -(i + 1);
        }

        batch.BatchCommands.Add(BatchCommand(
            PostgresSql.FencePartitionsShared, Value(PostgresSql.PartitionFence), Value(distinct.Select(l => l.Partition).Distinct().ToArray())));
        batch.BatchCommands.Add(BatchCommand(
            PostgresSql.RequireLeases,
            Value(distinct.Select(l => l.Partition).ToArray()),
            Value(distinct.Select(l => l.NodeId).ToArray()),
            Value(distinct.Select(l => l.Epoch).ToArray()),
            Value(distinct.Select(l => checks[l].ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())));
        return checks;
    }

    // ---- reminders -------------------------------------------------------------------------------------------

    public async Task<ReminderRecord?> ReadReminderAsync(GrainId grain, string name, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReadReminder, Value(grain.Type), Value(grain.Key), Value(name));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadReminder(reader) : null;
    }

    public async Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReadReminders, Value(grain.Type), Value(grain.Key));
        return await ReadAllAsync(command, ReadReminder, cancellationToken);
    }

    public async Task<IReadOnlyList<ReminderRecord>> ClaimDueRemindersAsync(
        string nodeId,
        IReadOnlyCollection<int> partitions,
        DateTimeOffset dueBy,
        TimeSpan claimDuration,
        int max,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (partitions.Count == 0 || max == 0)
        {
            return [];
        }

        await using var command = Command(
            PostgresSql.ClaimDueReminders,
            Value(partitions.ToArray()),
            Instant(dueBy),
            Value(max),
            Value(nodeId),
            Value(claimDuration));
        var claimed = await ReadAllAsync(command, ReadReminder, cancellationToken);
        return [.. claimed.OrderBy(reminder => reminder.DueAt)];
    }

    public async Task<IReadOnlyList<bool>> CompleteRemindersAsync(IReadOnlyList<ReminderCompletion> completions, CancellationToken cancellationToken)
    {
        // One batch is one implicit transaction: all of it or none, in one round trip.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var (grain, name, claimedVersion, nextDueAt) in completions)
        {
            batch.BatchCommands.Add(nextDueAt is { } due
                ? BatchCommand(PostgresSql.CompleteReminderRearm, Value(grain.Type), Value(grain.Key), Value(name), Value(claimedVersion), Instant(due))
                : BatchCommand(PostgresSql.CompleteReminderDelete, Value(grain.Type), Value(grain.Key), Value(name), Value(claimedVersion)));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        return [.. batch.BatchCommands.Select(static (NpgsqlBatchCommand command) => command.Rows == 1)];
    }

    public async Task AbandonReminderAsync(GrainId grain, string name, long claimedVersion, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        await using var command = Command(
            PostgresSql.AbandonReminder, Value(grain.Type), Value(grain.Key), Value(name), Value(claimedVersion), Value(retryAfter));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> ReleaseForeignClaimsAsync(int partition, string nodeId, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReleaseForeignClaims, Value(partition), Value(nodeId));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<DateTimeOffset?> GetNextReminderDueAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0)
        {
            return null;
        }

        await using var command = Command(PostgresSql.NextReminderDue, Value(partitions.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? reader.GetFieldValue<DateTimeOffset>(0) : null;
    }

    public async Task<bool> AnyDueRemindersAsync(DateTimeOffset dueBy, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.AnyDueReminders, Instant(dueBy));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    // ---- outbox and checkpoints ------------------------------------------------------------------------------

    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSeq, int max, string? stream, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        await using var command = stream is null
            ? Command(PostgresSql.ReadEvents, Value(afterSeq), Value(max))
            : Command(PostgresSql.ReadStreamEvents, Value(afterSeq), Value(max), Value(stream));
        return await ReadAllAsync(
            command,
            reader => new StoredEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5)),
            cancellationToken);
    }

    public async Task<long> GetLastSequenceAsync(CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReadLastSeq);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> ReadCheckpointAsync(string consumer, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReadCheckpoint, Value(consumer));
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    public async Task WriteCheckpointAsync(string consumer, long seq, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.WriteCheckpoint, Value(consumer), Value(seq));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<long> WaitForEventsAsync(long seenSeq, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _listener.WaitAsync(seenSeq, maxWait, cancellationToken);

    public event Action<IReadOnlyList<StoredEvent>>? EventsAppended;

    // ---- membership and leases -------------------------------------------------------------------------------

    public async Task RegisterNodeAsync(string nodeId, string? address, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.RegisterNode, Value(nodeId), Text(address), Value((short)NodeStatus.Active));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task HeartbeatAsync(string nodeId, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.Heartbeat, Value(nodeId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SetNodeStatusAsync(string nodeId, NodeStatus status, CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.SetNodeStatus, Value(nodeId), Value((short)status));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<NodeRecord>> ReadNodesAsync(CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReadNodes);
        return await ReadAllAsync(
            command,
            reader => new NodeRecord(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                (NodeStatus)reader.GetInt16(4)),
            cancellationToken);
    }

    public async Task EnsurePartitionsAsync(int partitionCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partitionCount);
        await using var command = Command(PostgresSql.EnsurePartitions, Value(partitionCount));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PartitionLease>> ReadLeasesAsync(CancellationToken cancellationToken)
    {
        await using var command = Command(PostgresSql.ReadLeases);
        return await ReadAllAsync(command, ReadLease, cancellationToken);
    }

    /// <summary>One implicit transaction: the partition's fence lock (waiting for the commits under the old lease), then the change.</summary>
    public async Task<PartitionLease?> TryAcquireLeaseAsync(int partition, string nodeId, TimeSpan duration, bool force, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                BatchCommand(PostgresSql.FencePartition, Value(PostgresSql.PartitionFence), Value(partition)),
                BatchCommand(PostgresSql.AcquireLease, Value(partition), Value(nodeId), Value(duration), Value(force)),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadLease(reader) : null;
    }

    public async Task<IReadOnlyList<PartitionLease>> RenewLeasesAsync(string nodeId, IReadOnlyCollection<PartitionLease> held, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (held.Count == 0)
        {
            return [];
        }

        await using var command = Command(
            PostgresSql.RenewLeases,
            Value(nodeId),
            Value(duration),
            Value(held.Select(lease => lease.Partition).ToArray()),
            Value(held.Select(lease => lease.Epoch).ToArray()));
        var renewed = await ReadAllAsync(command, ReadLease, cancellationToken);
        return [.. renewed.OrderBy(lease => lease.Partition)];
    }

    public async Task ReleaseLeasesAsync(string nodeId, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        await using var command = Command(PostgresSql.ReleaseLeases, Value(nodeId), Value(partitions.ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private NpgsqlCommand Command(string sql, params ReadOnlySpan<NpgsqlParameter> parameters)
    {
        var command = _dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params ReadOnlySpan<NpgsqlParameter> parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static NpgsqlParameter<T> Value<T>(T value) => new() { TypedValue = value };

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    /// <summary>Npgsql only writes UTC instants to timestamptz.</summary>
    private static NpgsqlParameter<DateTimeOffset> Instant(DateTimeOffset value) => Value(value.ToUniversalTime());

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(
        NpgsqlCommand command,
        Func<NpgsqlDataReader, T> read,
        CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static ReminderRecord ReadReminder(NpgsqlDataReader reader) =>
        new(
            new GrainId(reader.GetString(0), reader.GetString(1)),
            reader.GetString(2),
            reader.GetInt32(3),
            reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<TimeSpan>(5),
            (MissedTickPolicy)reader.GetInt16(6),
            reader.GetInt64(7),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
            reader.GetInt32(10));

    private static PartitionLease ReadLease(NpgsqlDataReader reader) =>
        new(
            reader.GetInt32(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetInt64(2),
            reader.GetFieldValue<DateTimeOffset>(3));

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated PostgreSQL store to schema version {Version}")]
    private partial void LogMigrated(int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group commit retried without {Failed} failed units; {Remaining} remain")]
    private partial void LogCommitRetried(int failed, int remaining);

    [LoggerMessage(Level = LogLevel.Error, Message = "A group commit appended {Count} outbox rows but did not return them as numbered; this node's consumers read them from the store")]
    private partial void LogAppendedNotReturned(int count);
}
