using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Actors.Grains.Abstractions;

/// <summary>Identifies a premise, e.g. <c>PRM-7K2M9QXA4B</c>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<PremiseId>))]
public readonly record struct PremiseId(string Value) : ITypedId<PremiseId>
{
    private static readonly IdFormat s_format = IdFormat.Coded("PRM");

    /// <summary>The validated id text (coded ids in upper case).</summary>
    public string Value { get; } = s_format.Validate(Value, nameof(PremiseId));

    /// <summary>A new random id.</summary>
    public static PremiseId New() => new(s_format.NewValue());

    /// <summary>
    /// The premise a create request with this idempotency key (the caller's Idempotency-Key) creates: a retried request
    /// addresses the same premise and creates none twice.
    /// </summary>
    public static PremiseId ForRequest(string requestId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        return new(s_format.DeriveValue("create-premise", requestId));
    }

    public static PremiseId Parse(string s) => new(s);

    public static PremiseId Parse(string s, IFormatProvider? provider) => new(s);

    public static bool TryParse([NotNullWhen(true)] string? s, out PremiseId result) => TryParse(s, null, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out PremiseId result)
    {
        if (s_format.TryNormalize(s, out var normalized))
        {
            result = new PremiseId(normalized);
            return true;
        }

        result = default;
        return false;
    }

    public override string ToString() => Value ?? string.Empty;
}
