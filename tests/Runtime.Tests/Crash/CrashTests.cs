using System.Diagnostics;
using Actors.CrashHost;
using Actors.Runtime.Storage;
using Actors.Runtime.Tests.Infrastructure;

namespace Actors.Runtime.Tests.Crash;

/// <summary>
/// A child process writes state and sets one-shot reminders as fast as it can, with deliveries already running,
/// and is killed with SIGKILL. A node restarted on the same store must hold every acknowledged write and apply
/// every reminder's effect exactly once.
/// </summary>
public abstract class CrashTests(StoreKind kind) : NodeTestBase(kind)
{
    private const int AcknowledgementsBeforeKill = 400;

    [Fact]
    public async Task KilledMidBurst_EveryAcknowledgedWriteSurvives_AndEveryReminderTakesEffectExactlyOnce()
    {
        var acknowledged = await RunChildUntilKilledAsync();
        Assert.True(acknowledged.Count >= AcknowledgementsBeforeKill, $"the child acknowledged only {acknowledged.Count} writes");

        Clock.SetUtcNow(Start.AddMinutes(1));
        var node = await StartNodeAsync(
            o =>
            {
                // Short claims let the dead child's in-flight deliveries be retried soon; the child's own 2 s
                // leases run out quickly, while this node keeps the default lease so load cannot make it self-fence.
                o.ReminderClaimDuration = TimeSpan.FromSeconds(2);
            },
            runtime: b => b.AddGrains<CrashGrain>());

        // Writes in flight at the kill may or may not have committed; look a little past the last acknowledged key.
        var highest = acknowledged.Max(k => int.Parse(k[1..], System.Globalization.CultureInfo.InvariantCulture));
        var keys = Enumerable.Range(0, highest + 20).Select(i => $"g{i}").ToList();
        var storage = node.Get<IStorageProvider>();
        var written = new List<string>();
        foreach (var key in keys)
        {
            var stored = await storage.ReadStateAsync(new GrainId("crash", key), "crash", CancellationToken.None);
            if (stored is not null)
            {
                written.Add(key);
            }
        }

        Assert.Empty(acknowledged.Except(written));
        // One query per probe: the restarted node is busy enough delivering.
        var remindedStreams = new HashSet<string>();
        await Polling.UntilAsync(
            async () =>
            {
                var events = await storage.ReadEventsAsync(0, 1_000_000, null, CancellationToken.None);
                remindedStreams = [.. events.Where(e => e.Type == nameof(CrashReminded)).Select(e => e.Stream)];
                return written.All(k => remindedStreams.Contains($"crash/{k}"));
            },
            "every written grain's reminder to take effect",
            TimeSpan.FromSeconds(120));

        var byStream = (await storage.ReadEventsAsync(0, 1_000_000, null, CancellationToken.None))
            .Where(e => e.Stream.StartsWith("crash/", StringComparison.Ordinal))
            .ToLookup(e => e.Stream);
        foreach (var key in written)
        {
            var state = await node.Grains.GetGrain<ICrashGrain>(key).GetAsync();
            Assert.Equal((1, 1), (state.Written, state.Reminded));
            Assert.Equal(["CrashWritten", "CrashReminded"], byStream[$"crash/{key}"].Select(e => e.Type));
            Assert.Null(await storage.ReadReminderAsync(new GrainId("crash", key), "effect", CancellationToken.None));
        }
    }

    private async Task<List<string>> RunChildUntilKilledAsync()
    {
        var location = Store.Kind == StoreKind.Sqlite ? Store.SqlitePath! : Store.ConnectionString!;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Actors.CrashHost.dll"));
        start.ArgumentList.Add(Store.Kind == StoreKind.Sqlite ? "sqlite" : "postgres");
        start.ArgumentList.Add(location);
        start.ArgumentList.Add(Start.ToString("O"));
        start.ArgumentList.Add("crash-child");
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash host");
        var acknowledged = new List<string>();
        var errors = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            while (acknowledged.Count < AcknowledgementsBeforeKill)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"the crash host exited early: {await errors}");
                if (line.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    acknowledged.Add(line[4..]);
                }
            }
        }
        finally
        {
            // Process.Kill is SIGKILL on Linux: no shutdown code runs in the child.
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(CancellationToken.None);
        }

        // Acknowledgements printed before the kill but not yet read are acknowledged too.
        while (await child.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
        {
            if (rest.StartsWith("ACK ", StringComparison.Ordinal))
            {
                acknowledged.Add(rest[4..]);
            }
        }

        return acknowledged;
    }
}

public sealed class SqliteCrashTests() : CrashTests(StoreKind.Sqlite);

[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashTests() : CrashTests(StoreKind.Postgres);
