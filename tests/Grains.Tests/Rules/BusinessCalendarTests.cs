using Actors.Grains.Rules;

namespace Actors.Grains.Tests.Rules;

public sealed class BusinessCalendarTests
{
    private static readonly BusinessCalendar NewYork = new(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();

    [Theory]
    [InlineData("2026-03-01", "2026-03-01T05:00:00Z")] // EST
    [InlineData("2026-03-08", "2026-03-08T05:00:00Z")] // the clocks change at 02:00 that day: midnight is still EST
    [InlineData("2026-03-10", "2026-03-10T04:00:00Z")] // EDT
    public void StartOfDay_IsLocalMidnight(string date, string expected) =>
        Assert.Equal(Utc(expected), NewYork.StartOfDay(DateOnly.Parse(date)));

    [Fact]
    public void StartOfDay_WhereMidnightIsSkipped_IsTheFirstLocalTimeOfTheDay()
    {
        // Chile springs forward at 00:00 on 2026-09-06: the day begins at 01:00 -03.
        var santiago = new BusinessCalendar(TimeZoneInfo.FindSystemTimeZoneById("America/Santiago"));

        Assert.Equal(Utc("2026-09-06T04:00:00Z"), santiago.StartOfDay(new DateOnly(2026, 9, 6)));
    }

    [Fact]
    public void StartOfDay_WhereMidnightHappensTwice_IsTheFirstOne()
    {
        // Cuba falls back at 01:00 on 2026-11-01: midnight is at -04 and again at -05.
        var havana = new BusinessCalendar(TimeZoneInfo.FindSystemTimeZoneById("America/Havana"));

        Assert.Equal(Utc("2026-11-01T04:00:00Z"), havana.StartOfDay(new DateOnly(2026, 11, 1)));
    }

    [Theory]
    [InlineData("2026-03-10T03:59:00Z", "2026-03-09")]
    [InlineData("2026-03-10T04:00:00Z", "2026-03-10")]
    public void Today_IsTheLocalDate(string now, string expected) =>
        Assert.Equal(DateOnly.Parse(expected), NewYork.Today(Utc(now)));

    [Fact]
    public void FieldActivityDueAt_IsLeadDaysBeforeTheDateAtLocalMidnight()
    {
        var now = Utc("2026-03-01T12:00:00Z");

        Assert.Equal(Utc("2026-03-08T05:00:00Z"), NewYork.FieldActivityDueAt(new DateOnly(2026, 3, 10), leadDays: 2, now));
    }

    [Fact]
    public void FieldActivityDueAt_WithLeadZero_IsNow()
    {
        var now = Utc("2026-03-01T12:00:00Z");

        Assert.Equal(now, NewYork.FieldActivityDueAt(new DateOnly(2026, 3, 10), leadDays: 0, now));
    }

    [Fact]
    public void FieldActivityDueAt_WhenTheLeadTimeHasPassed_IsNow()
    {
        var now = Utc("2026-03-09T12:00:00Z");

        Assert.Equal(now, NewYork.FieldActivityDueAt(new DateOnly(2026, 3, 10), leadDays: 2, now));
    }

    [Fact]
    public void DueAt_ForAPastDate_IsNow_AndForAFutureDate_ItsStartOfDay()
    {
        var now = Utc("2026-03-15T12:00:00Z");

        Assert.Equal(now, NewYork.DueAt(new DateOnly(2026, 3, 10), now));
        Assert.Equal(Utc("2026-03-16T04:00:00Z"), NewYork.DueAt(new DateOnly(2026, 3, 16), now));
    }

    [Fact]
    public void FieldActivityDueAt_RejectsNegativeLead() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NewYork.FieldActivityDueAt(new DateOnly(2026, 3, 10), -1, DateTimeOffset.UnixEpoch));
}
