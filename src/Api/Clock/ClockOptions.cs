namespace Actors.Api.Clock;

/// <summary>Which clock drives business time ("Clock" section).</summary>
public sealed class ClockOptions
{
    public const string SectionName = "Clock";

    /// <summary><see cref="ClockMode.System"/> (default) or <see cref="ClockMode.Manual"/> for demos and tests.</summary>
    public ClockMode Mode { get; set; } = ClockMode.System;

    /// <summary>Where a manual clock starts; default: the system time at start-up.</summary>
    public DateTimeOffset? Start { get; set; }

    /// <summary>How long moving a manual clock waits for the reminders it made due to run; default 30 s.</summary>
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public enum ClockMode
{
    /// <summary>Business time is the system clock.</summary>
    System,

    /// <summary>Business time moves only when an administrator moves it (<c>POST /api/admin/clock</c>).</summary>
    Manual,
}

/// <summary>The business clock the runtime and the grains run on, and, when it is manual, the handle to move it.</summary>
public sealed class BusinessClock
{
    private BusinessClock(TimeProvider time, ManualTimeProvider? manual)
    {
        Time = time;
        Manual = manual;
    }

    public TimeProvider Time { get; }

    /// <summary>The manual clock, or null when business time is the system clock.</summary>
    public ManualTimeProvider? Manual { get; }

    public static BusinessClock Create(ClockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode == ClockMode.Manual)
        {
            var manual = new ManualTimeProvider(options.Start ?? TimeProvider.System.GetUtcNow());
            return new BusinessClock(manual, manual);
        }

        return new BusinessClock(TimeProvider.System, null);
    }
}
