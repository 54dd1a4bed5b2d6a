using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Tests.Infrastructure;

/// <summary>One node of the real runtime in this process, on a real store, with a clock the test drives.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private TestNode(IHost host)
    {
        _host = host;
    }

    public IServiceProvider Services => _host.Services;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public Probe Probe => _host.Services.GetRequiredService<Probe>();

    public static async Task<TestNode> StartAsync(
        Func<IStorageProvider> storage,
        TimeProvider clock,
        Probe probe,
        Action<ActorRuntimeOptions>? configure = null,
        string? nodeName = null,
        Action<ActorRuntimeBuilder>? runtime = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(probe);
        builder.Services.AddActorRuntime(b =>
        {
            b.AddGrains<TestNode>().UseStorage(_ => storage()).UseTimeProvider(clock);
            runtime?.Invoke(b);
        });
        builder.Services.Configure<ActorRuntimeOptions>(o =>
        {
            o.NodeName = nodeName ?? $"test-{Guid.NewGuid():N}";
            o.CallTimeout = TimeSpan.FromSeconds(10);
            configure?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new TestNode(host);
    }

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
