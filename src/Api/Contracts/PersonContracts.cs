namespace Actors.Api.Contracts;

public sealed record CreatePersonRequest(string? Name, string? Phone, string? Email, bool? LifeSupport);

public sealed record PersonResponse(
    string Id,
    string Name,
    string? Phone,
    string? Email,
    bool LifeSupport,
    IReadOnlyList<string> Accounts,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static PersonResponse From(PersonSnapshot p) =>
        new(p.Id.Value, p.Name, p.Phone, p.Email, p.LifeSupport, [.. p.Accounts.Select(a => a.Value)], p.Version, p.CreatedAt, p.UpdatedAt);
}
