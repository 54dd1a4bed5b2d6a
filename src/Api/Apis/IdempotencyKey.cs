using Actors.Api.Errors;

namespace Actors.Api.Apis;

/// <summary>
/// The <c>Idempotency-Key</c> header of a creating POST. The ids of what the request creates derive from it, so a
/// retry (after a timeout, a dropped connection, a dead silo) lands on the same entities and creates nothing twice;
/// the same key with a different body is a 409. Keys are global: use a UUID. Without the header a fresh key is
/// used and the request is not safe to retry.
/// </summary>
internal static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    private const int MaxLength = 100;

    public static string Resolve(string? header)
    {
        if (header is null)
        {
            return Guid.NewGuid().ToString("N");
        }

        if (header.Length is 0 or > MaxLength || !header.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            throw new RequestValidationException(Header, $"'{Header}' must be 1 to {MaxLength} characters of letters, digits, '-', '_', '.' or ':' (a UUID is best).");
        }

        return header;
    }
}
