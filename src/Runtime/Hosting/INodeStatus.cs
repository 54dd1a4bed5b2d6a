namespace Actors.Runtime.Hosting;

/// <summary>What the host may ask about this node (readiness, diagnostics).</summary>
public interface INodeStatus
{
    string NodeId { get; }

    /// <summary>Partition leases this node holds and may use now.</summary>
    int HeldPartitions { get; }

    /// <summary>Live activations on this node.</summary>
    int Activations { get; }
}
