namespace Actors.Runtime.Storage;

/// <summary>
/// The one storage abstraction the runtime needs: grain state, reminders, the outbox, consumer checkpoints and
/// cluster membership. Two providers implement it (SQLite, the embedded default; PostgreSQL, production and
/// cluster) and pass the same conformance suite. Every guarantee is enforced inside a store transaction.
/// </summary>
public interface IStorageProvider : IAsyncDisposable
{
    /// <summary>"Sqlite" or "Postgres".</summary>
    string Name { get; }

    /// <summary>
    /// True when the store can only be used by one process at a time (SQLite). Such a store takes an exclusive
    /// lock on open, so the node that holds it may take every partition lease at once.
    /// </summary>
    bool IsSingleProcess { get; }

    /// <summary>Creates or upgrades the schema, idempotently, and records its version.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The schema version recorded in the store (0 before <see cref="InitializeAsync"/>).</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>The store's current clock, against which lease and claim expiry are compared.</summary>
    Task<DateTimeOffset> GetStoreTimeAsync(CancellationToken cancellationToken);

    // ---- grain state -------------------------------------------------------------------------------------

    /// <summary>Reads one named state of a grain; null when no row was ever written.</summary>
    Task<StoredState?> ReadStateAsync(GrainId grain, string stateName, CancellationToken cancellationToken);

    /// <summary>
    /// Reads several named states in one store round trip (grains activating at the same time); one result per key,
    /// in order, null where no row was ever written. Each result is as <see cref="ReadStateAsync"/> would give it.
    /// </summary>
    Task<IReadOnlyList<StoredState?>> ReadStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Commits several independent grain units of work, ideally in one store transaction (group commit).
    /// Each one is checked and applied all-or-nothing on its own: its lease (the node must own the partition
    /// at the token's epoch, unexpired), then each state's expected version, then its state rows, its outbox
    /// rows and its reminder changes. A failed check skips only that unit. Returns one result per unit, in order.
    /// The outbox rows get their global and per-stream sequence numbers in the same transaction, in commit order,
    /// with no gap a later commit could fill: a reader that has seen seq n has seen every row below it.
    /// </summary>
    Task<IReadOnlyList<CommitResult>> CommitAsync(IReadOnlyList<GrainCommit> commits, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="CommitAsync(IReadOnlyList{GrainCommit}, CancellationToken)"/> with state reads riding in its store
    /// transaction (activating grains' reads that met the group commit): one round trip, one transaction. The reads run
    /// first and see what was committed before them, not the group's own writes; each is answered as
    /// <see cref="ReadStatesAsync"/> would answer it. A failed check rolls back only writes, so the reads' answers stand
    /// whatever the units' results.
    /// </summary>
    Task<GroupCommitResult> CommitAsync(IReadOnlyList<GrainCommit> commits, IReadOnlyList<StateKey> reads, CancellationToken cancellationToken);

    // ---- reminders ---------------------------------------------------------------------------------------

    Task<ReminderRecord?> ReadReminderAsync(GrainId grain, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(GrainId grain, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> reminders in <paramref name="partitions"/> that are due at
    /// <paramref name="dueBy"/> (business time) and not claimed, or whose claim expired by store time.
    /// A claim sets claimed_by, claim_expires_at = store now + <paramref name="claimDuration"/>, increments
    /// attempts and the version; the returned records carry the new version. Claims never block each other
    /// (PostgreSQL: FOR UPDATE SKIP LOCKED). Ordered by due time.
    /// </summary>
    Task<IReadOnlyList<ReminderRecord>> ClaimDueRemindersAsync(
        string nodeId,
        IReadOnlyCollection<int> partitions,
        DateTimeOffset dueBy,
        TimeSpan claimDuration,
        int max,
        CancellationToken cancellationToken);

    /// <summary>
    /// After successful deliveries, in one store transaction: deletes each reminder (its <see cref="ReminderCompletion.NextDueAt"/>
    /// null) or re-arms it at that time with the claim cleared, attempts reset and the version bumped, but only if its
    /// version is still the claimed one. An unregister or update since the claim wins. Returns, per completion in order,
    /// whether the row was changed.
    /// </summary>
    Task<IReadOnlyList<bool>> CompleteRemindersAsync(IReadOnlyList<ReminderCompletion> completions, CancellationToken cancellationToken);

    /// <summary>
    /// After a failed delivery: keeps the claim until <paramref name="retryAfter"/> of store time, so the
    /// reminder is retried then (by any node), if its version is still <paramref name="claimedVersion"/>.
    /// </summary>
    Task AbandonReminderAsync(GrainId grain, string name, long claimedVersion, TimeSpan retryAfter, CancellationToken cancellationToken);

    /// <summary>
    /// After <paramref name="nodeId"/> took <paramref name="partition"/> over: clears the claims other nodes hold on its
    /// reminders (the previous owner's deliveries, which the lease fence stops from committing) and bumps their
    /// versions (so that owner's late complete or abandon changes nothing), so they are delivered again at once
    /// instead of when the claims expire. Returns how many were released.
    /// </summary>
    Task<int> ReleaseForeignClaimsAsync(int partition, string nodeId, CancellationToken cancellationToken);

    /// <summary>The earliest due time of any unclaimed reminder in <paramref name="partitions"/>, or null.</summary>
    Task<DateTimeOffset?> GetNextReminderDueAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);

    /// <summary>
    /// Whether any reminder of any partition, claimed or not, is due at <paramref name="dueBy"/> (business time):
    /// due_at &lt;= <paramref name="dueBy"/>. A delivery in flight on any node still counts until it is completed.
    /// The answer stops at the first due reminder, so it costs the same with ten thousand due as with one.
    /// </summary>
    Task<bool> AnyDueRemindersAsync(DateTimeOffset dueBy, CancellationToken cancellationToken);

    // ---- outbox and checkpoints -------------------------------------------------------------------------

    /// <summary>Sequenced events with seq &gt; <paramref name="afterSeq"/>, in seq order, optionally of one stream.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSeq, int max, string? stream, CancellationToken cancellationToken);

    /// <summary>The highest assigned global sequence (0 when none).</summary>
    Task<long> GetLastSequenceAsync(CancellationToken cancellationToken);

    Task<long> ReadCheckpointAsync(string consumer, CancellationToken cancellationToken);

    Task WriteCheckpointAsync(string consumer, long seq, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when outbox rows after <paramref name="seenSeq"/> are known to be committed (this provider's own commits
    /// at once; another node's through PostgreSQL LISTEN/NOTIFY, whose notification carries its last seq) or after
    /// <paramref name="maxWait"/>, whichever is first. Answers the highest seq known committed: every row up to it is
    /// readable. A caller passes what its previous wait answered (-1 on the first), so a commit that came while it was
    /// reading is not slept through. A lost LISTEN connection is re-opened, and the last seq read once it listens again;
    /// the timeout is the short poll that covers the gap.
    /// </summary>
    Task<long> WaitForEventsAsync(long seenSeq, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>
    /// Raised after each commit of this provider that appended outbox rows, before the waiters are woken: the rows as
    /// stored, in seq order, each with the object it was raised as (<see cref="StoredEvent.Value"/>). This node's
    /// consumers take them from here instead of reading back and parsing what they committed. Handlers run on the
    /// committing thread and must be quick; one that throws is not the commit's failure.
    /// </summary>
    event Action<IReadOnlyList<StoredEvent>>? EventsAppended;

    // ---- membership and leases --------------------------------------------------------------------------

    /// <summary>Inserts or replaces this node's row (status Active, heartbeat now).</summary>
    Task RegisterNodeAsync(string nodeId, string? address, CancellationToken cancellationToken);

    Task HeartbeatAsync(string nodeId, CancellationToken cancellationToken);

    Task SetNodeStatusAsync(string nodeId, NodeStatus status, CancellationToken cancellationToken);

    Task<IReadOnlyList<NodeRecord>> ReadNodesAsync(CancellationToken cancellationToken);

    /// <summary>Creates the partition_lease rows 0..count-1 if missing (owner null, epoch 0).</summary>
    Task EnsurePartitionsAsync(int partitionCount, CancellationToken cancellationToken);

    Task<IReadOnlyList<PartitionLease>> ReadLeasesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes a partition whose lease is free or expired (or, with <paramref name="force"/>, any lease: only for a
    /// single-process store). Increments the epoch. Returns the new lease, or null when someone else holds it.
    /// </summary>
    Task<PartitionLease?> TryAcquireLeaseAsync(int partition, string nodeId, TimeSpan duration, bool force, CancellationToken cancellationToken);

    /// <summary>
    /// Extends the leases this node holds at the given epochs to store now + <paramref name="duration"/>.
    /// Returns the leases actually renewed; one missing from the answer was lost.
    /// </summary>
    Task<IReadOnlyList<PartitionLease>> RenewLeasesAsync(string nodeId, IReadOnlyCollection<PartitionLease> held, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives up leases (graceful hand-over): owner null, expired now, epoch unchanged.</summary>
    Task ReleaseLeasesAsync(string nodeId, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);
}
