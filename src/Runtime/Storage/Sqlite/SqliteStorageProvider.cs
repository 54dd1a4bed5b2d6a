using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Runtime.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, used by one process. Writes go through one connection,
/// one transaction at a time; reads use pooled connections and see the last committed snapshot. Because
/// write transactions are serialized, outbox rows get their global and per-stream sequence as they commit.
/// Store time is the process clock (UTC), which is the only clock a single process has.
/// </summary>
public sealed partial class SqliteStorageProvider : IStorageProvider
{
    private const string Savepoint = "grain_commit";
    private const string OutboxSeqCounter = "outbox_seq";
    private const string ReminderVersionCounter = "reminder_version";

    private readonly string _path;
    private readonly string _readConnectionString;
    private readonly FileStream _processLock;
    private readonly SqliteConnection _writeConnection;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly AsyncSignal _eventsSignal = new();
    private readonly ILogger _logger;
    private bool _disposed;

    public SqliteStorageProvider(string path, ILogger<SqliteStorageProvider>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _processLock = AcquireProcessLock(_path + ".lock");
        try
        {
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = _path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = false,
            };
            _writeConnection = new SqliteConnection(builder.ToString());
            _writeConnection.Open();
            using (var pragmas = _writeConnection.CreateCommand())
            {
                pragmas.CommandText = SqliteSql.ConnectionPragmas;
                pragmas.ExecuteNonQuery();
            }

            builder.Mode = SqliteOpenMode.ReadWrite;
            builder.Pooling = true;
            _readConnectionString = builder.ToString();
        }
        catch
        {
            _writeConnection?.Dispose();
            _processLock.Dispose();
            throw;
        }

        LogOpened(_path);
    }

    public string Name => "Sqlite";

    public bool IsSingleProcess => true;

    // ---- schema ----------------------------------------------------------------------------------------------

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                Execute(transaction, SqliteSql.CreateSchemaVersion);
                var current = Convert.ToInt32(Scalar(transaction, SqliteSql.ReadSchemaVersion), CultureInfo.InvariantCulture);
                if (current < 1)
                {
                    Execute(transaction, SqliteSql.Migration1);
                    using var record = Command(transaction, SqliteSql.RecordSchemaVersion);
                    record.Parameters.AddWithValue("$version", SqliteSql.SchemaVersion);
                    record.Parameters.AddWithValue("$now", Now());
                    record.ExecuteNonQuery();
                    LogMigrated(_path, SqliteSql.SchemaVersion);
                }

                return true;
            },
            cancellationToken);

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var exists = Command(connection, SqliteSql.SchemaVersionTableExists);
        if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            return 0;
        }

        await using var read = Command(connection, SqliteSql.ReadSchemaVersion);
        return Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public Task<DateTimeOffset> GetStoreTimeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(FromMicros(Now()));

    // ---- grain state -----------------------------------------------------------------------------------------

    public async Task<StoredState?> ReadStateAsync(GrainId grain, string stateName, CancellationToken cancellationToken) =>
        (await ReadStatesAsync([new StateKey(grain, stateName)], cancellationToken))[0];

    /// <summary>One prepared statement run once per key on one connection: SQLite is in process, a round trip costs nothing.</summary>
    public async Task<IReadOnlyList<StoredState?>> ReadStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.ReadState);
        var type = command.Parameters.Add("$type", SqliteType.Text);
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var state = command.Parameters.Add("$state", SqliteType.Text);
        var results = new StoredState?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            (type.Value, key.Value, state.Value) = (keys[i].Grain.Type, keys[i].Grain.Key, keys[i].StateName);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                results[i] = new StoredState(
                    reader.IsDBNull(0) ? null : reader.GetString(0),
                    reader.GetInt64(1),
                    FromMicros(reader.GetInt64(2)));
            }
        }

        return results;
    }

    public async Task<IReadOnlyList<CommitResult>> CommitAsync(IReadOnlyList<GrainCommit> commits, CancellationToken cancellationToken)
    {
        if (commits.Count == 0)
        {
            return [];
        }

        var (results, appended) = await WriteAsync(transaction => ApplyCommits(transaction, commits), cancellationToken);
        if (appended.Count > 0)
        {
            AppendedEvents.Raise(EventsAppended, appended, _logger);
            _eventsSignal.Set(appended[^1].Seq);
        }

        return results;
    }

    /// <summary>
    /// Reads on a read connection, then commits: SQLite is in process, so riding in the write transaction would save no
    /// round trip, and the reads still see only what was committed before the group.
    /// </summary>
    public async Task<GroupCommitResult> CommitAsync(IReadOnlyList<GrainCommit> commits, IReadOnlyList<StateKey> reads, CancellationToken cancellationToken)
    {
        var states = reads.Count > 0 ? await ReadStatesAsync(reads, cancellationToken) : [];
        return new GroupCommitResult(await CommitAsync(commits, cancellationToken), states);
    }

    /// <summary>
    /// Applies each unit under its own savepoint, so a conflict found on its second state leaves nothing of the
    /// first behind while the other units of the group still commit.
    /// </summary>
    private static (CommitResult[] Results, List<StoredEvent> Appended) ApplyCommits(SqliteTransaction transaction, IReadOnlyList<GrainCommit> commits)
    {
        var now = Now();
        using var statements = new CommitStatements(transaction);
        var lastSeq = ReadCounter(transaction, OutboxSeqCounter);
        var reminderVersion = ReadCounter(transaction, ReminderVersionCounter);
        var appended = new List<StoredEvent>();
        var firstReminderVersion = reminderVersion;
        var results = new CommitResult[commits.Count];
        for (var i = 0; i < commits.Count; i++)
        {
            var commit = commits[i];
            if (!statements.HoldsLease(commit.Lease, now))
            {
                results[i] = CommitResult.Fenced;
                continue;
            }

            transaction.Save(Savepoint);
            var versions = new long[commit.States.Count];
            CommitResult? conflict = null;
            for (var s = 0; s < commit.States.Count && conflict is null; s++)
            {
                var operation = commit.States[s];
                if (statements.ApplyState(commit.Grain, operation, now))
                {
                    versions[s] = operation.ExpectedVersion + 1 ?? 1;
                }
                else
                {
                    conflict = new CommitResult(
                        CommitStatus.Conflict, [], operation.StateName, statements.ReadStateVersion(commit.Grain, operation.StateName));
                }
            }

            if (conflict is not null)
            {
                transaction.Rollback(Savepoint);
                transaction.Release(Savepoint);
                results[i] = conflict;
                continue;
            }

            foreach (var outgoing in commit.Events)
            {
                var streamSeq = statements.InsertEvent(++lastSeq, outgoing, now);
                appended.Add(new StoredEvent(lastSeq, outgoing.Stream, streamSeq, outgoing.Type, outgoing.Payload, FromMicros(now)) { Value = outgoing.Value });
            }

            foreach (var reminder in commit.Reminders)
            {
                if (reminder.Kind == ReminderOperationKind.Upsert)
                {
                    statements.UpsertReminder(commit.Grain, commit.Lease.Partition, reminder, ++reminderVersion);
                }
                else
                {
                    statements.DeleteReminder(commit.Grain, reminder.Name);
                }
            }

            transaction.Release(Savepoint);
            results[i] = new CommitResult(CommitStatus.Committed, versions);
        }

        if (appended.Count > 0)
        {
            WriteCounter(transaction, OutboxSeqCounter, lastSeq);
        }

        if (reminderVersion != firstReminderVersion)
        {
            WriteCounter(transaction, ReminderVersionCounter, reminderVersion);
        }

        return (results, appended);
    }

    // ---- reminders -------------------------------------------------------------------------------------------

    public async Task<ReminderRecord?> ReadReminderAsync(GrainId grain, string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.ReadReminder);
        AddReminderKey(command, grain, name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadReminder(reader) : null;
    }

    public async Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.ReadReminders);
        command.Parameters.AddWithValue("$type", grain.Type);
        command.Parameters.AddWithValue("$key", grain.Key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var reminders = new List<ReminderRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            reminders.Add(ReadReminder(reader));
        }

        return reminders;
    }

    public Task<IReadOnlyList<ReminderRecord>> ClaimDueRemindersAsync(
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
            return Task.FromResult<IReadOnlyList<ReminderRecord>>([]);
        }

        return WriteAsync<IReadOnlyList<ReminderRecord>>(
            transaction =>
            {
                var now = Now();
                var due = new List<(string Type, string Key, string Name)>();
                using (var select = Command(transaction, SqliteSql.SelectDueReminders))
                {
                    select.Parameters.AddWithValue("$partitions", ToJsonArray(partitions));
                    select.Parameters.AddWithValue("$dueBy", ToMicros(dueBy));
                    select.Parameters.AddWithValue("$now", now);
                    select.Parameters.AddWithValue("$max", max);
                    using var reader = select.ExecuteReader();
                    while (reader.Read())
                    {
                        due.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                    }
                }

                if (due.Count == 0)
                {
                    return [];
                }

                var version = ReadCounter(transaction, ReminderVersionCounter);
                var claimed = new List<ReminderRecord>(due.Count);
                using var claim = Command(transaction, SqliteSql.ClaimReminder);
                var type = claim.Parameters.Add("$type", SqliteType.Text);
                var key = claim.Parameters.Add("$key", SqliteType.Text);
                var name = claim.Parameters.Add("$name", SqliteType.Text);
                var newVersion = claim.Parameters.Add("$version", SqliteType.Integer);
                claim.Parameters.AddWithValue("$node", nodeId);
                claim.Parameters.AddWithValue("$expires", now + ToMicros(claimDuration));
                foreach (var reminder in due)
                {
                    type.Value = reminder.Type;
                    key.Value = reminder.Key;
                    name.Value = reminder.Name;
                    newVersion.Value = ++version;
                    using var reader = claim.ExecuteReader();
                    reader.Read();
                    claimed.Add(ReadReminder(reader));
                }

                WriteCounter(transaction, ReminderVersionCounter, version);
                return claimed;
            },
            cancellationToken);
    }

    public Task<int> ReleaseForeignClaimsAsync(int partition, string nodeId, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                var claimed = new List<(string Type, string Key, string Name)>();
                using (var select = Command(transaction, SqliteSql.SelectForeignClaims))
                {
                    select.Parameters.AddWithValue("$partition", partition);
                    select.Parameters.AddWithValue("$node", nodeId);
                    using var reader = select.ExecuteReader();
                    while (reader.Read())
                    {
                        claimed.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                    }
                }

                var version = ReadCounter(transaction, ReminderVersionCounter);
                using var release = Command(transaction, SqliteSql.ReleaseClaim);
                var type = release.Parameters.Add("$type", SqliteType.Text);
                var key = release.Parameters.Add("$key", SqliteType.Text);
                var name = release.Parameters.Add("$name", SqliteType.Text);
                var newVersion = release.Parameters.Add("$version", SqliteType.Integer);
                foreach (var reminder in claimed)
                {
                    (type.Value, key.Value, name.Value, newVersion.Value) = (reminder.Type, reminder.Key, reminder.Name, ++version);
                    release.ExecuteNonQuery();
                }

                WriteCounter(transaction, ReminderVersionCounter, version);
                return claimed.Count;
            },
            cancellationToken);

    public Task<IReadOnlyList<bool>> CompleteRemindersAsync(IReadOnlyList<ReminderCompletion> completions, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<bool>>(
            transaction => [.. completions.Select(completion => CompleteReminder(transaction, completion))],
            cancellationToken);

    private static bool CompleteReminder(SqliteTransaction transaction, ReminderCompletion completion)
    {
        var (grain, name, claimedVersion, nextDueAt) = completion;
        if (nextDueAt is null)
        {
            using var delete = Command(transaction, SqliteSql.CompleteReminderDelete);
            AddReminderKey(delete, grain, name);
            delete.Parameters.AddWithValue("$claimed", claimedVersion);
            return delete.ExecuteNonQuery() == 1;
        }

        var version = ReadCounter(transaction, ReminderVersionCounter) + 1;
        using var rearm = Command(transaction, SqliteSql.CompleteReminderRearm);
        AddReminderKey(rearm, grain, name);
        rearm.Parameters.AddWithValue("$claimed", claimedVersion);
        rearm.Parameters.AddWithValue("$due", ToMicros(nextDueAt.Value));
        rearm.Parameters.AddWithValue("$version", version);
        if (rearm.ExecuteNonQuery() == 0)
        {
            return false;
        }

        WriteCounter(transaction, ReminderVersionCounter, version);
        return true;
    }

    public Task AbandonReminderAsync(GrainId grain, string name, long claimedVersion, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                using var abandon = Command(transaction, SqliteSql.AbandonReminder);
                AddReminderKey(abandon, grain, name);
                abandon.Parameters.AddWithValue("$claimed", claimedVersion);
                abandon.Parameters.AddWithValue("$expires", Now() + ToMicros(retryAfter));
                return abandon.ExecuteNonQuery();
            },
            cancellationToken);

    public async Task<DateTimeOffset?> GetNextReminderDueAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0)
        {
            return null;
        }

        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.NextReminderDue);
        command.Parameters.AddWithValue("$partitions", ToJsonArray(partitions));
        command.Parameters.AddWithValue("$now", Now());
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is long micros ? FromMicros(micros) : null;
    }

    public async Task<bool> AnyDueRemindersAsync(DateTimeOffset dueBy, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.AnyDueReminders);
        command.Parameters.AddWithValue("$dueBy", ToMicros(dueBy));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! != 0;
    }

    // ---- outbox and checkpoints ------------------------------------------------------------------------------

    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSeq, int max, string? stream, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, stream is null ? SqliteSql.ReadEvents : SqliteSql.ReadStreamEvents);
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$max", max);
        if (stream is not null)
        {
            command.Parameters.AddWithValue("$stream", stream);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StoredEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetString(3),
                reader.GetString(4),
                FromMicros(reader.GetInt64(5))));
        }

        return events;
    }

    public async Task<long> GetLastSequenceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.ReadLastSeq);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> ReadCheckpointAsync(string consumer, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.ReadCheckpoint);
        command.Parameters.AddWithValue("$consumer", consumer);
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    public Task WriteCheckpointAsync(string consumer, long seq, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                using var command = Command(transaction, SqliteSql.WriteCheckpoint);
                command.Parameters.AddWithValue("$consumer", consumer);
                command.Parameters.AddWithValue("$seq", seq);
                return command.ExecuteNonQuery();
            },
            cancellationToken);

    /// <summary>One process writes the file: its own commits are all there is to wait for.</summary>
    public Task<long> WaitForEventsAsync(long seenSeq, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _eventsSignal.WaitAsync(seenSeq, maxWait, cancellationToken);

    public event Action<IReadOnlyList<StoredEvent>>? EventsAppended;

    // ---- membership and leases -------------------------------------------------------------------------------

    public Task RegisterNodeAsync(string nodeId, string? address, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                using var command = Command(transaction, SqliteSql.RegisterNode);
                command.Parameters.AddWithValue("$node", nodeId);
                command.Parameters.AddWithValue("$address", (object?)address ?? DBNull.Value);
                command.Parameters.AddWithValue("$now", Now());
                command.Parameters.AddWithValue("$status", (int)NodeStatus.Active);
                return command.ExecuteNonQuery();
            },
            cancellationToken);

    public Task HeartbeatAsync(string nodeId, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                using var command = Command(transaction, SqliteSql.Heartbeat);
                command.Parameters.AddWithValue("$node", nodeId);
                command.Parameters.AddWithValue("$now", Now());
                return command.ExecuteNonQuery();
            },
            cancellationToken);

    public Task SetNodeStatusAsync(string nodeId, NodeStatus status, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                using var command = Command(transaction, SqliteSql.SetNodeStatus);
                command.Parameters.AddWithValue("$node", nodeId);
                command.Parameters.AddWithValue("$status", (int)status);
                return command.ExecuteNonQuery();
            },
            cancellationToken);

    public async Task<IReadOnlyList<NodeRecord>> ReadNodesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.ReadNodes);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var nodes = new List<NodeRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            nodes.Add(new NodeRecord(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                FromMicros(reader.GetInt64(2)),
                FromMicros(reader.GetInt64(3)),
                (NodeStatus)reader.GetInt32(4)));
        }

        return nodes;
    }

    public Task EnsurePartitionsAsync(int partitionCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partitionCount);
        return WriteAsync(
            transaction =>
            {
                using var command = Command(transaction, SqliteSql.EnsurePartitions);
                command.Parameters.AddWithValue("$count", partitionCount);
                return command.ExecuteNonQuery();
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<PartitionLease>> ReadLeasesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = Command(connection, SqliteSql.ReadLeases);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var leases = new List<PartitionLease>();
        while (await reader.ReadAsync(cancellationToken))
        {
            leases.Add(ReadLease(reader));
        }

        return leases;
    }

    public Task<PartitionLease?> TryAcquireLeaseAsync(int partition, string nodeId, TimeSpan duration, bool force, CancellationToken cancellationToken) =>
        WriteAsync(
            transaction =>
            {
                var now = Now();
                using var command = Command(transaction, SqliteSql.AcquireLease);
                command.Parameters.AddWithValue("$partition", partition);
                command.Parameters.AddWithValue("$node", nodeId);
                command.Parameters.AddWithValue("$force", force);
                command.Parameters.AddWithValue("$now", now);
                command.Parameters.AddWithValue("$expires", now + ToMicros(duration));
                using var reader = command.ExecuteReader();
                return reader.Read() ? ReadLease(reader) : null;
            },
            cancellationToken);

    public Task<IReadOnlyList<PartitionLease>> RenewLeasesAsync(string nodeId, IReadOnlyCollection<PartitionLease> held, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (held.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<PartitionLease>>([]);
        }

        return WriteAsync<IReadOnlyList<PartitionLease>>(
            transaction =>
            {
                using var command = Command(transaction, SqliteSql.RenewLease);
                var partition = command.Parameters.Add("$partition", SqliteType.Integer);
                var epoch = command.Parameters.Add("$epoch", SqliteType.Integer);
                command.Parameters.AddWithValue("$node", nodeId);
                command.Parameters.AddWithValue("$expires", Now() + ToMicros(duration));
                var renewed = new List<PartitionLease>(held.Count);
                foreach (var lease in held)
                {
                    partition.Value = lease.Partition;
                    epoch.Value = lease.Epoch;
                    using var reader = command.ExecuteReader();
                    if (reader.Read())
                    {
                        renewed.Add(ReadLease(reader));
                    }
                }

                return renewed;
            },
            cancellationToken);
    }

    public Task ReleaseLeasesAsync(string nodeId, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync(
            transaction =>
            {
                using var command = Command(transaction, SqliteSql.ReleaseLeases);
                command.Parameters.AddWithValue("$node", nodeId);
                command.Parameters.AddWithValue("$partitions", ToJsonArray(partitions));
                command.Parameters.AddWithValue("$now", Now());
                return command.ExecuteNonQuery();
            },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _writeConnection.DisposeAsync();
            using (var pooled = new SqliteConnection(_readConnectionString))
            {
                // Pooled read connections would otherwise keep the file open after this provider is gone.
                SqliteConnection.ClearPool(pooled);
            }

            await _processLock.DisposeAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static FileStream AcquireProcessLock(string lockPath)
    {
        try
        {
            // On Unix, FileShare.None takes an exclusive advisory lock (flock) that the OS drops when the process dies.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception)
        {
            throw new InvalidOperationException(
                $"The SQLite store is already open in another process or provider instance: '{lockPath}' is locked. " +
                "SQLite is a single-process store; use PostgreSQL to run several nodes.",
                exception);
        }
    }

    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _writeConnection.BeginTransaction(deferred: false);
            var result = work(transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteTransaction transaction, string sql)
    {
        using var command = Command(transaction, sql);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteTransaction transaction, string sql)
    {
        using var command = Command(transaction, sql);
        return command.ExecuteScalar();
    }

    private static long ReadCounter(SqliteTransaction transaction, string name)
    {
        using var command = Command(transaction, SqliteSql.ReadCounter);
        command.Parameters.AddWithValue("$name", name);
        return (long)command.ExecuteScalar()!;
    }

    private static void WriteCounter(SqliteTransaction transaction, string name, long value)
    {
        using var command = Command(transaction, SqliteSql.WriteCounter);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private static void AddReminderKey(SqliteCommand command, GrainId grain, string name)
    {
        command.Parameters.AddWithValue("$type", grain.Type);
        command.Parameters.AddWithValue("$key", grain.Key);
        command.Parameters.AddWithValue("$name", name);
    }

    private static ReminderRecord ReadReminder(SqliteDataReader reader) =>
        new(
            new GrainId(reader.GetString(0), reader.GetString(1)),
            reader.GetString(2),
            reader.GetInt32(3),
            FromMicros(reader.GetInt64(4)),
            reader.IsDBNull(5) ? null : TimeSpan.FromTicks(reader.GetInt64(5) * TimeSpan.TicksPerMicrosecond),
            (MissedTickPolicy)reader.GetInt32(6),
            reader.GetInt64(7),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? null : FromMicros(reader.GetInt64(9)),
            reader.GetInt32(10));

    private static PartitionLease ReadLease(SqliteDataReader reader) =>
        new(
            reader.GetInt32(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetInt64(2),
            FromMicros(reader.GetInt64(3)));

    private static string ToJsonArray(IReadOnlyCollection<int> values) =>
        "[" + string.Join(',', values.Select(value => value.ToString(CultureInfo.InvariantCulture))) + "]";

    private static long Now() => ToMicros(TimeProvider.System.GetUtcNow());

    private static long ToMicros(DateTimeOffset instant) =>
        (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    private static long ToMicros(TimeSpan duration) => duration.Ticks / TimeSpan.TicksPerMicrosecond;

    private static DateTimeOffset FromMicros(long micros) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (micros * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened SQLite store {Path}")]
    private partial void LogOpened(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated SQLite store {Path} to schema version {Version}")]
    private partial void LogMigrated(string path, int version);

    /// <summary>
    /// The statements one group commit runs, prepared once per transaction and re-bound for every unit.
    /// </summary>
    private sealed class CommitStatements : IDisposable
    {
        private readonly SqliteTransaction _transaction;
        private readonly List<SqliteCommand> _commands = [];
        private SqliteCommand? _holdsLease;
        private SqliteCommand? _insertState;
        private SqliteCommand? _updateState;
        private SqliteCommand? _readStateVersion;
        private SqliteCommand? _nextStreamSeq;
        private SqliteCommand? _insertEvent;
        private SqliteCommand? _upsertReminder;
        private SqliteCommand? _deleteReminder;

        public CommitStatements(SqliteTransaction transaction) => _transaction = transaction;

        public bool HoldsLease(LeaseToken lease, long now)
        {
            var command = _holdsLease ??= Create(SqliteSql.HoldsLease, "$partition", "$node", "$epoch", "$now");
            Bind(command, lease.Partition, lease.NodeId, lease.Epoch, now);
            return (long)command.ExecuteScalar()! == 1;
        }

        public bool ApplyState(GrainId grain, StateOperation operation, long now)
        {
            SqliteCommand command;
            if (operation.ExpectedVersion is { } expected)
            {
                command = _updateState ??= Create(SqliteSql.UpdateState, "$type", "$key", "$state", "$payload", "$now", "$expected");
                Bind(command, grain.Type, grain.Key, operation.StateName, operation.Payload, now, expected);
            }
            else
            {
                command = _insertState ??= Create(SqliteSql.InsertState, "$type", "$key", "$state", "$payload", "$now");
                Bind(command, grain.Type, grain.Key, operation.StateName, operation.Payload, now);
            }

            return command.ExecuteNonQuery() == 1;
        }

        public long? ReadStateVersion(GrainId grain, string stateName)
        {
            var command = _readStateVersion ??= Create(SqliteSql.ReadStateVersion, "$type", "$key", "$state");
            Bind(command, grain.Type, grain.Key, stateName);
            return command.ExecuteScalar() as long?;
        }

        /// <summary>Inserts the row at <paramref name="seq"/> and answers its seq within its stream.</summary>
        public long InsertEvent(long seq, OutgoingEvent outgoing, long now)
        {
            var next = _nextStreamSeq ??= Create(SqliteSql.NextStreamSeq, "$stream");
            Bind(next, outgoing.Stream);
            var streamSeq = (long)next.ExecuteScalar()!;
            var insert = _insertEvent ??= Create(SqliteSql.InsertEvent, "$seq", "$stream", "$streamSeq", "$type", "$payload", "$now");
            Bind(insert, seq, outgoing.Stream, streamSeq, outgoing.Type, outgoing.Payload, now);
            insert.ExecuteNonQuery();
            return streamSeq;
        }

        public void UpsertReminder(GrainId grain, int partition, ReminderOperation reminder, long version)
        {
            var command = _upsertReminder ??= Create(
                SqliteSql.UpsertReminder, "$type", "$key", "$name", "$partition", "$due", "$period", "$policy", "$version");
            Bind(
                command,
                grain.Type,
                grain.Key,
                reminder.Name,
                partition,
                ToMicros(reminder.DueAt),
                reminder.Period is { } period ? ToMicros(period) : null,
                (int)reminder.Policy,
                version);
            command.ExecuteNonQuery();
        }

        public void DeleteReminder(GrainId grain, string name)
        {
            var command = _deleteReminder ??= Create(SqliteSql.DeleteReminder, "$type", "$key", "$name");
            Bind(command, grain.Type, grain.Key, name);
            command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            foreach (var command in _commands)
            {
                command.Dispose();
            }
        }

        private SqliteCommand Create(string sql, params string[] parameterNames)
        {
            var command = Command(_transaction, sql);
            foreach (var name in parameterNames)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            _commands.Add(command);
            return command;
        }

        private static void Bind(SqliteCommand command, params ReadOnlySpan<object?> values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }
    }
}
