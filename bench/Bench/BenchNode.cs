using Actors.Runtime;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Bench;

/// <summary>One node of the real runtime in this process, hosted as the silo hosts it, on the store given.</summary>
internal sealed class BenchNode : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchNode(IHost host)
    {
        _host = host;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<BenchNode> StartAsync(string name, Func<IServiceProvider, IStorageProvider> storage, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

        // Warnings only, and to stderr: stdout carries the results table.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // The benchmark owns Ctrl+C (it must stop PostgreSQL after the nodes); the host must not react to it.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.Services.AddActorRuntime(b => b.AddGrains<BenchNode>().UseStorage(storage));
        builder.Services.Configure<ActorRuntimeOptions>(o => o.NodeName = $"bench-{name}-{Environment.ProcessId}");
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new BenchNode(host);
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await _host.StopAsync(timeout.Token);
        }

        _host.Dispose();
    }

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
