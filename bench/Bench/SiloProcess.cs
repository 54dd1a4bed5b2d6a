using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Actors.Bench;

/// <summary>
/// The silo as production runs it: the Release build of src/Silo started as its own process
/// (<c>dotnet src/Silo/bin/Release/net10.0/Actors.Silo.dll --urls ... --Storage:Provider=Postgres ...</c>) on a database of
/// the benchmark's PostgreSQL, with the manual business clock, no demo data, and two users (a CSR and an administrator).
/// Its output goes to a log file; it is stopped with SIGTERM (SIGKILL after a grace period), and a detached watchdog kills
/// it if the benchmark dies first.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    public const string SiloAssembly = "src/Silo/bin/Release/net10.0/Actors.Silo.dll";
    public const string CsrUser = "bench-csr";
    public const string AdminUser = "bench-admin";
    public const string Password = "bench-password";
    private const string SigningKey = "bench-signing-key-of-at-least-32-characters";

    private readonly Process _process;
    private readonly Task _drain;
    private int _stopped;

    private SiloProcess(Process process, Uri address, string logPath, Task drain)
    {
        _process = process;
        Address = address;
        LogPath = logPath;
        _drain = drain;
    }

    public Uri Address { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a silo on <paramref name="connectionString"/> and waits until /health/ready answers 200.</summary>
    public static async Task<SiloProcess> StartAsync(
        string name,
        string connectionString,
        DateTimeOffset clockStart,
        IReadOnlyDictionary<string, string>? environment,
        IEnumerable<string>? extraSettings,
        CancellationToken cancellationToken)
    {
        var assembly = Path.GetFullPath(SiloAssembly);
        if (!File.Exists(assembly))
        {
            throw new BenchSetupException($"{SiloAssembly} was not found: bench/run.sh builds it (dotnet build -c Release src/Silo).");
        }

        var port = FreeLoopbackPort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var logDirectory = Path.GetFullPath(Path.Combine("bench", "out"));
        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"silo-{name}.log");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        IEnumerable<string> settings =
        [
            $"--urls={address.GetLeftPart(UriPartial.Authority)}",
            "--Storage:Provider=Postgres",
            $"--ConnectionStrings:Postgres={connectionString}",
            "--Clock:Mode=Manual",
            $"--Clock:Start={clockStart.ToString("O", CultureInfo.InvariantCulture)}",

            // A burst of 10,000 activations takes longer than the default 30 s to settle; the move answers when it has.
            "--Clock:SettleTimeout=00:10:00",
            "--Demo:Seed=false",
            $"--Auth:SigningKey={SigningKey}",
            $"--Auth:Users:0:Username={CsrUser}",
            $"--Auth:Users:0:Password={Password}",
            "--Auth:Users:0:Roles:0=CSR",
            $"--Auth:Users:1:Username={AdminUser}",
            $"--Auth:Users:1:Password={Password}",
            "--Auth:Users:1:Roles:0=Admin",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            .. extraSettings ?? [],
        ];
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        // The production environment: no development settings (demo users, development exception pages).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the silo.");
        StartWatchdog(process.Id);
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var drain = Task.WhenAll(CopyAsync(process.StandardOutput, log), CopyAsync(process.StandardError, log))
            .ContinueWith(_ => log.Dispose(), TaskScheduler.Default);
        var silo = new SiloProcess(process, address, logPath, drain);
        try
        {
            await silo.WaitUntilReadyAsync(cancellationToken);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Resident set size of the silo now (VmRSS of /proc/pid/status), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{Pid}/status has no VmRSS line.");
    }

    /// <summary>Stops the silo: SIGTERM (a graceful host shutdown), SIGKILL if it is still running after 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            await ProcessRunner.RunAsync(["kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10), CancellationToken.None);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        await _drain;
        _process.Dispose();
    }

    /// <summary>For exits that skip the normal clean-up: kills the silo at once.</summary>
    public void Kill()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0 && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with {_process.ExitCode} while starting; see {LogPath}.");
            }

            try
            {
                using var response = await http.GetAsync("/health/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow answer while it starts.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The silo was not ready within 60 s; see {LogPath}.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task CopyAsync(StreamReader from, StreamWriter to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (to)
            {
                to.WriteLine(line);
            }
        }
    }

    /// <summary>A detached shell that kills the silo once this process is gone; after a normal exit it finds it gone.</summary>
    private static void StartWatchdog(int siloPid)
    {
        // Only if that pid is still the silo: a pid freed and reused by then belongs to someone else.
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; " +
            $"grep -q Actors.Silo.dll /proc/{siloPid}/cmdline && kill -9 {siloPid}";
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var watchdog = Process.Start(start);
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
