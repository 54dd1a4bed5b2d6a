namespace Actors.Grains.Abstractions;

/// <summary>Creates a person. The name is required; phone and e-mail are optional.</summary>
public sealed record CreatePerson(string Name, string? Phone = null, string? Email = null, bool LifeSupport = false);

/// <summary>Replaces a person's contact details, if <paramref name="Version"/> is the current version.</summary>
public sealed record UpdatePerson(string Name, string? Phone, string? Email, bool LifeSupport, int Version);

/// <summary>A person as read.</summary>
/// <param name="LifeSupport">Life support or sensitive load: severance and disconnection need care.</param>
/// <param name="Version">Incremented by every change; updates must name it (optimistic concurrency).</param>
public sealed record PersonSnapshot(
    PersonId Id,
    string Name,
    string? Phone,
    string? Email,
    bool LifeSupport,
    IReadOnlyList<AccountId> Accounts,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One field's value before and after a change, for history.</summary>
public sealed record FieldChange(string Field, string? Before, string? After);
