using System.Globalization;
using System.Text.RegularExpressions;

namespace Actors.Bench;

/// <summary>What one pgbench run reported.</summary>
internal sealed record PgBenchResult(double Tps, double LatencyMs, long Transactions, long Failed);

/// <summary>
/// The baseline: pgbench's built-in simple-update script (-N: per transaction one UPDATE of pgbench_accounts, one
/// SELECT, one INSERT into pgbench_history) on the same server, over loopback TCP like the runtime's Npgsql.
/// </summary>
internal sealed partial class PgBench(string executable, int port, string database)
{
    public const string Database = "pgbench";

    public string Executable { get; } = executable;

    /// <summary>pgbench of the same major version as the server, else the one on PATH; null when there is none.</summary>
    public static string? Find()
    {
        var preferred = Path.Combine(PostgresInstance.BinDirectory, "pgbench");
        if (File.Exists(preferred))
        {
            return preferred;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "pgbench"))
            .FirstOrDefault(File.Exists);
    }

    public async Task InitializeAsync(int scale, CancellationToken cancellationToken) =>
        await ProcessRunner.RunCheckedAsync(
            [Executable, "-i", "-q", "-s", scale.ToString(CultureInfo.InvariantCulture), .. ConnectionArguments()],
            TimeSpan.FromMinutes(10),
            cancellationToken);

    public async Task<string> VersionAsync(CancellationToken cancellationToken) =>
        (await ProcessRunner.RunCheckedAsync([Executable, "--version"], TimeSpan.FromSeconds(30), cancellationToken)).Output.Trim();

    /// <summary>
    /// The command line of a measured run. -M prepared: the runtime's store prepares its statements (Npgsql
    /// auto-prepare), so the baseline does too rather than paying a parse and plan per statement.
    /// </summary>
    public IReadOnlyList<string> RunCommandLine(int clients, int threads, int seconds) =>
    [
        Executable,
        "-N",
        "-M", "prepared",
        "-c", clients.ToString(CultureInfo.InvariantCulture),
        "-j", threads.ToString(CultureInfo.InvariantCulture),
        "-T", seconds.ToString(CultureInfo.InvariantCulture),
        .. ConnectionArguments(),
    ];

    public async Task<PgBenchResult> RunAsync(int clients, int threads, int seconds, Action<int> started, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(
            RunCommandLine(clients, threads, seconds), TimeSpan.FromSeconds(seconds + 120), cancellationToken, started);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench exited with {result.ExitCode}:{Environment.NewLine}{result.Output}{result.Error}");
        }

        return Parse(result.Output);
    }

    /// <summary>Reads pgbench 15's summary: "tps = 1234.5 (without initial connection time)" and the lines around it.</summary>
    public static PgBenchResult Parse(string output)
    {
        var tps = TpsLine().Match(output);
        if (!tps.Success)
        {
            throw new FormatException($"pgbench printed no 'tps = ... (without initial connection time)' line:{Environment.NewLine}{output}");
        }

        var latency = LatencyLine().Match(output);
        var processed = ProcessedLine().Match(output);
        var failed = FailedLine().Match(output);
        return new PgBenchResult(
            double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture),
            latency.Success ? double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN,
            processed.Success ? long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            failed.Success ? long.Parse(failed.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    private string[] ConnectionArguments() =>
        ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", PostgresInstance.SuperUserName, database];

    [GeneratedRegex(@"^tps = ([0-9.]+) \(without initial connection time\)", RegexOptions.Multiline)]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"^latency average = ([0-9.]+) ms", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"^number of transactions actually processed: ([0-9]+)", RegexOptions.Multiline)]
    private static partial Regex ProcessedLine();

    [GeneratedRegex(@"^number of failed transactions: ([0-9]+)", RegexOptions.Multiline)]
    private static partial Regex FailedLine();
}
