using Actors.Runtime;

namespace Actors.Grains.Abstractions.Events;

/// <summary>
/// Something that happened to an entity, raised on the entity's own stream (<see cref="StreamNamespaces"/>), so the
/// stream is the entity's history. Every event says who did it, why and when. Events are immutable: their lists are
/// made for the event, never a grain's state, so this node's consumers share the raised instance.
/// </summary>
[Immutable]
public abstract record DomainEvent
{
    /// <summary>Who: a user, a customer (<c>customer:PER-…</c>) or the system with the reminder's name (<c>system:activate</c>).</summary>
    public string Actor { get; init; } = string.Empty;

    /// <summary>The reason code or phrase given for the change.</summary>
    public string? Reason { get; init; }

    /// <summary>Free text given with the change.</summary>
    public string? Comment { get; init; }

    /// <summary>When it happened (business time, UTC).</summary>
    public DateTimeOffset OccurredAt { get; init; }
}
