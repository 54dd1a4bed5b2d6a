using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Actors.Grains.Abstractions;

/// <summary>Identifies a service agreement, e.g. <c>SA-7K2M9QXA4B</c>.</summary>
[JsonConverter(typeof(TypedIdJsonConverter<ServiceAgreementId>))]
public readonly record struct ServiceAgreementId(string Value) : ITypedId<ServiceAgreementId>
{
    private static readonly IdFormat s_format = IdFormat.Coded("SA");

    /// <summary>The validated id text (coded ids in upper case).</summary>
    public string Value { get; } = s_format.Validate(Value, nameof(ServiceAgreementId));

    /// <summary>A new random id.</summary>
    public static ServiceAgreementId New() => new(s_format.NewValue());

    /// <summary>
    /// The SA a start request creates for one service type. Derived from the account, the request id (the
    /// caller's Idempotency-Key) and the service type, so a retried request addresses the same SAs and creates none twice.
    /// </summary>
    public static ServiceAgreementId For(AccountId accountId, string requestId, ServiceType serviceType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        return new(s_format.DeriveValue(accountId.Value, requestId, serviceType.ToString()));
    }

    public static ServiceAgreementId Parse(string s) => new(s);

    public static ServiceAgreementId Parse(string s, IFormatProvider? provider) => new(s);

    public static bool TryParse([NotNullWhen(true)] string? s, out ServiceAgreementId result) => TryParse(s, null, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ServiceAgreementId result)
    {
        if (s_format.TryNormalize(s, out var normalized))
        {
            result = new ServiceAgreementId(normalized);
            return true;
        }

        result = default;
        return false;
    }

    public override string ToString() => Value ?? string.Empty;
}
