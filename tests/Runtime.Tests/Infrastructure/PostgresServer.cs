using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Actors.Runtime.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the test run: initdb into a fresh temporary folder, a free loopback port, trust
/// authentication, fsync on. One server serves the whole test assembly (<see cref="GetSharedAsync"/>); each test
/// class takes its own database from <see cref="CreateDatabaseAsync"/>. The server is stopped at process exit,
/// and a detached watchdog stops it too if the test process is killed before it can clean up.
/// </summary>
public sealed class PostgresServer
{
    private const string SuperUser = "postgres";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync);

    private readonly string _binDirectory;
    private readonly string _rootDirectory;
    private readonly string _dataDirectory;
    private readonly bool _runAsPostgresUser;
    private int _stopped;

    private PostgresServer(string binDirectory, string rootDirectory, int port, bool runAsPostgresUser)
    {
        _binDirectory = binDirectory;
        _rootDirectory = rootDirectory;
        _dataDirectory = Path.Combine(rootDirectory, "data");
        _runAsPostgresUser = runAsPostgresUser;
        Port = port;
        AdminConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = IPAddress.Loopback.ToString(),
            Port = port,
            Username = SuperUser,
            Database = "postgres",
            Pooling = false,
            IncludeErrorDetail = true,
        }.ConnectionString;
    }

    public int Port { get; }

    /// <summary>A connection string to the maintenance database as the superuser.</summary>
    public string AdminConnectionString { get; }

    public static Task<PostgresServer> GetSharedAsync() => Shared.Value;

    /// <summary>Creates an empty database with a unique name and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var binDirectory = FindBinDirectory();
        var runAsPostgresUser = Environment.UserName == "root";
        var root = Path.Combine(Path.GetTempPath(), "actors-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var server = new PostgresServer(binDirectory, root, FreeLoopbackPort(), runAsPostgresUser);
        try
        {
            if (runAsPostgresUser)
            {
                // initdb refuses to run as root; the postgres user must own the folder it writes.
                await RunAsync("chown", ["-R", $"{SuperUser}:", root]);
            }

            await server.RunToolAsync("initdb", ["-D", server._dataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
            server.StartWatchdog();
            var options = string.Join(
                ' ',
                $"-c port={server.Port}",
                "-c listen_addresses=127.0.0.1",
                $"-c unix_socket_directories={root}",
                "-c fsync=on",
                "-c max_connections=300");
            await server.RunToolAsync(
                "pg_ctl",
                ["-D", server._dataDirectory, "-l", Path.Combine(root, "server.log"), "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-o", options, "start"]);
            await server.WaitUntilAcceptingConnectionsAsync();
            return server;
        }
        catch
        {
            server.Stop();
            throw;
        }
    }

    private static string FindBinDirectory()
    {
        const string Preferred = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(Preferred, "initdb")))
        {
            return Preferred;
        }

        // xid8 and pg_current_snapshot() need PostgreSQL 13 or later.
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(directory => (Directory: directory, Version: int.TryParse(Path.GetFileName(directory), out var version) ? version : 0))
                .Where(candidate => candidate.Version >= 13 && File.Exists(Path.Combine(candidate.Directory, "bin", "initdb")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => Path.Combine(candidate.Directory, "bin"))
                .FirstOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/<version>/bin. " +
            "Install them with 'apt-get install -y postgresql'.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilAcceptingConnectionsAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (NpgsqlException exception)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL on port {Port} did not accept connections within {StartTimeout.TotalSeconds} s. " +
                    $"Server log: {Path.Combine(_rootDirectory, "server.log")}",
                    exception);
            }
        }
    }

    /// <summary>
    /// A detached shell that outlives a killed test process: once the process is gone it stops the server and
    /// removes the folder. After a normal exit it finds both already gone.
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

    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            RunAsync(ToolCommandLine("pg_ctl", ["-D", _dataDirectory, "stop", "-m", "immediate"]), throwOnFailure: false)
                .GetAwaiter().GetResult();
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

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments) => RunAsync(ToolCommandLine(tool, arguments));

    private List<string> ToolCommandLine(string tool, IReadOnlyList<string> arguments)
    {
        var executable = Path.Combine(_binDirectory, tool);
        List<string> commandLine = _runAsPostgresUser ? ["runuser", "-u", SuperUser, "--", executable] : [executable];
        commandLine.AddRange(arguments);
        return commandLine;
    }

    private static Task RunAsync(string fileName, IReadOnlyList<string> arguments) => RunAsync([fileName, .. arguments]);

    private static async Task RunAsync(List<string> commandLine, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo(commandLine[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout * 2);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 && throwOnFailure)
        {
            throw new InvalidOperationException(
                $"'{string.Join(' ', commandLine)}' exited with {process.ExitCode}:{Environment.NewLine}{await output}{await error}");
        }
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
