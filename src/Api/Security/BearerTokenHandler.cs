using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Api.Security;

/// <summary>
/// Authenticates requests carrying <c>Authorization: Bearer &lt;token&gt;</c>, or, on the SignalR hubs (whose
/// browser clients cannot set headers on WebSockets), the <c>access_token</c> query parameter.
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>Paths where the token may come in the query string.</summary>
    public const string HubPathPrefix = "/hubs";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken();
        if (token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var principal = tokens.Validate(token, SchemeName);
        return Task.FromResult(principal is null
            ? AuthenticateResult.Fail("The bearer token is malformed, forged or expired.")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        return Task.CompletedTask;
    }

    private string? ReadToken()
    {
        string? header = Request.Headers.Authorization;
        if (header is not null && header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            return header[(SchemeName.Length + 1)..].Trim();
        }

        return Request.Path.StartsWithSegments(HubPathPrefix, StringComparison.OrdinalIgnoreCase)
            ? Request.Query["access_token"].FirstOrDefault()
            : null;
    }
}
