using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using OsProcess = System.Diagnostics.Process;

namespace Actors.Api.Tests.Infrastructure;

/// <summary>
/// A silo as a separate process (<c>dotnet Actors.Silo.dll</c>) on loopback ports: one for clients, one internal
/// (HTTP/2) for the other silos. It can be killed (SIGKILL), frozen (SIGSTOP) and resumed (SIGCONT), or stopped
/// gracefully (SIGTERM). Its output is kept for the failure message.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private const int SigCont = 18;

    private readonly OsProcess _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(string name, OsProcess process, Uri baseAddress)
    {
        Name = name;
        _process = process;
        BaseAddress = baseAddress;
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Stopped with SIGSTOP: a load balancer's health check would take it out of rotation.</summary>
    public bool IsFrozen { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a silo of the cluster on <paramref name="connectionString"/> and waits until it is ready.</summary>
    public static async Task<SiloProcess> StartAsync(string name, string connectionString, IReadOnlyDictionary<string, string?>? settings = null, bool waitUntilReady = true)
    {
        var port = FreePort();
        var internalPort = FreePort();
        var arguments = TestSilo.Settings(TestSilo.Start);
        arguments["urls"] = $"http://127.0.0.1:{port}";
        arguments["Storage:Provider"] = "Postgres";
        arguments["ConnectionStrings:Postgres"] = connectionString;
        arguments["Cluster:NodeName"] = name;
        arguments["Cluster:Address"] = $"http://127.0.0.1:{internalPort}";
        arguments["Cluster:LeaseSeconds"] = "4";
        arguments["Logging:LogLevel:Actors"] = "Information";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            arguments[key] = value;
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Actors.Silo.dll"));
        foreach (var (key, value) in arguments.Where(a => a.Value is not null))
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_gcServer"] = "0";
        var process = OsProcess.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var silo = new SiloProcess(name, process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitUntilReady)
        {
            await silo.WaitUntilReadyAsync();
        }

        return silo;
    }

    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Polling.UntilAsync(
            async () =>
            {
                Assert.False(_process.HasExited, $"silo {Name} exited: {Output}");
                try
                {
                    using var response = await http.GetAsync("/health/ready");
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            },
            $"silo {Name} to be ready",
            timeout ?? TimeSpan.FromSeconds(90));
    }

    public ApiClient Client(string? token = null)
    {
        var client = new ApiClient(new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) });
        if (token is not null)
        {
            client.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Kills the process at once, as a crash or a pulled plug would.</summary>
    public async Task KillAsync()
    {
        Signal(SigKill);
        await _process.WaitForExitAsync();
    }

    /// <summary>Asks the silo to stop (SIGTERM): it hands its partitions over and exits.</summary>
    public async Task StopAsync()
    {
        Signal(SigTerm);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Freeze()
    {
        Signal(SigStop);
        IsFrozen = true;
    }

    public void Resume()
    {
        Signal(SigCont);
        IsFrozen = false;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(SigCont);
            Signal(SigKill);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }

            _output.Append(Name).Append(": ").AppendLine(line);
        }
    }

    private void Signal(int signal)
    {
        if (!_process.HasExited && Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
