using Actors.Runtime.Storage;
using Microsoft.Extensions.Hosting;

namespace Actors.Api.Clock;

/// <summary>
/// Makes the manual business clock cluster-wide and durable: a move is written to the store before it is applied, and
/// every silo follows the stored instant (read every 100 ms), so moving the clock through any silo moves it for all,
/// and a restarted silo resumes where the clock was rather than at its start setting.
/// </summary>
public sealed class ManualClockSync(BusinessClock clock, IStorageProvider storage) : BackgroundService
{
    /// <summary>The store checkpoint that holds the manual clock's instant (UTC ticks).</summary>
    public const string Checkpoint = "clock:manual";

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);

    /// <summary>Records <paramref name="target"/> in the store, then moves this silo's clock there.</summary>
    public static async Task MoveAsync(ManualTimeProvider manual, IStorageProvider storage, DateTimeOffset target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manual);
        ArgumentNullException.ThrowIfNull(storage);
        if (target < manual.GetUtcNow())
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "The clock never goes backwards.");
        }

        await storage.WriteCheckpointAsync(Checkpoint, target.UtcTicks, cancellationToken);
        manual.SetUtcNow(target);
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (clock.Manual is { } manual)
        {
            Follow(manual, await storage.ReadCheckpointAsync(Checkpoint, cancellationToken));
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A single-process store has no other silo to follow: the start-up read (a restart resumes the clock) is enough.
        if (clock.Manual is not { } manual || storage.IsSingleProcess)
        {
            return;
        }

        using var timer = new PeriodicTimer(s_poll);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Follow(manual, await storage.ReadCheckpointAsync(Checkpoint, stoppingToken));
        }
    }

    private static void Follow(ManualTimeProvider manual, long storedTicks)
    {
        if (storedTicks > manual.GetUtcNow().UtcTicks)
        {
            manual.SetUtcNow(new DateTimeOffset(storedTicks, TimeSpan.Zero));
        }
    }
}
