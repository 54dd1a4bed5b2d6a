namespace Actors.Grains.Rules;

/// <summary>
/// The utility's calendar: business dates are <see cref="DateOnly"/> days in one time zone, and the work due on a
/// date happens at 00:00 local time of that date. Reminders are set at the UTC instant this gives.
/// </summary>
public sealed class BusinessCalendar(TimeZoneInfo zone)
{
    public TimeZoneInfo Zone { get; } = zone;

    /// <summary>The business date at <paramref name="now"/>.</summary>
    public DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).DateTime);

    /// <summary>
    /// The instant a business date begins: 00:00 local. Where a daylight-saving jump skips midnight, the day begins
    /// at the first local time that exists; where midnight happens twice, at the first of them.
    /// </summary>
    public DateTimeOffset StartOfDay(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>When work for <paramref name="date"/> is due: its start of day, or now if that has passed.</summary>
    public DateTimeOffset DueAt(DateOnly date, DateTimeOffset now)
    {
        var due = StartOfDay(date);
        return due > now ? due : now;
    }

    /// <summary>
    /// When the field activity for a start or stop on <paramref name="date"/> is due: <paramref name="leadDays"/>
    /// days before the date at 00:00 local, or now if that has passed. A lead of 0 means at once.
    /// </summary>
    public DateTimeOffset FieldActivityDueAt(DateOnly date, int leadDays, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leadDays);
        return leadDays == 0 ? now : DueAt(date.AddDays(-leadDays), now);
    }
}
