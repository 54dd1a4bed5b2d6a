using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Actors.Grains.Abstractions;

/// <summary>Identifies a field activity, e.g. <c>FA-SA-7K2M9QXA4B-start</c>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<FieldActivityId>))]
public readonly record struct FieldActivityId(string Value) : ITypedId<FieldActivityId>
{
    private static readonly IdFormat s_format = IdFormat.Composite("FA");

    /// <summary>The validated id text (coded ids in upper case).</summary>
    public string Value { get; } = s_format.Validate(Value, nameof(FieldActivityId));

    /// <summary>A new random id.</summary>
    public static FieldActivityId New() => new(s_format.NewValue());

    /// <summary>The start or stop field activity of an SA: one of each per SA, so a repeated reminder finds the same one.</summary>
    public static FieldActivityId For(ServiceAgreementId serviceAgreementId, FieldActivityKind kind) =>
        new($"FA-{serviceAgreementId.Value}-{(kind == FieldActivityKind.Start ? "start" : "stop")}");

    public static FieldActivityId Parse(string s) => new(s);

    public static FieldActivityId Parse(string s, IFormatProvider? provider) => new(s);

    public static bool TryParse([NotNullWhen(true)] string? s, out FieldActivityId result) => TryParse(s, null, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out FieldActivityId result)
    {
        if (s_format.TryNormalize(s, out var normalized))
        {
            result = new FieldActivityId(normalized);
            return true;
        }

        result = default;
        return false;
    }

    public override string ToString() => Value ?? string.Empty;
}
