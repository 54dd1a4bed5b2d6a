namespace Actors.Runtime;

/// <summary>
/// The identity of a grain in the cluster: its grain type (derived from the implementation class,
/// as in Orleans) and its key. Guid keys are stored in their "N" form.
/// </summary>
public readonly record struct GrainId
{
    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(key);
        Type = type;
        Key = key;
    }

    public string Type { get; }

    public string Key { get; }

    public override string ToString() => $"{Type}/{Key}";
}
