using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Actors.Grains.Abstractions;

/// <summary>Identifies a service point of a premise, e.g. <c>SP-7K2M9QXA4B</c>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<ServicePointId>))]
public readonly record struct ServicePointId(string Value) : ITypedId<ServicePointId>
{
    private static readonly IdFormat s_format = IdFormat.Coded("SP");

    /// <summary>The validated id text (coded ids in upper case).</summary>
    public string Value { get; } = s_format.Validate(Value, nameof(ServicePointId));

    /// <summary>A new random id.</summary>
    public static ServicePointId New() => new(s_format.NewValue());

    /// <summary>The service point of <paramref name="premiseId"/> for <paramref name="serviceType"/>: a premise has one per service type, and a retried premise creation names it the same.</summary>
    public static ServicePointId For(PremiseId premiseId, ServiceType serviceType) =>
        new(s_format.DeriveValue(premiseId.Value, serviceType.ToString()));

    public static ServicePointId Parse(string s) => new(s);

    public static ServicePointId Parse(string s, IFormatProvider? provider) => new(s);

    public static bool TryParse([NotNullWhen(true)] string? s, out ServicePointId result) => TryParse(s, null, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ServicePointId result)
    {
        if (s_format.TryNormalize(s, out var normalized))
        {
            result = new ServicePointId(normalized);
            return true;
        }

        result = default;
        return false;
    }

    public override string ToString() => Value ?? string.Empty;
}
