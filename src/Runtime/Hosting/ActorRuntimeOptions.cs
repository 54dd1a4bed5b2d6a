using System.ComponentModel.DataAnnotations;

namespace Actors.Runtime.Hosting;

/// <summary>Runtime settings, bound from the "Runtime" configuration section (cluster settings from "Cluster").</summary>
public sealed class ActorRuntimeOptions
{
    /// <summary>How long a caller waits for a grain call (default 30 s, as Orleans).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An activation idle for this long is collected (default 15 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for (default 1 minute).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>This node's name in the cluster (default: machine name and process id).</summary>
    public string NodeName { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The address other nodes reach this one at (for forwarding); null for a single node.</summary>
    public string? NodeAddress { get; set; }

    /// <summary>
    /// The secret nodes present to each other's internal endpoint. Every node of a cluster must share it; the default
    /// is random per process, so a node without it configured accepts no forwarded calls.
    /// </summary>
    public string ClusterSecret { get; set; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Grains map to this many partitions; every node of a cluster must agree (default 64).</summary>
    [Range(1, 4096)]
    public int PartitionCount { get; set; } = 64;

    /// <summary>A partition lease not renewed for this long expires and may be taken over (default 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest the reminder service sleeps without looking at storage (default 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReminderPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a node's claim on a reminder lasts; a node that died holding it lets it go after this
    /// (default 45 s, above the call timeout so a slow but live delivery is not duplicated).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReminderClaimDuration { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>A tick delivered later than this after its due time counts as missed (default 1 minute).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MissedTickGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Reminders claimed per storage round trip (default 512). The claim is delivered while the next is claimed, so this
    /// is about half of what is in flight in a burst, and so how large its group commits grow: with 10,000 SAs due at
    /// once, 512 instead of 256 cut the store's and the silo's CPU per activation by a quarter each.
    /// </summary>
    [Range(1, 10_000)]
    public int ReminderBatchSize { get; set; } = 512;

    /// <summary>The longest an outbox consumer waits without polling, covering a lost LISTEN connection (default 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The least time between an outbox consumer catching up and its next read (default 10 ms): on a busy log the
    /// commits of that time are read in one store transaction instead of one read each. Zero reads on every commit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan OutboxReadSpacing { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How often a cluster-wide outbox consumer (a projection, an implicit stream subscription) writes its position while
    /// events keep coming (default 1 s); it writes at once when the log runs dry. After a crash its new node handles
    /// again at most this much of the log, which handlers must take (they are idempotent). Zero writes after every batch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan OutboxCheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most grain commits and state reads in one store transaction (default 256).</summary>
    [Range(1, 10_000)]
    public int MaxCommitBatch { get; set; } = 256;

    /// <summary>
    /// Group-commit transactions in flight at once from this node (default 2): commits and activating grains' state reads
    /// that arrive meanwhile wait and go to the store together. Fewer in flight make larger batches, so fewer transactions and less database CPU per
    /// write; one alone lets a slow batch hold every writer up. A batch beyond the first starts only while a quarter of
    /// <see cref="MaxCommitBatch"/> requests (commits and reads) wait: move-ins from 16 clients (a dozen commits waiting)
    /// then made 3.9 store transactions each instead of 5.1, and a burst of activations (hundreds waiting) still keeps
    /// two in flight.
    /// </summary>
    [Range(1, 64)]
    public int CommitConcurrency { get; set; } = 2;
}
