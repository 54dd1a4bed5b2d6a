namespace Actors.Grains.Abstractions;

/// <summary>
/// Who makes a change and why: every mutation takes one, and every event records it (audit history).
/// </summary>
/// <param name="User">Who: a user name (<c>csr:jdoe</c>), a customer (<c>customer:PER-…</c>) or the system with the reminder's name (<c>system:activate</c>).</param>
/// <param name="Reason">A reason code or phrase (required for cancellations and manual overrides).</param>
/// <param name="Comment">Free text.</param>
public sealed record Actor(string User, string? Reason = null, string? Comment = null)
{
    /// <summary>The engine acting on its own, from the reminder (or process) named <paramref name="name"/>.</summary>
    public static Actor System(string name, string? reason = null) => new($"system:{name}", reason);

    /// <summary>A customer acting through self-service.</summary>
    public static Actor Customer(PersonId personId, string? reason = null, string? comment = null) =>
        new($"customer:{personId.Value}", reason, comment);
}
