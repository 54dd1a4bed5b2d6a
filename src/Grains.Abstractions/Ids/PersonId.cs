using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Actors.Grains.Abstractions;

/// <summary>Identifies a person, e.g. <c>PER-7K2M9QXA4B</c>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<PersonId>))]
public readonly record struct PersonId(string Value) : ITypedId<PersonId>
{
    private static readonly IdFormat s_format = IdFormat.Coded("PER");

    /// <summary>The validated id text (coded ids in upper case).</summary>
    public string Value { get; } = s_format.Validate(Value, nameof(PersonId));

    /// <summary>A new random id.</summary>
    public static PersonId New() => new(s_format.NewValue());

    /// <summary>
    /// The person a create request with this idempotency key (the caller's Idempotency-Key) creates: a retried request
    /// addresses the same person and creates none twice.
    /// </summary>
    public static PersonId ForRequest(string requestId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        return new(s_format.DeriveValue("create-person", requestId));
    }

    public static PersonId Parse(string s) => new(s);

    public static PersonId Parse(string s, IFormatProvider? provider) => new(s);

    public static bool TryParse([NotNullWhen(true)] string? s, out PersonId result) => TryParse(s, null, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out PersonId result)
    {
        if (s_format.TryNormalize(s, out var normalized))
        {
            result = new PersonId(normalized);
            return true;
        }

        result = default;
        return false;
    }

    public override string ToString() => Value ?? string.Empty;
}
