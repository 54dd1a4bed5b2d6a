using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Actors.Bench;

/// <summary>
/// The first benchmark (QUALITY.md, Performance): pgbench's TPS on a PostgreSQL 15 started for the run, persisted
/// grain writes/s on the same server with their ratio to it and the store commits each write cost, and in-process
/// grain calls/s without storage. Prints one table and writes bench/out/results.json.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(BenchOptions.Usage);
            return 2;
        }

        var command = Environment.GetEnvironmentVariable("BENCH_COMMAND") is { Length: > 0 } given
            ? given
            : string.Join(' ', args.Prepend("Actors.Bench"));
        var started = Stopwatch.GetTimestamp();
        var startedAt = DateTimeOffset.UtcNow;
        using var cancellation = new CancellationTokenSource();
        var run = new BenchmarkRun(options, message => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1}s] {message}"));

        // Ctrl+C or SIGTERM unwinds through the normal clean-up (nodes first, then PostgreSQL); a second signal
        // ends the process at once, and the exit handler (or, failing that, the watchdog) still stops PostgreSQL.
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => run.EmergencyStop();

        try
        {
            await run.RunAsync(cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Interrupted; PostgreSQL was stopped and its folder removed.");
            return 130;
        }
        catch (BenchSetupException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 3;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // PostgreSQL is already stopped by the run's own clean-up; say what failed and publish nothing.
            await Console.Error.WriteLineAsync($"The benchmark failed; no results were written.{Environment.NewLine}{ex}");
            return 1;
        }

        var machine = MachineInfo.Read(run.PostgresVersion, run.PgbenchVersion);
        Console.Write(Report.Table(run.Samples, options, machine, command, run.PgbenchCommand));
        await Report.WriteJsonAsync(
            options.OutputPath, run.Samples, options, machine, command, run.PgbenchCommand, startedAt, Stopwatch.GetElapsedTime(started));
        await Console.Error.WriteLineAsync($"results written to {options.OutputPath}");
        return 0;
    }
}
