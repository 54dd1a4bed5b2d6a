using System.Text.Json.Serialization;

namespace Actors.Runtime.Storage;

/// <summary>A grain state as stored: the JSON payload (null once cleared) and its version, which is the ETag.</summary>
public sealed record StoredState(string? Payload, long Version, DateTimeOffset ModifiedAt)
{
    public bool RecordExists => Payload is not null;
}

/// <summary>A delivered reminder to delete (<paramref name="NextDueAt"/> null) or re-arm, if still at <paramref name="ClaimedVersion"/>.</summary>
public readonly record struct ReminderCompletion(GrainId Grain, string Name, long ClaimedVersion, DateTimeOffset? NextDueAt);

/// <summary>One named state of one grain: what a state read asks for.</summary>
public readonly record struct StateKey(GrainId Grain, string StateName);

/// <summary>
/// The lease under which an activation writes: the node that activated it and the partition epoch it
/// activated under. Every commit checks it in the same transaction (fencing).
/// </summary>
public readonly record struct LeaseToken(string NodeId, int Partition, long Epoch);

/// <summary>
/// One grain's unit of work: state writes or clears, each state named at most once, the events they raise and the
/// reminder changes they make, each reminder named at most once (the last change a turn made to it). Everything in it
/// commits atomically, or nothing does.
/// </summary>
public sealed record GrainCommit(
    GrainId Grain,
    LeaseToken Lease,
    IReadOnlyList<StateOperation> States,
    IReadOnlyList<OutgoingEvent> Events,
    IReadOnlyList<ReminderOperation> Reminders);

/// <summary>
/// Writes (<paramref name="Payload"/> not null) or clears (<paramref name="Payload"/> null) one named state.
/// <paramref name="ExpectedVersion"/> is the version the grain last read or wrote, or null when it saw no row.
/// A mismatch makes the whole commit fail with <see cref="CommitStatus.Conflict"/>.
/// </summary>
public sealed record StateOperation(string StateName, long? ExpectedVersion, string? Payload);

/// <summary>An event raised on a stream, stored in the outbox in the same transaction as the state change.</summary>
public sealed record OutgoingEvent(string Stream, string Type, string Payload)
{
    /// <summary>
    /// The object the grain raised, of which <see cref="Payload"/> is the JSON: handed to this node's consumers with the
    /// committed row (<see cref="StoredEvent.Value"/>), so they need not parse what was serialized here. Null when raised as JSON only.
    /// </summary>
    public object? Value { get; init; }
}

public enum ReminderOperationKind
{
    Upsert,
    Delete,
}

/// <summary>
/// Registers, updates or deletes a reminder. Upsert replaces due time, period and policy, clears any claim,
/// resets attempts and bumps the version, so a delivery still in flight cannot re-arm or delete it afterwards.
/// </summary>
public sealed record ReminderOperation(
    ReminderOperationKind Kind,
    string Name,
    DateTimeOffset DueAt,
    TimeSpan? Period,
    MissedTickPolicy Policy)
{
    public static ReminderOperation Delete(string name) =>
        new(ReminderOperationKind.Delete, name, default, null, MissedTickPolicy.Skip);
}

public enum CommitStatus
{
    Committed,

    /// <summary>A state's stored version differs from the expected one (a stale or duplicate write).</summary>
    Conflict,

    /// <summary>The writer no longer holds the partition lease at the epoch it activated under.</summary>
    Fenced,
}

/// <summary>A group commit's results, one per unit in order, and the states read with it, one per key in order.</summary>
public sealed record GroupCommitResult(IReadOnlyList<CommitResult> Commits, IReadOnlyList<StoredState?> States);

/// <summary>
/// The outcome of one <see cref="GrainCommit"/>. On success <see cref="NewVersions"/> holds the new version
/// of each state operation, in order. On conflict <see cref="ConflictingState"/> names the state and
/// <see cref="StoredVersion"/> the version found (null when no row exists).
/// </summary>
public sealed record CommitResult(
    CommitStatus Status,
    IReadOnlyList<long> NewVersions,
    string? ConflictingState = null,
    long? StoredVersion = null)
{
    public static CommitResult Fenced { get; } = new(CommitStatus.Fenced, []);
}

/// <summary>A reminder as stored.</summary>
public sealed record ReminderRecord(
    GrainId Grain,
    string Name,
    int Partition,
    DateTimeOffset DueAt,
    TimeSpan? Period,
    MissedTickPolicy Policy,
    long Version,
    string? ClaimedBy,
    DateTimeOffset? ClaimExpiresAt,
    int Attempts);

/// <summary>An outbox event after sequencing: a global sequence and a sequence within its stream.</summary>
public sealed record StoredEvent(long Seq, string Stream, long StreamSeq, string Type, string Payload, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// The raised object, when this node committed the event (<see cref="IStorageProvider.EventsAppended"/>): what
    /// <see cref="Payload"/> deserializes to. Null for a row read from the store. Never sent to another node.
    /// </summary>
    [JsonIgnore]
    public object? Value { get; init; }
}

/// <summary>A node of the cluster as registered.</summary>
public sealed record NodeRecord(string NodeId, string? Address, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, NodeStatus Status);

public enum NodeStatus
{
    Active,
    ShuttingDown,
    Dead,
}

/// <summary>
/// A partition lease. <see cref="Epoch"/> grows on every change of owner. <see cref="ExpiresAt"/> is in the
/// store's own clock (PostgreSQL's clock_timestamp(); the process clock for SQLite).
/// </summary>
public sealed record PartitionLease(int Partition, string? OwnerNode, long Epoch, DateTimeOffset ExpiresAt);
