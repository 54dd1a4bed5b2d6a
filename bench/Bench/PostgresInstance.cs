using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Actors.Bench;

/// <summary>
/// The PostgreSQL 15 server every store figure is measured on, started as the runtime tests start theirs
/// (tests/Runtime.Tests/Infrastructure/PostgresServer.cs): initdb into a fresh temporary folder, a free loopback port,
/// trust authentication, fsync and synchronous_commit on, run as the postgres user when we are root. It is stopped
/// and its folder deleted by <see cref="Stop"/>, which the benchmark calls on every way out; a detached watchdog does
/// the same if this process is killed before it can.
/// </summary>
internal sealed class PostgresInstance
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string SuperUser = "postgres";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    private readonly string _rootDirectory;
    private readonly string _dataDirectory;
    private readonly bool _runAsPostgresUser;
    private int _stopped;
    private string? _keepLog;

    private PostgresInstance(string rootDirectory, int port, bool runAsPostgresUser)
    {
        _rootDirectory = rootDirectory;
        _dataDirectory = Path.Combine(rootDirectory, "data");
        _runAsPostgresUser = runAsPostgresUser;
        Port = port;
        AdminConnectionString = ConnectionString("postgres", pooling: false);
    }

    public int Port { get; }

    /// <summary>The maintenance database as the superuser, unpooled: its reads must not keep backends around.</summary>
    public string AdminConnectionString { get; }

    public static string SuperUserName => SuperUser;

    /// <summary>
    /// Settings beyond the defaults. Durability is what a production store has (fsync and synchronous_commit on),
    /// so a commit costs a WAL flush. Checkpoints are kept out of the measured minutes (the set-up ends with one,
    /// and neither the timeout nor the WAL size triggers another during a run) so that no phase randomly pays for
    /// one; track_wal_io_timing lets pg_stat_wal say how long WAL flushes take; track_commit_timestamp records when
    /// each transaction committed, which the activation lag is measured to.
    /// </summary>
    public static IReadOnlyList<string> ServerSettings { get; } =
    [
        "fsync=on",
        "synchronous_commit=on",
        "max_connections=500",
        "checkpoint_timeout=30min",
        "max_wal_size=8GB",
        "track_wal_io_timing=on",
        "track_commit_timestamp=on",
    ];

    /// <summary>The PID of the postmaster; every server process is its child.</summary>
    public int PostmasterPid =>
        int.Parse(File.ReadLines(Path.Combine(_dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>
    /// For --profile: pg_stat_statements (which statements the silo runs, how often, for how long) and auto_explain (the
    /// plan of every statement slower than 5 ms, with its actual rows and timings, in the server log, which the run copies
    /// to bench/out/postgres-profile.log when it stops the server).
    /// </summary>
    public static IReadOnlyList<string> ProfileSettings { get; } =
    [
        "shared_preload_libraries=pg_stat_statements,auto_explain",
        "pg_stat_statements.track=all",
        "auto_explain.log_min_duration=5ms",
        "auto_explain.log_analyze=on",
        "auto_explain.log_buffers=on",
        "auto_explain.log_timing=on",
    ];

    public static async Task<PostgresInstance> StartAsync(IEnumerable<string> extraSettings, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new BenchSetupException(
                $"PostgreSQL 15 server binaries were not found in {BinDirectory}. Install them with 'apt-get install -y postgresql-15' " +
                "(Debian's 'postgresql' package on bookworm).");
        }

        var runAsPostgresUser = Environment.UserName == "root";
        var root = Path.Combine(Path.GetTempPath(), "actors-bench-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var server = new PostgresInstance(root, FreeLoopbackPort(), runAsPostgresUser);
        try
        {
            if (runAsPostgresUser)
            {
                // initdb refuses to run as root; the postgres user must own the folder it writes.
                await ProcessRunner.RunCheckedAsync(["chown", "-R", $"{SuperUser}:", root], ToolTimeout, cancellationToken);
            }

            await server.RunToolAsync("initdb", ["-D", server._dataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], cancellationToken);
            server.StartWatchdog();
            IEnumerable<string> settings =
            [
                $"port={server.Port}",
                "listen_addresses=127.0.0.1",
                $"unix_socket_directories={root}",
                .. ServerSettings,
                .. extraSettings,
            ];
            await server.RunToolAsync(
                "pg_ctl",
                ["-D", server._dataDirectory, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o", string.Join(' ', settings.Select(s => "-c " + s)), "start"],
                cancellationToken);
            await server.WaitUntilAcceptingConnectionsAsync(cancellationToken);
            return server;
        }
        catch
        {
            server.Stop();
            throw;
        }
    }

    /// <summary>Copies the server's log to <paramref name="path"/> when the server stops.</summary>
    public void KeepLogAt(string path) => _keepLog = Path.GetFullPath(path);

    public string ConnectionString(string database, bool pooling = true) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Username = SuperUser,
        Database = database,
        Pooling = pooling,
        IncludeErrorDetail = true,
    }.ConnectionString;

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<T> QueryScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetFieldValue<T>(0);
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stops the server at once and deletes its folder. Safe to call more than once and from any thread.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (_keepLog is { } keep && File.Exists(Path.Combine(_rootDirectory, "server.log")))
        {
            try
            {
                File.Copy(Path.Combine(_rootDirectory, "server.log"), keep, overwrite: true);
            }
            catch (IOException)
            {
                // Only a diagnostic.
            }
        }

        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            try
            {
                ProcessRunner.RunAsync(ToolCommandLine("pg_ctl", ["-D", _dataDirectory, "stop", "-m", "immediate"]), ToolTimeout, CancellationToken.None)
                    .GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
                // The watchdog stops it once this process has exited.
            }
        }

        try
        {
            Directory.Delete(_rootDirectory, recursive: true);
        }
        catch (IOException)
        {
            // The watchdog removes what is left once this process has exited.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilAcceptingConnectionsAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A detached shell that outlives a killed benchmark: once this process is gone it stops the server and removes
    /// the folder. After a normal exit it finds both already gone.
    /// </summary>
    private void StartWatchdog()
    {
        var stop = string.Join(' ', ToolCommandLine("pg_ctl", ["-D", _dataDirectory, "stop", "-m", "immediate"]).Select(Quote));
        var script =
            $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; {stop}; rm -rf {Quote(_rootDirectory)}";
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var watchdog = Process.Start(start);
    }

    private async Task RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        await ProcessRunner.RunCheckedAsync(ToolCommandLine(tool, arguments), ToolTimeout, cancellationToken);

    private List<string> ToolCommandLine(string tool, IReadOnlyList<string> arguments)
    {
        var executable = Path.Combine(BinDirectory, tool);
        List<string> commandLine = _runAsPostgresUser ? ["runuser", "-u", SuperUser, "--", executable] : [executable];
        commandLine.AddRange(arguments);
        return commandLine;
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>The machine lacks something the benchmark needs; the message says what and how to get it.</summary>
internal sealed class BenchSetupException(string message) : Exception(message);
