using System.ComponentModel.DataAnnotations;

namespace Actors.Grains;

/// <summary>
/// The utility's configurable rules, bound from the "Utility" configuration section and validated at start-up.
/// Where CC&amp;B makes a rule a configurable choice, it is a setting here.
/// </summary>
public sealed class UtilityOptions : IValidatableObject
{
    public const string SectionName = "Utility";

    /// <summary>
    /// Days before a start or stop date that its field activity is created (CC&amp;B's PSASPM lead time).
    /// Default 2; 0 creates it at once, when the start or stop is requested.
    /// </summary>
    [Range(0, 90)]
    public int FieldActivityLeadDays { get; set; } = 2;

    /// <summary>
    /// The IANA time zone of the business calendar (default "UTC"). Start and stop dates are days in this zone, and
    /// a date's work happens at 00:00 local time.
    /// </summary>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>A pending start or stop still pending this many days after its date raises a To Do (default 3).</summary>
    [Range(1, 365)]
    public int AgedPendingDays { get; set; } = 3;

    /// <summary>How many days in the past a start or stop date may lie (default 30).</summary>
    [Range(0, 3650)]
    public int BackdateWindowDays { get; set; } = 30;

    /// <summary>The role whose queue system-created To Do entries land in (default "CSR").</summary>
    [Required]
    [StringLength(64, MinimumLength = 1)]
    public string DefaultToDoRole { get; set; } = "CSR";

    /// <summary>Where the utility serves.</summary>
    public ServiceTerritoryOptions ServiceTerritory { get; set; } = new();

    /// <summary>The configured zone; throws if <see cref="TimeZone"/> is unknown (validation reports it first).</summary>
    public TimeZoneInfo GetTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? string.Empty, out _))
        {
            yield return new ValidationResult($"Utility:TimeZone '{TimeZone}' is not a known IANA time zone.", [nameof(TimeZone)]);
        }

        foreach (var prefix in ServiceTerritory.PostalCodes)
        {
            if (string.IsNullOrWhiteSpace(prefix) || !Rules.ServiceTerritory.IsValidPrefix(prefix))
            {
                yield return new ValidationResult(
                    $"Utility:ServiceTerritory:PostalCodes has '{prefix}': a prefix is letters, digits, spaces or '-'.",
                    [nameof(ServiceTerritory)]);
            }
        }
    }
}

/// <summary>The service territory, as postal code prefixes.</summary>
public sealed class ServiceTerritoryOptions
{
    /// <summary>Postal code prefixes served (e.g. "941", "SW1A"); empty means everywhere (the default).</summary>
    public IList<string> PostalCodes { get; } = [];
}
