namespace Actors.Runtime;

/// <summary>
/// A state write found a different version in storage than the activation expected: another writer got there
/// first, or the write was a duplicate. The runtime deactivates the activation so the next call reloads.
/// </summary>
public sealed class InconsistentStateException : Exception
{
    public InconsistentStateException(string message, string? storedEtag, string? currentEtag)
        : base(message)
    {
        StoredEtag = storedEtag;
        CurrentEtag = currentEtag;
    }

    public InconsistentStateException(string message)
        : base(message)
    {
    }

    public InconsistentStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The ETag found in storage (null when no row exists).</summary>
    public string? StoredEtag { get; }

    /// <summary>The ETag the activation held.</summary>
    public string? CurrentEtag { get; }
}

/// <summary>
/// This node no longer owns the grain's partition at the epoch the activation started under, so the write was
/// refused by the fence. The activation is dropped; a retry reaches the new owner.
/// </summary>
public sealed class LeaseLostException(string message) : Exception(message);

/// <summary>A grain call could not be placed or delivered (no owner for its partition, node shutting down).</summary>
public sealed class GrainUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Stands for an exception thrown by a grain on another node whose type could not be recreated here; it keeps
/// the original type name and message.
/// </summary>
public sealed class GrainException(string originalType, string message) : Exception(message)
{
    public string OriginalType { get; } = originalType;
}
