using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Actors.Grains.Abstractions;

/// <summary>
/// The shapes of our identifiers. Entities people read aloud and type (persons, accounts, premises, SAs, service
/// points) get a prefix and ten Crockford base32 characters (50 bits: no I, L, O or U, so no 1/I or 0/O mix-ups),
/// e.g. <c>PER-7K2M9QXA4B</c>. Ids derived from another id (<c>FA-SA-…-start</c>, <c>TD-SA-…-activation</c>) keep
/// the parent readable inside them. Every id is URL-safe: letters, digits and '-'.
/// </summary>
internal sealed class IdFormat
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int CodeLength = 10;
    private const int MaxCompositeLength = 120;

    private readonly bool _coded;

    private IdFormat(string prefix, bool coded)
    {
        Prefix = prefix + "-";
        _coded = coded;
    }

    public string Prefix { get; }

    /// <summary>PREFIX- and ten base32 characters; case-insensitive on input, upper case when stored.</summary>
    public static IdFormat Coded(string prefix) => new(prefix, coded: true);

    /// <summary>PREFIX- and up to 120 letters, digits or '-', kept as given (derived ids embed other ids).</summary>
    public static IdFormat Composite(string prefix) => new(prefix, coded: false);

    public string NewValue()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return Prefix + Encode(BitConverter.ToUInt64(bytes));
    }

    /// <summary>A stable code from the parts (SHA-256 of the parts, first 50 bits): the same parts give the same id.</summary>
    public string DeriveValue(params ReadOnlySpan<string> parts)
    {
        var text = string.Join('\n', parts.ToArray());
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Prefix + Encode(BitConverter.ToUInt64(hash, 0));
    }

    public string Validate(string? value, string typeName)
    {
        if (!TryNormalize(value, out var normalized))
        {
            throw new FormatException(Describe(value, typeName));
        }

        return normalized;
    }

    public string Describe(string? value, string typeName) => _coded
        ? $"'{value}' is not a valid {typeName}: expected '{Prefix}' followed by {CodeLength} characters of 0-9 and A-Z (without I, L, O, U)."
        : $"'{value}' is not a valid {typeName}: expected '{Prefix}' followed by up to {MaxCompositeLength} letters, digits or '-'.";

    public bool TryNormalize([NotNullWhen(true)] string? value, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (value is null || value.Length <= Prefix.Length || !value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = value.AsSpan(Prefix.Length);
        if (_coded)
        {
            if (rest.Length != CodeLength)
            {
                return false;
            }

            Span<char> upper = stackalloc char[CodeLength];
            for (var i = 0; i < rest.Length; i++)
            {
                upper[i] = char.ToUpperInvariant(rest[i]);
                if (!Alphabet.Contains(upper[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            normalized = Prefix + new string(upper);
            return true;
        }

        if (rest.Length > MaxCompositeLength || rest[0] == '-' || rest[^1] == '-')
        {
            return false;
        }

        foreach (var c in rest)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        normalized = Prefix + rest.ToString();
        return true;
    }

    private static string Encode(ulong bits)
    {
        Span<char> chars = stackalloc char[CodeLength];
        for (var i = CodeLength - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        return new string(chars);
    }
}
