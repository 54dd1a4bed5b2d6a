namespace Actors.Runtime;

/// <summary>
/// The identity of a grain in the cluster: its grain type (derived from the implementation class,
/// as in Orleans) and its key. Guid keys are stored in their "N" form.
/// </summary>
/// <remarks>
/// Every call looks its grain up by id in the node's catalog. The hash is computed once, when the id is made (as
/// Orleans' <c>GrainId</c> keeps its own), so a lookup hashes no strings, and two ids of different hashes are told apart
/// without comparing their strings.
/// </remarks>
public readonly record struct GrainId
{
    private readonly int _hash;

    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(key);
        Type = type;
        Key = key;
        _hash = HashCode.Combine(StringComparer.Ordinal.GetHashCode(type), StringComparer.Ordinal.GetHashCode(key));
    }

    public string Type { get; }

    public string Key { get; }

    public bool Equals(GrainId other) =>
        _hash == other._hash && string.Equals(Type, other.Type, StringComparison.Ordinal) && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override int GetHashCode() => _hash;

    public override string ToString() => $"{Type}/{Key}";
}
