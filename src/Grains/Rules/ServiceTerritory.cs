namespace Actors.Grains.Rules;

/// <summary>The service territory rule: a premise is served when its postal code starts with a configured prefix.</summary>
public static class ServiceTerritory
{
    /// <summary>
    /// True when <paramref name="postalCode"/> starts with one of <paramref name="prefixes"/> (case, spaces and
    /// hyphens ignored, so "sw1a 1aa" matches "SW1A"), or when no prefix is configured (everywhere is served).
    /// </summary>
    public static bool Contains(IEnumerable<string> prefixes, string postalCode)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var code = Normalize(postalCode);
        var any = false;
        foreach (var prefix in prefixes)
        {
            any = true;
            if (code.StartsWith(Normalize(prefix), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return !any;
    }

    /// <summary>A prefix is letters, digits, spaces or '-', with at least one letter or digit.</summary>
    public static bool IsValidPrefix(string prefix) =>
        prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-') && Normalize(prefix).Length > 0;

    private static string Normalize(string value) =>
        string.Concat((value ?? string.Empty).Where(char.IsAsciiLetterOrDigit)).ToUpperInvariant();
}
