using Actors.Runtime.Cluster;
using Actors.Runtime.Execution;
using Actors.Runtime.Reminders;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Hosting;

/// <summary>
/// Starts the node in dependency order (store schema, leases, reminders, outbox sequencing and consumers, idle
/// collection) and stops it in reverse: deactivate grains, stop background work, hand the leases back.
/// </summary>
internal sealed partial class SiloLifecycle(
    IServiceProvider services,
    IStorageProvider storage,
    ActorRuntime runtime,
    LeaseManager leases,
    ReminderService reminders,
    OutboxConsumerLoops consumerLoops,
    IOptions<ActorRuntimeOptions> options,
    ILogger<SiloLifecycle> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private ITimer? _collector;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await storage.InitializeAsync(cancellationToken);
        await leases.StartAsync(cancellationToken);
        reminders.Start();
        var settings = options.Value;
        var consumerLogger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Actors.Runtime.Outbox");
        var consumers = services.GetServices<IOutboxConsumer>().ToList();
        foreach (var grainClass in runtime.Registry.All)
        {
            consumers.AddRange(grainClass.ImplicitSubscriptions.Select(ns => new ImplicitSubscriptionConsumer(runtime, grainClass, ns, consumerLogger)));
        }

        var tail = new OutboxTail(storage);
        var loops = consumers
            .Select(consumer => new OutboxConsumerLoop(consumer, storage, tail, runtime.Directory, settings, runtime.Time, runtime.Metrics, consumerLogger))
            .ToList();
        consumerLoops.Publish(loops);
        foreach (var loop in loops)
        {
            _background.Add(Task.Run(() => loop.RunAsync(_stopping.Token), CancellationToken.None));
        }

        _collector = runtime.Time.CreateTimer(_ => runtime.Catalog.RequestCollection(settings.CollectionAge), null, settings.CollectionQuantum, settings.CollectionQuantum);
        LogStarted(logger, runtime.Directory.NodeId, storage.Name);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_collector is not null)
        {
            await _collector.DisposeAsync();
        }

        await reminders.StopAsync();
        await runtime.Catalog.DeactivateAllAsync(cancellationToken);
        runtime.Directory.StopAcceptingCalls();
        await _stopping.CancelAsync();
        await Task.WhenAll(_background);
        runtime.Store.Complete();
        await leases.StopAsync(cancellationToken);
        await storage.DisposeAsync();
        LogStopped(logger, runtime.Directory.NodeId);
    }

    public void Dispose()
    {
        _collector?.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} started on {Storage}")]
    private static partial void LogStarted(ILogger logger, string node, string storage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} stopped")]
    private static partial void LogStopped(ILogger logger, string node);
}
