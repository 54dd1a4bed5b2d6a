using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Actors.Grains.Abstractions;

/// <summary>Identifies a To Do entry, e.g. <c>TD-SA-7K2M9QXA4B-activation</c>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<ToDoId>))]
public readonly record struct ToDoId(string Value) : ITypedId<ToDoId>
{
    private static readonly IdFormat s_format = IdFormat.Composite("TD");

    /// <summary>The validated id text (coded ids in upper case).</summary>
    public string Value { get; } = s_format.Validate(Value, nameof(ToDoId));

    /// <summary>A new random id.</summary>
    public static ToDoId New() => new(s_format.NewValue());

    /// <summary>
    /// The To Do raised for <paramref name="cause"/> on an SA (e.g. "activation"): one per SA and cause, so a reminder
    /// delivered twice creates one To Do.
    /// </summary>
    public static ToDoId For(ServiceAgreementId serviceAgreementId, string cause)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cause);
        return new($"TD-{serviceAgreementId.Value}-{cause}");
    }

    public static ToDoId Parse(string s) => new(s);

    public static ToDoId Parse(string s, IFormatProvider? provider) => new(s);

    public static bool TryParse([NotNullWhen(true)] string? s, out ToDoId result) => TryParse(s, null, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ToDoId result)
    {
        if (s_format.TryNormalize(s, out var normalized))
        {
            result = new ToDoId(normalized);
            return true;
        }

        result = default;
        return false;
    }

    public override string ToString() => Value ?? string.Empty;
}
