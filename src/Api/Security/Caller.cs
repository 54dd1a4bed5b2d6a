using System.Security.Claims;
using Actors.Grains.Abstractions;

namespace Actors.Api.Security;

/// <summary>Turns the signed-in user into the <see cref="Actor"/> that every change records (audit history).</summary>
public static class Caller
{
    /// <summary><c>csr:jdoe</c> or <c>admin:root</c>, with the reason and comment the request gave.</summary>
    public static Actor ToActor(this ClaimsPrincipal user, string? reason = null, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var name = user.Identity?.Name ?? throw new InvalidOperationException("The request is not authenticated.");
        var role = user.IsInRole(ApiRoles.Csr) ? "csr" : user.IsInRole(ApiRoles.Admin) ? "admin" : "user";
        return new Actor($"{role}:{name}", Blank(reason), Blank(comment));
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
