using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Actors.Api.Security;

/// <summary>
/// Issues and checks the API's bearer tokens: <c>base64url(claims JSON).base64url(HMAC-SHA256)</c>. A JWT library
/// would do the same, but the one that ships with ASP.NET Core cannot be restored here; the format is private to
/// the silos that share <see cref="AuthOptions.SigningKey"/>, so nothing else needs to read it.
/// Expiry is on the real clock, never the business clock a demo moves.
/// </summary>
public sealed class TokenService
{
    private readonly byte[] _key;
    private readonly AuthOptions _options;
    private readonly TimeProvider _realTime;

    public TokenService(IOptions<AuthOptions> options, TimeProvider? realTime = null)
    {
        _options = options.Value;
        _realTime = realTime ?? TimeProvider.System;
        _key = _options.SigningKey is { } key ? Encoding.UTF8.GetBytes(key) : RandomNumberGenerator.GetBytes(32);
    }

    /// <summary>Whether the key was generated at start-up (tokens valid on this silo, until it restarts).</summary>
    public bool UsesEphemeralKey => _options.SigningKey is null;

    /// <summary>The configured user with this name and password, or null. Compares in constant time.</summary>
    public ApiUser? Authenticate(string username, string password)
    {
        var user = _options.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase));
        var expected = Encoding.UTF8.GetBytes(user?.Password ?? string.Empty);
        var given = Encoding.UTF8.GetBytes(password);
        var match = CryptographicOperations.FixedTimeEquals(SHA256.HashData(expected), SHA256.HashData(given));
        return user is not null && match ? user : null;
    }

    public IssuedToken Issue(ApiUser user)
    {
        var expiresAt = _realTime.GetUtcNow() + _options.TokenLifetime;
        var body = JsonSerializer.SerializeToUtf8Bytes(new TokenBody(user.Username, [.. user.Roles], expiresAt.ToUnixTimeSeconds()));
        var payload = WebEncoders.Base64UrlEncode(body);
        return new IssuedToken($"{payload}.{Sign(payload)}", DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>The principal a token stands for, or null when it is malformed, forged or expired.</summary>
    public ClaimsPrincipal? Validate(string token, string authenticationType)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1)
        {
            return null;
        }

        var payload = token[..dot];
        var signature = Encoding.ASCII.GetBytes(token[(dot + 1)..]);
        if (!CryptographicOperations.FixedTimeEquals(signature, Encoding.ASCII.GetBytes(Sign(payload))))
        {
            return null;
        }

        TokenBody? body;
        try
        {
            body = JsonSerializer.Deserialize<TokenBody>(WebEncoders.Base64UrlDecode(payload));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }

        if (body is null || DateTimeOffset.FromUnixTimeSeconds(body.Exp) <= _realTime.GetUtcNow())
        {
            return null;
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, body.Sub) };
        claims.AddRange(body.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    private string Sign(string payload) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload)));

    private sealed record TokenBody(string Sub, string[] Roles, long Exp);
}

/// <summary>A token and the instant it stops being accepted.</summary>
public sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt);
