namespace Actors.Runtime.Storage.Sqlite;

/// <summary>
/// The SQLite schema and statements. Instants are integer unix microseconds (UTC), the precision PostgreSQL's
/// timestamptz keeps, so both providers round-trip the same values. Payloads are JSON text.
/// </summary>
internal static class SqliteSql
{
    public const int SchemaVersion = 1;

    public const string ConnectionPragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        """;

    public const string CreateSchemaVersion = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER PRIMARY KEY,
            applied_at INTEGER NOT NULL)
        """;

    public const string ReadSchemaVersion = "SELECT coalesce(max(version), 0) FROM schema_version";

    public const string SchemaVersionTableExists =
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";

    public const string RecordSchemaVersion =
        "INSERT OR IGNORE INTO schema_version (version, applied_at) VALUES ($version, $now)";

    /// <summary>Migration 1. Every statement is idempotent so a half-applied start-up can simply run it again.</summary>
    public const string Migration1 = """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type TEXT NOT NULL,
            grain_key TEXT NOT NULL,
            state_name TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload TEXT NULL,
            modified_at INTEGER NOT NULL,
            PRIMARY KEY (grain_type, grain_key, state_name)) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS reminder (
            grain_type TEXT NOT NULL,
            grain_key TEXT NOT NULL,
            name TEXT NOT NULL,
            partition_id INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            period INTEGER NULL,
            policy INTEGER NOT NULL,
            claimed_by TEXT NULL,
            claim_expires_at INTEGER NULL,
            attempts INTEGER NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (grain_type, grain_key, name)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS reminder_partition_due ON reminder (partition_id, due_at);

        CREATE TABLE IF NOT EXISTS outbox (
            seq INTEGER PRIMARY KEY,
            stream TEXT NOT NULL,
            stream_seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS outbox_stream_seq ON outbox (stream, seq);

        CREATE TABLE IF NOT EXISTS stream_head (
            stream TEXT PRIMARY KEY,
            last_seq INTEGER NOT NULL) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS counter (
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR IGNORE INTO counter (name, value) VALUES ('outbox_seq', 0), ('reminder_version', 0);

        CREATE TABLE IF NOT EXISTS consumer_checkpoint (
            consumer TEXT PRIMARY KEY,
            seq INTEGER NOT NULL) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS node (
            node_id TEXT PRIMARY KEY,
            address TEXT NULL,
            started_at INTEGER NOT NULL,
            heartbeat_at INTEGER NOT NULL,
            status INTEGER NOT NULL) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS partition_lease (
            partition_id INTEGER PRIMARY KEY,
            owner_node TEXT NULL,
            epoch INTEGER NOT NULL,
            expires_at INTEGER NOT NULL);
        """;

    // ---- grain state ---------------------------------------------------------------------------------------

    public const string ReadState = """
        SELECT payload, version, modified_at FROM grain_state
        WHERE grain_type = $type AND grain_key = $key AND state_name = $state
        """;

    public const string ReadStateVersion = """
        SELECT version FROM grain_state
        WHERE grain_type = $type AND grain_key = $key AND state_name = $state
        """;

    /// <summary>A clear inserts a row too (payload NULL), so the next write has a version to expect.</summary>
    public const string InsertState = """
        INSERT INTO grain_state (grain_type, grain_key, state_name, version, payload, modified_at)
        VALUES ($type, $key, $state, 1, $payload, $now)
        ON CONFLICT DO NOTHING
        """;

    public const string UpdateState = """
        UPDATE grain_state SET payload = $payload, version = version + 1, modified_at = $now
        WHERE grain_type = $type AND grain_key = $key AND state_name = $state AND version = $expected
        """;

    public const string HoldsLease = """
        SELECT count(*) FROM partition_lease
        WHERE partition_id = $partition AND owner_node = $node AND epoch = $epoch AND expires_at > $now
        """;

    // ---- outbox ----------------------------------------------------------------------------------------------

    public const string ReadCounter = "SELECT value FROM counter WHERE name = $name";

    public const string WriteCounter = "UPDATE counter SET value = $value WHERE name = $name";

    public const string NextStreamSeq = """
        INSERT INTO stream_head (stream, last_seq) VALUES ($stream, 1)
        ON CONFLICT (stream) DO UPDATE SET last_seq = last_seq + 1
        RETURNING last_seq
        """;

    public const string InsertEvent = """
        INSERT INTO outbox (seq, stream, stream_seq, type, payload, created_at)
        VALUES ($seq, $stream, $streamSeq, $type, $payload, $now)
        """;

    public const string ReadLastSeq = "SELECT value FROM counter WHERE name = 'outbox_seq'";

    public const string ReadEvents = """
        SELECT seq, stream, stream_seq, type, payload, created_at FROM outbox
        WHERE seq > $after ORDER BY seq LIMIT $max
        """;

    public const string ReadStreamEvents = """
        SELECT seq, stream, stream_seq, type, payload, created_at FROM outbox
        WHERE stream = $stream AND seq > $after ORDER BY seq LIMIT $max
        """;

    public const string ReadCheckpoint = "SELECT seq FROM consumer_checkpoint WHERE consumer = $consumer";

    public const string WriteCheckpoint = """
        INSERT INTO consumer_checkpoint (consumer, seq) VALUES ($consumer, $seq)
        ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq
        """;

    // ---- reminders -------------------------------------------------------------------------------------------

    private const string ReminderColumns =
        "grain_type, grain_key, name, partition_id, due_at, period, policy, version, claimed_by, claim_expires_at, attempts";

    public const string UpsertReminder = """
        INSERT INTO reminder (grain_type, grain_key, name, partition_id, due_at, period, policy, claimed_by, claim_expires_at, attempts, version)
        VALUES ($type, $key, $name, $partition, $due, $period, $policy, NULL, NULL, 0, $version)
        ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET
            partition_id = excluded.partition_id, due_at = excluded.due_at, period = excluded.period, policy = excluded.policy,
            claimed_by = NULL, claim_expires_at = NULL, attempts = 0, version = excluded.version
        """;

    public const string DeleteReminder = "DELETE FROM reminder WHERE grain_type = $type AND grain_key = $key AND name = $name";

    public const string ReadReminder =
        $"SELECT {ReminderColumns} FROM reminder WHERE grain_type = $type AND grain_key = $key AND name = $name";

    public const string ReadReminders =
        $"SELECT {ReminderColumns} FROM reminder WHERE grain_type = $type AND grain_key = $key ORDER BY name";

    public const string SelectDueReminders = """
        SELECT grain_type, grain_key, name FROM reminder
        WHERE partition_id IN (SELECT value FROM json_each($partitions))
          AND due_at <= $dueBy
          AND (claimed_by IS NULL OR claim_expires_at <= $now)
        ORDER BY due_at, grain_type, grain_key, name
        LIMIT $max
        """;

    public const string ClaimReminder = $"""
        UPDATE reminder SET claimed_by = $node, claim_expires_at = $expires, attempts = attempts + 1, version = $version
        WHERE grain_type = $type AND grain_key = $key AND name = $name
        RETURNING {ReminderColumns}
        """;

    public const string CompleteReminderDelete =
        "DELETE FROM reminder WHERE grain_type = $type AND grain_key = $key AND name = $name AND version = $claimed";

    public const string CompleteReminderRearm = """
        UPDATE reminder SET due_at = $due, claimed_by = NULL, claim_expires_at = NULL, attempts = 0, version = $version
        WHERE grain_type = $type AND grain_key = $key AND name = $name AND version = $claimed
        """;

    public const string AbandonReminder = """
        UPDATE reminder SET claim_expires_at = $expires
        WHERE grain_type = $type AND grain_key = $key AND name = $name AND version = $claimed
        """;

    public const string SelectForeignClaims = """
        SELECT grain_type, grain_key, name FROM reminder
        WHERE partition_id = $partition AND claimed_by IS NOT NULL AND claimed_by <> $node
        """;

    public const string ReleaseClaim = """
        UPDATE reminder SET claimed_by = NULL, claim_expires_at = NULL, version = $version
        WHERE grain_type = $type AND grain_key = $key AND name = $name
        """;

    public const string NextReminderDue = """
        SELECT min(due_at) FROM reminder
        WHERE partition_id IN (SELECT value FROM json_each($partitions))
          AND (claimed_by IS NULL OR claim_expires_at <= $now)
        """;

    /// <summary>Every partition, so it scans the table up to the first due row (the index leads with the partition).</summary>
    public const string AnyDueReminders = "SELECT EXISTS (SELECT 1 FROM reminder WHERE due_at <= $dueBy)";

    // ---- membership and leases -------------------------------------------------------------------------------

    public const string RegisterNode = """
        INSERT INTO node (node_id, address, started_at, heartbeat_at, status) VALUES ($node, $address, $now, $now, $status)
        ON CONFLICT (node_id) DO UPDATE SET
            address = excluded.address, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, status = excluded.status
        """;

    public const string Heartbeat = "UPDATE node SET heartbeat_at = $now WHERE node_id = $node";

    public const string SetNodeStatus = "UPDATE node SET status = $status WHERE node_id = $node";

    public const string ReadNodes = "SELECT node_id, address, started_at, heartbeat_at, status FROM node ORDER BY node_id";

    public const string EnsurePartitions = """
        WITH RECURSIVE p(id) AS (SELECT 0 UNION ALL SELECT id + 1 FROM p WHERE id + 1 < $count)
        INSERT OR IGNORE INTO partition_lease (partition_id, owner_node, epoch, expires_at)
        SELECT id, NULL, 0, 0 FROM p WHERE $count > 0
        """;

    public const string ReadLeases = "SELECT partition_id, owner_node, epoch, expires_at FROM partition_lease ORDER BY partition_id";

    /// <summary>
    /// The owner may take its own lease again (a restarted node keeps its id): the epoch still grows, which
    /// fences anything the previous incarnation left in flight.
    /// </summary>
    public const string AcquireLease = """
        UPDATE partition_lease SET owner_node = $node, epoch = epoch + 1, expires_at = $expires
        WHERE partition_id = $partition AND ($force OR owner_node IS NULL OR owner_node = $node OR expires_at <= $now)
        RETURNING partition_id, owner_node, epoch, expires_at
        """;

    public const string RenewLease = """
        UPDATE partition_lease SET expires_at = $expires
        WHERE partition_id = $partition AND owner_node = $node AND epoch = $epoch
        RETURNING partition_id, owner_node, epoch, expires_at
        """;

    public const string ReleaseLeases = """
        UPDATE partition_lease SET owner_node = NULL, expires_at = $now
        WHERE owner_node = $node AND partition_id IN (SELECT value FROM json_each($partitions))
        """;
}
