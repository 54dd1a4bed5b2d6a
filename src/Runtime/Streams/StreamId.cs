namespace Actors.Runtime;

/// <summary>A stream's identity: a namespace and a key, written "namespace/key" in the outbox.</summary>
public readonly record struct StreamId
{
    private StreamId(string ns, string key)
    {
        Namespace = ns;
        Key = key;
    }

    public string Namespace { get; }

    public string Key { get; }

    public static StreamId Create(string ns, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ns);
        ArgumentNullException.ThrowIfNull(key);
        if (ns.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A stream namespace cannot contain '/'.", nameof(ns));
        }

        return new StreamId(ns, key);
    }

    public static StreamId Create(string ns, Guid key) => Create(ns, key.ToString("N"));

    public static StreamId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new FormatException($"'{value}' is not a stream id of the form namespace/key.");
        }

        return new StreamId(value[..slash], value[(slash + 1)..]);
    }

    public override string ToString() => $"{Namespace}/{Key}";
}

/// <summary>Where an event stands: its global sequence in the outbox and its sequence within the stream.</summary>
public sealed record StreamSequenceToken(long SequenceNumber, long StreamSequenceNumber);
