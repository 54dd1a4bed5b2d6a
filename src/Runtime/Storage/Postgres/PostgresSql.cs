namespace Actors.Runtime.Storage.Postgres;

/// <summary>The PostgreSQL schema and statements. Every lease and claim compares against clock_timestamp().</summary>
internal static class PostgresSql
{
    /// <summary>
    /// The schema this code writes: 1, the tables; 2, outbox rows numbered by the commit that appends them; 3, the check
    /// function that lets a group commit run in one round trip; 4, text payloads, the due-time index and the renamed
    /// check function (<see cref="Migration4"/>).
    /// </summary>
    public const int SchemaVersion = 4;

    /// <summary>
    /// The SQLSTATE <c>actors_check</c> raises: a commit unit's lease or expected version did not hold. The message is
    /// the failure text the statement passed: the failing state write's number among the group's, or the negative number
    /// of a lease.
    /// </summary>
    public const string CheckFailed = "AR001";

    /// <summary>Advisory lock keys ("Actors" followed by a purpose byte), held only for one transaction.</summary>
    public const long MigrationLock = 0x4163746f72730001;

    /// <summary>Held by a commit that appends outbox rows, from numbering them to the end of the transaction.</summary>
    public const long SequencerLock = 0x4163746f72730002;

    /// <summary>
    /// The first key of a partition's fence lock, pg_advisory_xact_lock(<see cref="PartitionFence"/>, partition): the
    /// two-key locks are a space of their own, apart from the one-key locks above.
    /// </summary>
    public const int PartitionFence = 0x41637472;

    /// <summary>Notified by every commit that appends outbox rows; the notification arrives once they are readable.</summary>
    public const string EventsChannel = "actors_outbox";

    public const string Listen = $"LISTEN {EventsChannel}";

    /// <summary>Takes one of the advisory locks above until the transaction ends.</summary>
    public const string TakeTransactionLock = "SELECT pg_advisory_xact_lock($1)";

    public const string CreateSchemaVersion = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT clock_timestamp())
        """;

    public const string ReadSchemaVersion = "SELECT coalesce(max(version), 0) FROM schema_version";

    public const string SchemaVersionTableExists = "SELECT to_regclass('schema_version') IS NOT NULL";

    public const string RecordSchemaVersion = "INSERT INTO schema_version (version) VALUES ($1) ON CONFLICT DO NOTHING";

    /// <summary>Migration 1. Idempotent on its own; the advisory lock keeps concurrent starts from racing on the catalog.</summary>
    public const string Migration1 = """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type text NOT NULL,
            grain_key text NOT NULL,
            state_name text NOT NULL,
            version bigint NOT NULL,
            payload jsonb NULL,
            modified_at timestamptz NOT NULL,
            PRIMARY KEY (grain_type, grain_key, state_name));

        CREATE SEQUENCE IF NOT EXISTS reminder_version_seq;
        CREATE TABLE IF NOT EXISTS reminder (
            grain_type text NOT NULL,
            grain_key text NOT NULL,
            name text NOT NULL,
            partition_id integer NOT NULL,
            due_at timestamptz NOT NULL,
            period interval NULL,
            policy smallint NOT NULL,
            claimed_by text NULL,
            claim_expires_at timestamptz NULL,
            attempts integer NOT NULL,
            version bigint NOT NULL,
            PRIMARY KEY (grain_type, grain_key, name));
        CREATE INDEX IF NOT EXISTS reminder_partition_due ON reminder (partition_id, due_at);

        CREATE TABLE IF NOT EXISTS outbox (
            id bigserial PRIMARY KEY,
            xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            seq bigint NULL UNIQUE,
            stream text NOT NULL,
            stream_seq bigint NULL,
            type text NOT NULL,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS outbox_unsequenced ON outbox (xid, id) WHERE seq IS NULL;
        CREATE INDEX IF NOT EXISTS outbox_stream_seq ON outbox (stream, seq);

        CREATE TABLE IF NOT EXISTS stream_head (
            stream text PRIMARY KEY,
            last_seq bigint NOT NULL);

        CREATE TABLE IF NOT EXISTS outbox_head (
            id integer PRIMARY KEY CHECK (id = 1),
            last_seq bigint NOT NULL);
        INSERT INTO outbox_head (id, last_seq) VALUES (1, 0) ON CONFLICT DO NOTHING;

        CREATE TABLE IF NOT EXISTS consumer_checkpoint (
            consumer text PRIMARY KEY,
            seq bigint NOT NULL);

        CREATE TABLE IF NOT EXISTS node (
            node_id text PRIMARY KEY,
            address text NULL,
            started_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            status smallint NOT NULL);

        CREATE TABLE IF NOT EXISTS partition_lease (
            partition_id integer PRIMARY KEY,
            owner_node text NULL,
            epoch bigint NOT NULL,
            expires_at timestamptz NOT NULL);
        """;

    /// <summary>
    /// Migration 2: a commit numbers the outbox rows it appends (<see cref="AppendEvents"/>), instead of a sequencer
    /// rewriting every row after its commit. Rows a schema-1 node appended and never numbered are numbered first, in
    /// the order that node's sequencer would have given (transaction, then insertion); the table lock waits for such a
    /// node's open transactions. After it, seq and stream_seq are required, so a schema-1 node still running cannot
    /// append rows the readers would never see: its commits fail until it is upgraded.
    /// </summary>
    public const string Migration2 = """
        LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE;

        WITH pending AS MATERIALIZED (
            SELECT id, stream,
                   row_number() OVER (ORDER BY xid, id) AS n,
                   row_number() OVER (PARTITION BY stream ORDER BY xid, id) AS stream_n
            FROM outbox
            WHERE seq IS NULL),
        head AS (
            UPDATE outbox_head SET last_seq = last_seq + (SELECT count(*) FROM pending)
            WHERE id = 1
            RETURNING last_seq - (SELECT count(*) FROM pending) AS base)
        UPDATE outbox o
        SET seq = h.base + p.n,
            stream_seq = coalesce(s.last_seq, 0) + p.stream_n
        FROM pending p
        CROSS JOIN head h
        LEFT JOIN stream_head s ON s.stream = p.stream
        WHERE o.id = p.id;

        DROP INDEX IF EXISTS outbox_unsequenced;
        ALTER TABLE outbox DROP COLUMN xid, ALTER COLUMN seq SET NOT NULL, ALTER COLUMN stream_seq SET NOT NULL;
        DROP TABLE stream_head;
        """;

    /// <summary>
    /// Migration 3: <c>actors_require</c> fails the statement (and so the whole implicit transaction of a batch) when a
    /// check does not hold, so a group commit needs no round trip to look at row counts before it commits.
    /// </summary>
    public const string Migration3 = $$"""
        CREATE OR REPLACE FUNCTION actors_require(ok boolean, failure text) RETURNS boolean
        LANGUAGE plpgsql AS $body$
        BEGIN
            IF NOT ok THEN
                RAISE EXCEPTION USING ERRCODE = '{{CheckFailed}}', MESSAGE = failure;
            END IF;
            RETURN true;
        END
        $body$;
        """;

    /// <summary>
    /// Migration 4, for the write path's cost:
    /// <list type="bullet">
    /// <item>Payloads are text. The node writes and reads JSON text; as jsonb every write parsed it and every read
    /// printed it again: an update of a 600-byte state cost 42 µs as jsonb and 25 µs as text.</item>
    /// <item>The outbox's key is its sequence number: the row id, its sequence and its index had no reader left.</item>
    /// <item>Reminders are also indexed by due time, so a claim reads the oldest due ones in order and stops at the batch
    /// size instead of sorting every due reminder of its partitions (18 ms a claim with 10,000 due). Free space is
    /// left in their pages (and in the state's), so the updates of a claim, an abandon and a state write can stay on
    /// the row's page without touching the indexes.</item>
    /// <item>The check function is renamed <c>actors_check</c>, so a node of an earlier schema still running can no longer
    /// commit: its group commits fence with <c>FOR SHARE</c> on the lease rows and its take-overs without the partition
    /// fence lock (<see cref="FencePartition"/>), and the two fences do not see each other. Stop every silo before the
    /// upgrade: the migration also rewrites the state and outbox tables.</item>
    /// </list>
    /// </summary>
    public const string Migration4 = """
        ALTER TABLE grain_state SET (fillfactor = 80);
        ALTER TABLE grain_state ALTER COLUMN payload TYPE text USING payload::text;

        ALTER TABLE outbox
            DROP COLUMN id,
            DROP CONSTRAINT outbox_seq_key,
            ADD PRIMARY KEY (seq),
            ALTER COLUMN payload TYPE text USING payload::text;

        ALTER TABLE reminder SET (fillfactor = 70);
        CREATE INDEX IF NOT EXISTS reminder_due ON reminder (due_at, partition_id);

        ALTER FUNCTION actors_require(boolean, text) RENAME TO actors_check;
        """;

    public const string StoreTime = "SELECT clock_timestamp()";

    // ---- grain state -----------------------------------------------------------------------------------------

    public const string ReadState = """
        SELECT payload, version, modified_at FROM grain_state
        WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3
        """;

    /// <summary>
    /// Several states at once: $1, $2, $3 are parallel arrays of grain types, keys and state names; k.i is each key's
    /// 1-based position. One primary-key lookup per key, whatever the table's size: the LIMIT keeps the planner from
    /// flattening the lookup into a join, which, planned while the table was small (a new store, or statistics not yet
    /// updated by autovacuum), hashed the keys and scanned the whole table on every read (3.3 ms a read, 38% of
    /// PostgreSQL's time in the move-in benchmark's profile).
    /// </summary>
    public const string ReadStates = """
        SELECT k.i, s.payload, s.version, s.modified_at
        FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(grain_type, grain_key, state_name, i)
        CROSS JOIN LATERAL (
            SELECT g.payload, g.version, g.modified_at FROM grain_state g
            WHERE g.grain_type = k.grain_type AND g.grain_key = k.grain_key AND g.state_name = k.state_name
            LIMIT 1) AS s
        """;

    public const string ReadStateVersion = """
        SELECT version FROM grain_state WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3
        """;

    /// <summary>
    /// The first statement of a group commit after the reads riding in it: each partition's fence lock ($1 is <see cref="PartitionFence"/>), shared,
    /// in ascending partition order (the array is sorted), until the transaction ends. A takeover (<see cref="FencePartition"/>) takes the lock exclusively
    /// before it changes the lease, so it waits for every commit that may have checked the old lease, and a commit that
    /// comes later waits for the takeover and then finds the new lease. The fence used to be FOR SHARE on the lease
    /// rows: concurrent group commits sharing a row made PostgreSQL write a multixact into it, 23 µs a check and eleven
    /// checks per move-in.
    /// </summary>
    public const string FencePartitionsShared = "SELECT pg_advisory_xact_lock_shared($1, p) FROM unnest($2::integer[]) AS p";

    /// <summary>
    /// After <see cref="FencePartitionsShared"/>, so its snapshot sees any takeover that committed before the locks were
    /// granted: fails with <see cref="CheckFailed"/> and the lease's failure text unless the node holds each lease at its
    /// epoch. $1 to $4 are parallel arrays of partitions, nodes, epochs and failure texts.
    /// </summary>
    public const string RequireLeases = """
        SELECT actors_check(
            coalesce(l.owner_node = h.owner_node AND l.epoch = h.epoch AND l.expires_at > clock_timestamp(), false), h.failure)
        FROM unnest($1::integer[], $2::text[], $3::bigint[], $4::text[]) AS h(partition_id, owner_node, epoch, failure)
        LEFT JOIN partition_lease l ON l.partition_id = h.partition_id
        """;

    /// <summary>
    /// The first writes of a group commit's units, one row each: $1 to $5 are parallel arrays of grain types, keys, state
    /// names, payloads and failure texts. Fails with <see cref="CheckFailed"/> and the failure text of the first row
    /// (in array order) that exists already. A clear inserts a row too (payload NULL), so the next write has a version to
    /// expect. The rows' keys are distinct: a unit names each state once, and one statement holds each grain's writes of
    /// one unit.
    /// </summary>
    public const string InsertStates = """
        WITH k AS MATERIALIZED (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
                AS k(grain_type, grain_key, state_name, payload, failure, i)),
        written AS (
            INSERT INTO grain_state (grain_type, grain_key, state_name, version, payload, modified_at)
            SELECT k.grain_type, k.grain_key, k.state_name, 1, k.payload, now() FROM k ORDER BY k.i
            ON CONFLICT DO NOTHING
            RETURNING grain_type, grain_key, state_name)
        SELECT actors_check(f.failure IS NULL, f.failure)
        FROM (VALUES (1)) AS one
        LEFT JOIN LATERAL (
            SELECT k.failure FROM k
            WHERE NOT EXISTS (
                SELECT 1 FROM written w
                WHERE w.grain_type = k.grain_type AND w.grain_key = k.grain_key AND w.state_name = k.state_name)
            ORDER BY k.i LIMIT 1) AS f ON true
        """;

    /// <summary>
    /// The writes of a group commit's units to states that exist, one row each: $1 to $6 are parallel arrays of grain
    /// types, keys, state names, payloads (NULL clears), expected versions and failure texts. Fails with
    /// <see cref="CheckFailed"/> and the failure text of the first row (in array order) not at its expected version.
    /// </summary>
    public const string UpdateStates = """
        WITH k AS MATERIALIZED (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) WITH ORDINALITY
                AS k(grain_type, grain_key, state_name, payload, expected, failure, i)),
        written AS (
            UPDATE grain_state g SET payload = k.payload, version = g.version + 1, modified_at = now()
            FROM k
            WHERE g.grain_type = k.grain_type AND g.grain_key = k.grain_key AND g.state_name = k.state_name
              AND g.version = k.expected
            RETURNING k.i)
        SELECT actors_check(f.failure IS NULL, f.failure)
        FROM (VALUES (1)) AS one
        LEFT JOIN LATERAL (
            SELECT k.failure FROM k WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.i = k.i)
            ORDER BY k.i LIMIT 1) AS f ON true
        """;

    /// <summary>
    /// Appends a commit's events with their global and per-stream sequence numbers, in the order of the arrays. It runs
    /// in a statement after <see cref="TakeTransactionLock"/> of <see cref="SequencerLock"/>, so its snapshot sees every
    /// earlier append, and the lock is held until the transaction ends: appends are numbered in the order they commit, a
    /// number is never taken by a transaction that has not ended before the next one is given, and a rolled-back append
    /// gives its numbers back (the head's update is undone with it). So readers never see a gap that is later filled. A
    /// stream's next number continues from its newest row (one backward step on <c>outbox_stream_seq</c>).
    /// </summary>
    public const string AppendEvents = $$"""
        WITH e AS MATERIALIZED (
            SELECT e.stream, e.type, e.payload, e.n
            FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(stream, type, payload, n)),
        head AS (
            UPDATE outbox_head SET last_seq = last_seq + cardinality($1::text[]) WHERE id = 1
            RETURNING last_seq - cardinality($1::text[]) AS base),
        streams AS MATERIALIZED (
            SELECT s.stream,
                   coalesce((SELECT o.stream_seq FROM outbox o WHERE o.stream = s.stream ORDER BY o.seq DESC LIMIT 1), 0) AS last
            FROM (SELECT DISTINCT stream FROM e) AS s)
        INSERT INTO outbox (seq, stream, stream_seq, type, payload)
        SELECT h.base + e.n, e.stream, st.last + row_number() OVER (PARTITION BY e.stream ORDER BY e.n), e.type, e.payload
        FROM e CROSS JOIN head h JOIN streams st ON st.stream = e.stream
        ORDER BY e.n
        RETURNING seq AS {{AppendedSeqColumn}}, stream_seq, created_at
        """;

    /// <summary>The first column of <see cref="AppendEvents"/>' rows, by which a batch's reader knows them.</summary>
    public const string AppendedSeqColumn = "appended_seq";

    /// <summary>
    /// Tells the listening nodes the commit's last seq (the head, which the commit holds locked), sent when it commits:
    /// a node whose kept events reach it needs no read.
    /// </summary>
    public const string NotifyOutbox = $"SELECT pg_notify('{EventsChannel}', last_seq::text) FROM outbox_head WHERE id = 1";

    // ---- outbox ----------------------------------------------------------------------------------------------

    public const string ReadLastSeq = "SELECT last_seq FROM outbox_head WHERE id = 1";

    public const string ReadEvents = """
        SELECT seq, stream, stream_seq, type, payload, created_at FROM outbox
        WHERE seq > $1 ORDER BY seq LIMIT $2
        """;

    public const string ReadStreamEvents = """
        SELECT seq, stream, stream_seq, type, payload, created_at FROM outbox
        WHERE stream = $3 AND seq > $1 ORDER BY seq LIMIT $2
        """;

    public const string ReadCheckpoint = "SELECT seq FROM consumer_checkpoint WHERE consumer = $1";

    public const string WriteCheckpoint = """
        INSERT INTO consumer_checkpoint (consumer, seq) VALUES ($1, $2)
        ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq
        """;

    // ---- reminders -------------------------------------------------------------------------------------------

    private const string ReminderColumns =
        "grain_type, grain_key, name, partition_id, due_at, period, policy, version, claimed_by, claim_expires_at, attempts";

    /// <summary>
    /// A group commit's reminder registrations: $1 to $7 are parallel arrays of grain types, keys, names, partitions, due
    /// times, periods (NULL for one-shot) and missed-tick policies. Versions come from one sequence, so they never repeat
    /// even after a delete and a re-register: a delivery that claimed the old reminder can never complete the new one.
    /// The (grain, name) pairs are distinct: a unit names each reminder once, and one statement holds one unit of a grain.
    /// </summary>
    public const string UpsertReminders = """
        INSERT INTO reminder (grain_type, grain_key, name, partition_id, due_at, period, policy, claimed_by, claim_expires_at, attempts, version)
        SELECT r.grain_type, r.grain_key, r.name, r.partition_id, r.due_at, r.period, r.policy, NULL, NULL, 0, nextval('reminder_version_seq')
        FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::timestamptz[], $6::interval[], $7::smallint[])
            AS r(grain_type, grain_key, name, partition_id, due_at, period, policy)
        ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET
            partition_id = excluded.partition_id, due_at = excluded.due_at, period = excluded.period, policy = excluded.policy,
            claimed_by = NULL, claim_expires_at = NULL, attempts = 0, version = excluded.version
        """;

    /// <summary>A group commit's reminder removals: $1 to $3 are parallel arrays of grain types, keys and names.</summary>
    public const string DeleteReminders = """
        DELETE FROM reminder r
        USING unnest($1::text[], $2::text[], $3::text[]) AS d(grain_type, grain_key, name)
        WHERE r.grain_type = d.grain_type AND r.grain_key = d.grain_key AND r.name = d.name
        """;

    public const string ReadReminder =
        $"SELECT {ReminderColumns} FROM reminder WHERE grain_type = $1 AND grain_key = $2 AND name = $3";

    public const string ReadReminders =
        $"SELECT {ReminderColumns} FROM reminder WHERE grain_type = $1 AND grain_key = $2 ORDER BY name";

    /// <summary>
    /// The oldest due reminders, read in the order of the (due, partition) index up to the batch size (the connections
    /// plan without bitmap scans, which would fetch every due reminder and sort them). The claimed rows are updated by
    /// the row address their lock was taken on (a TID scan per row), not joined back by key: with the reminder table's
    /// statistics from when it was nearly empty the planner joined by key with a nested loop over the whole table,
    /// 1.2 s for a claim of 256 among 6,600 rows.
    /// </summary>
    public const string ClaimDueReminders = $"""
        WITH due AS (
            SELECT ctid FROM reminder
            WHERE due_at <= $2 AND partition_id = ANY($1)
              AND (claimed_by IS NULL OR claim_expires_at <= clock_timestamp())
            ORDER BY due_at, partition_id
            LIMIT $3
            FOR UPDATE SKIP LOCKED)
        UPDATE reminder r
        SET claimed_by = $4, claim_expires_at = clock_timestamp() + $5, attempts = r.attempts + 1,
            version = nextval('reminder_version_seq')
        FROM due
        WHERE r.ctid = due.ctid
        RETURNING r.grain_type, r.grain_key, r.name, r.partition_id, r.due_at, r.period, r.policy, r.version,
                  r.claimed_by, r.claim_expires_at, r.attempts
        """;

    public const string CompleteReminderDelete =
        "DELETE FROM reminder WHERE grain_type = $1 AND grain_key = $2 AND name = $3 AND version = $4";

    public const string CompleteReminderRearm = """
        UPDATE reminder
        SET due_at = $5, claimed_by = NULL, claim_expires_at = NULL, attempts = 0, version = nextval('reminder_version_seq')
        WHERE grain_type = $1 AND grain_key = $2 AND name = $3 AND version = $4
        """;

    public const string AbandonReminder = """
        UPDATE reminder SET claim_expires_at = clock_timestamp() + $5
        WHERE grain_type = $1 AND grain_key = $2 AND name = $3 AND version = $4
        """;

    public const string ReleaseForeignClaims = """
        UPDATE reminder SET claimed_by = NULL, claim_expires_at = NULL, version = nextval('reminder_version_seq')
        WHERE partition_id = $1 AND claimed_by IS NOT NULL AND claimed_by <> $2
        """;

    /// <summary>
    /// The earliest unclaimed due time: the (due, partition) index read in order up to the first row of one of the
    /// partitions that is not claimed, so a node holding every partition reads one entry. It used to be one index scan
    /// per partition on (partition, due), whose cost grew with the partitions held: 2.7 ms for 256 on a quiet server,
    /// 15 ms a look in the move-in benchmark, where the reminder loop looked five times a second.
    /// </summary>
    public const string NextReminderDue = """
        SELECT r.due_at FROM reminder r
        WHERE r.partition_id = ANY($1) AND (r.claimed_by IS NULL OR r.claim_expires_at <= clock_timestamp())
        ORDER BY r.due_at
        LIMIT 1
        """;

    /// <summary>
    /// The first entry of the (due, partition) index: a manual clock move asks it every few milliseconds until its
    /// reminders have run, and a count of the due rows cost 7.1 ms with 10,000 of them due.
    /// </summary>
    public const string AnyDueReminders = "SELECT EXISTS (SELECT 1 FROM reminder WHERE due_at <= $1)";

    // ---- membership and leases -------------------------------------------------------------------------------

    /// <summary>One reading of the clock for both instants: clock_timestamp() changes between two calls in one row.</summary>
    public const string RegisterNode = """
        INSERT INTO node (node_id, address, started_at, heartbeat_at, status)
        SELECT $1, $2, clock.now, clock.now, $3 FROM (SELECT clock_timestamp() AS now) AS clock
        ON CONFLICT (node_id) DO UPDATE SET
            address = excluded.address, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, status = excluded.status
        """;

    public const string Heartbeat = "UPDATE node SET heartbeat_at = clock_timestamp() WHERE node_id = $1";

    public const string SetNodeStatus = "UPDATE node SET status = $2 WHERE node_id = $1";

    public const string ReadNodes = "SELECT node_id, address, started_at, heartbeat_at, status FROM node ORDER BY node_id";

    public const string EnsurePartitions = """
        INSERT INTO partition_lease (partition_id, owner_node, epoch, expires_at)
        SELECT p, NULL, 0, 'epoch'::timestamptz FROM generate_series(0, $1 - 1) AS p
        ON CONFLICT DO NOTHING
        """;

    public const string ReadLeases = "SELECT partition_id, owner_node, epoch, expires_at FROM partition_lease ORDER BY partition_id";

    /// <summary>
    /// Before <see cref="AcquireLease"/>, in its transaction ($1 is <see cref="PartitionFence"/>, $2 the partition): waits
    /// for the group commits that hold the partition's fence
    /// (<see cref="FencePartitionsShared"/>) and holds off new ones until the lease has changed.
    /// </summary>
    public const string FencePartition = "SELECT pg_advisory_xact_lock($1, $2)";

    /// <summary>
    /// The owner may take its own lease again (a restarted node keeps its id): the epoch still grows, which
    /// fences anything the previous incarnation left in flight.
    /// </summary>
    public const string AcquireLease = """
        UPDATE partition_lease SET owner_node = $2, epoch = epoch + 1, expires_at = clock_timestamp() + $3
        WHERE partition_id = $1 AND ($4 OR owner_node IS NULL OR owner_node = $2 OR expires_at <= clock_timestamp())
        RETURNING partition_id, owner_node, epoch, expires_at
        """;

    /// <summary>
    /// Locks the rows in ascending partition order before updating them (ORDER BY is applied before FOR UPDATE), the
    /// order every statement that locks several lease rows takes them in, so no two of them can deadlock.
    /// </summary>
    public const string RenewLeases = """
        WITH held AS (
            SELECT l.partition_id
            FROM partition_lease l
            JOIN unnest($3::integer[], $4::bigint[]) AS h(partition_id, epoch) ON l.partition_id = h.partition_id AND l.epoch = h.epoch
            WHERE l.owner_node = $1
            ORDER BY l.partition_id
            FOR UPDATE OF l
        )
        UPDATE partition_lease l SET expires_at = clock_timestamp() + $2
        FROM held
        WHERE l.partition_id = held.partition_id
        RETURNING l.partition_id, l.owner_node, l.epoch, l.expires_at
        """;

    public const string ReleaseLeases = """
        UPDATE partition_lease SET owner_node = NULL, expires_at = clock_timestamp()
        WHERE owner_node = $1 AND partition_id = ANY($2)
        """;
}
