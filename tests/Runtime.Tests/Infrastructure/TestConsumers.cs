using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;

namespace Actors.Runtime.Tests.Infrastructure;

/// <summary>
/// A NodeReplay consumer: logs the seq of every event it handles under "replay:{node id}", so each node run has its
/// own log. It can be told to fail once on the first batch holding an event after a given seq, and it waits for the
/// gate "release:replay" while the probe's "hold:replay" counter is set.
/// </summary>
public sealed class ReplayConsumer(Probe probe, INodeStatus node) : IOutboxConsumer
{
    private long _failOnceAfter = long.MaxValue;

    public string Name => "replay";

    public OutboxConsumerScope Scope => OutboxConsumerScope.NodeReplay;

    public static string LogKey(string nodeId) => $"replay:{nodeId}";

    /// <summary>The next batch holding an event with a seq above <paramref name="seq"/> fails, once, before anything is handled.</summary>
    public void FailOnceAfter(long seq) => Interlocked.Exchange(ref _failOnceAfter, seq);

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        await ConsumerGate.PassAsync(probe, Name);
        var failAfter = Interlocked.Read(ref _failOnceAfter);
        if (events[^1].Seq > failAfter && Interlocked.CompareExchange(ref _failOnceAfter, long.MaxValue, failAfter) == failAfter)
        {
            probe.Increment("replay-failures");
            throw new InvalidOperationException($"replay consumer failed on the batch ending at seq {events[^1].Seq}");
        }

        foreach (var stored in events)
        {
            probe.Log(LogKey(node.NodeId), stored.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>
/// A Cluster consumer: logs "{stream}#{stream seq}" of every event under "audit". It waits for the gate
/// "release:audit" while the probe's "hold:audit" counter is set.
/// </summary>
public sealed class AuditConsumer(Probe probe) : IOutboxConsumer
{
    public string Name => "audit";

    public OutboxConsumerScope Scope => OutboxConsumerScope.Cluster;

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        await ConsumerGate.PassAsync(probe, Name);
        foreach (var stored in events)
        {
            probe.Log(Name, $"{stored.Stream}#{stored.StreamSeq}");
        }
    }
}

internal static class ConsumerGate
{
    /// <summary>While "hold:{consumer}" is set, counts "held:{consumer}" and waits for the gate "release:{consumer}".</summary>
    public static async Task PassAsync(Probe probe, string consumer)
    {
        if (probe.Get($"hold:{consumer}") > 0)
        {
            probe.Increment($"held:{consumer}");
            await probe.Gate($"release:{consumer}");
        }
    }
}

/// <summary>
/// A Cluster consumer that logs the last seq of each batch it handled under "stepped". While "hold:stepped" is set it
/// signals "stepped-waiting" and waits for the gate "release:stepped" before it finishes a batch; a batch after
/// "block:stepped" is set never finishes: it waits for the node to stop.
/// </summary>
public sealed class SteppedConsumer(Probe probe) : IOutboxConsumer
{
    public string Name => "stepped";

    public OutboxConsumerScope Scope => OutboxConsumerScope.Cluster;

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        if (probe.Get("block:stepped") > 0)
        {
            probe.Increment("stepped-blocked");
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        if (probe.Get("hold:stepped") > 0)
        {
            probe.Increment("stepped-waiting");
            await probe.Gate("release:stepped").WaitAsync(cancellationToken);
        }

        probe.Log(Name, events[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
