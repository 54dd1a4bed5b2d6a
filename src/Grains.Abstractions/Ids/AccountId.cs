using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Actors.Grains.Abstractions;

/// <summary>Identifies an account, e.g. <c>ACC-7K2M9QXA4B</c>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<AccountId>))]
public readonly record struct AccountId(string Value) : ITypedId<AccountId>
{
    private static readonly IdFormat s_format = IdFormat.Coded("ACC");

    /// <summary>The validated id text (coded ids in upper case).</summary>
    public string Value { get; } = s_format.Validate(Value, nameof(AccountId));

    /// <summary>A new random id.</summary>
    public static AccountId New() => new(s_format.NewValue());

    /// <summary>
    /// The account a create request with this idempotency key (the caller's Idempotency-Key) creates: a retried request
    /// addresses the same account and creates none twice.
    /// </summary>
    public static AccountId ForRequest(string requestId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        return new(s_format.DeriveValue("create-account", requestId));
    }

    public static AccountId Parse(string s) => new(s);

    public static AccountId Parse(string s, IFormatProvider? provider) => new(s);

    public static bool TryParse([NotNullWhen(true)] string? s, out AccountId result) => TryParse(s, null, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out AccountId result)
    {
        if (s_format.TryNormalize(s, out var normalized))
        {
            result = new AccountId(normalized);
            return true;
        }

        result = default;
        return false;
    }

    public override string ToString() => Value ?? string.Empty;
}
