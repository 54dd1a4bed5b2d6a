namespace Actors.Runtime.Hosting;

/// <summary>Waits until the node's asynchronous work has caught up with business time and the log.</summary>
public interface IRuntimeQuiescence
{
    /// <summary>
    /// True once, in one check, (a) no reminder is due at the runtime's current business time (its TimeProvider's
    /// now), counted in the store (all partitions, claimed or not, so deliveries in flight on any node count), and
    /// (b) every outbox consumer running on this node has handled every event: Cluster consumers (implicit stream
    /// subscriptions included) by their durable checkpoint, Node and NodeReplay consumers by their in-memory
    /// position on this node, both compared with the log end after sequencing what has committed. Handling an
    /// event can commit new ones, so two consecutive passing checks must also see the same log end. Checks are a
    /// few milliseconds apart in real time. False when <paramref name="timeout"/> (real time) passes first.
    /// </summary>
    Task<bool> WaitForQuiescenceAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
