using System.Globalization;
using System.Text;
using Npgsql;

namespace Actors.Bench;

/// <summary>
/// <c>--profile</c>: what a silo phase cost, written to bench/out/profile-&lt;phase&gt;-*.txt. From PostgreSQL, every
/// statement the silo ran in the phase (pg_stat_statements, reset when the phase starts): calls, rows and time, each
/// also per operation of the phase. From the CPUs, if Linux perf is installed (<c>apt-get install linux-perf</c>), a
/// sampled profile of the whole machine over the phase's first seconds: CPU by process, the silo's functions (the silo
/// runs with DOTNET_PerfMapEnabled=1 so perf can name JIT-compiled methods) and PostgreSQL's.
/// </summary>
internal sealed class SiloProfiler(PostgresInstance server, string database, Action<string> progress)
{
    private Task<ProcessResult>? _trace;
    private string? _perfData;
    private int _siloPid;

    public static async Task<SiloProfiler> CreateAsync(PostgresInstance server, string database, Action<string> progress, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString(database, pooling: false));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new SiloProfiler(server, database, progress);
    }

    public async Task BeginAsync(string phase, int siloPid, TimeSpan traceFor, CancellationToken cancellationToken)
    {
        await using (var connection = new NpgsqlConnection(server.ConnectionString(database, pooling: false)))
        {
            await connection.OpenAsync(cancellationToken);
            await using var reset = new NpgsqlCommand("SELECT pg_stat_statements_reset()", connection);
            await reset.ExecuteNonQueryAsync(cancellationToken);
        }

        if (FindTool("perf") is not { } perf)
        {
            return;
        }

        _siloPid = siloPid;
        _perfData = Path.GetFullPath(Path.Combine("bench", "out", $"profile-{phase}.perf.data"));
        var seconds = Math.Ceiling(traceFor.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        _trace = ProcessRunner.RunAsync(
            [perf, "record", "-F", "999", "-g", "-a", "-o", _perfData, "--", "sleep", seconds],
            traceFor + TimeSpan.FromMinutes(2),
            cancellationToken);

        // Give perf a moment to attach before the phase starts.
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
    }

    public async Task EndAsync(string phase, double operations, string operation, CancellationToken cancellationToken)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Statements of database '{database}' during '{phase}' ({operations:N0} {operation}s), by calls (pg_stat_statements):");
        report.AppendLine(CultureInfo.InvariantCulture, $"{"calls",10} {"per op",8} {"rows/op",8} {"ms total",10} {"us/call",8}  statement");
        await using (var connection = new NpgsqlConnection(server.ConnectionString(database, pooling: false)))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                """
                SELECT s.calls, s.rows, s.total_exec_time, regexp_replace(s.query, '\s+', ' ', 'g')
                FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                WHERE d.datname = $1
                ORDER BY s.calls DESC
                LIMIT 60
                """,
                connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = database });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var calls = reader.GetInt64(0);
                var rows = reader.GetInt64(1);
                var ms = reader.GetDouble(2);
                var query = reader.GetString(3);
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"{calls,10:N0} {calls / operations,8:F2} {rows / operations,8:F2} {ms,10:N0} {ms * 1000 / Math.Max(1, calls),8:N0}  {(query.Length > 220 ? query[..220] + "..." : query)}");
            }
        }

        var statementsPath = Path.Combine("bench", "out", $"profile-{phase}-statements.txt");
        await File.WriteAllTextAsync(statementsPath, report.ToString(), cancellationToken);
        progress($"  profile: {statementsPath}");

        if (_trace is not null && _perfData is not null && FindTool("perf") is { } perf)
        {
            var recorded = await _trace;
            _trace = null;
            var text = new StringBuilder();
            text.AppendLine(recorded.Error.Trim());
            async Task ReportAsync(string title, params string[] filter)
            {
                var result = await ProcessRunner.RunAsync(
                    [perf, "report", "-i", _perfData, "--stdio", "--no-children", "-g", "none", "--percent-limit", "0.3", .. filter],
                    TimeSpan.FromMinutes(5),
                    cancellationToken);
                text.AppendLine().AppendLine("==== " + title + " ====").AppendLine(result.Output).AppendLine(result.Error);
            }

            await ReportAsync("CPU by process (all cores)", "--sort", "comm,pid");
            await ReportAsync("the silo, by symbol", "--pid", _siloPid.ToString(CultureInfo.InvariantCulture), "--sort", "sym");
            await ReportAsync("PostgreSQL, by symbol", "--comm", "postgres", "--sort", "sym");
            var tracePath = Path.Combine("bench", "out", $"profile-{phase}-cpu.txt");
            await File.WriteAllTextAsync(tracePath, text.ToString(), cancellationToken);
            progress($"  profile: {tracePath}");
        }
    }

    private static string? FindTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
