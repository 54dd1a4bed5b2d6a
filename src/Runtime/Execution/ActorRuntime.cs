using System.Diagnostics;
using System.Text.Json;
using Actors.Runtime.Cluster;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Execution;

/// <summary>
/// The runtime of one node: places calls on activations, owns the catalog, the store pipeline and the stream provider.
/// </summary>
internal sealed partial class ActorRuntime : IGrainFactory, IDisposable
{
    private readonly OutboxStreamProvider _streams;
    private readonly IServiceProvider _services;
    private IGrainCallTransport? _transport;

    public ActorRuntime(
        IServiceProvider services,
        IOptions<ActorRuntimeOptions> options,
        IStorageProvider storage,
        GrainTypeRegistry registry,
        PartitionDirectory directory,
        TimeProvider time,
        RuntimeMetrics metrics,
        JsonSerializerOptions jsonOptions,
        ILogger<ActorRuntime> logger)
    {
        _services = services;
        Options = options.Value;
        Storage = storage;
        Registry = registry;
        Directory = directory;
        Time = time;
        Metrics = metrics;
        JsonOptions = jsonOptions;
        Logger = logger;
        GrainActivator = new GrainActivator(services);
        Catalog = new Catalog(this, directory);
        Store = new StorePipeline(storage, metrics, Options);
        _streams = new OutboxStreamProvider(jsonOptions);
        CallTimeoutMilliseconds = (long)Options.CallTimeout.TotalMilliseconds;
        Deadlines = new CallDeadlines(Options.CallTimeout, logger);
        metrics.ObserveCallsInFlight(() => Deadlines.Count);
    }

    public ActorRuntimeOptions Options { get; }

    public IStorageProvider Storage { get; }

    public GrainTypeRegistry Registry { get; }

    public PartitionDirectory Directory { get; }

    public TimeProvider Time { get; }

    public RuntimeMetrics Metrics { get; }

    public JsonSerializerOptions JsonOptions { get; }

    public ILogger Logger { get; }

    public GrainActivator GrainActivator { get; }

    public Catalog Catalog { get; }

    /// <summary>Group commit, with the state reads of activating grains riding in its transactions.</summary>
    public StorePipeline Store { get; }

    /// <summary>The call timeout in milliseconds (see <see cref="WorkItem.Deadline"/>).</summary>
    public long CallTimeoutMilliseconds { get; }

    public CallDeadlines Deadlines { get; }

    public IGrainFactory GrainFactory => this;

    /// <summary>Carries calls to grains whose partitions other nodes hold.</summary>
    public IGrainCallTransport Transport => _transport ??= _services.GetRequiredService<IGrainCallTransport>();

    /// <summary>Raised after a commit changed reminders, so the reminder service can look sooner than its poll.</summary>
    public event Action<IReadOnlyList<ReminderOperation>>? RemindersChanged;

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        var grainClass = Registry.ForInterface(typeof(TGrainInterface));
        return GrainReference.Create<TGrainInterface>(this, grainClass, new GrainId(grainClass.GrainType, primaryKey));
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
        where TGrainInterface : IGrainWithGuidKey
    {
        var grainClass = Registry.ForInterface(typeof(TGrainInterface));
        return GrainReference.Create<TGrainInterface>(this, grainClass, new GrainId(grainClass.GrainType, primaryKey.ToString("N")));
    }

    public IStreamProvider GetStreamProvider(string name) => _streams;

    /// <summary>
    /// Runs <paramref name="body"/> as a turn of the grain's activation and returns its result. Fails with a
    /// <see cref="TimeoutException"/> naming the grain and method when no result came within the call timeout,
    /// which is also how a call cycle between non-reentrant grains ends instead of hanging.
    /// </summary>
    public Task<T> InvokeAsync<T>(GrainId grainId, GrainClassInfo grainClass, string method, WorkKind kind, Func<Grain, Task<T>> body, CancellationToken cancellationToken) =>
        InvokeAsync(grainId, grainClass, method, kind, static (grain, state) => ((Func<Grain, Task<T>>)state!)(grain), body, cancellationToken);

    /// <summary>
    /// <see cref="InvokeAsync{T}(GrainId, GrainClassInfo, string, WorkKind, Func{Grain, Task{T}}, CancellationToken)"/>
    /// with the body's state passed beside it, so that a proxy's call needs no closure.
    /// </summary>
    /// <remarks>
    /// The caller's task is the call's own: a call to an active grain is queued on its mailbox right here, and
    /// only a call that must first wait for its activation goes through an asynchronous placement. The caller's token
    /// joins placement and withdraws the call while it waits in the mailbox (rare: most calls carry none); once the
    /// request runs, the token goes to the grain method, which decides what cancellation means, as in Orleans.
    /// </remarks>
    public Task<T> InvokeAsync<T>(GrainId grainId, GrainClassInfo grainClass, string method, WorkKind kind, Func<Grain, object?, Task<T>> body, object? state, CancellationToken cancellationToken)
    {
        var item = new CallWorkItem<T>(this, grainId, method, kind, body, state);
        Deadlines.Track(item);
        if (cancellationToken.CanBeCanceled)
        {
            item.WithdrawOn(cancellationToken);
        }

        if (!Catalog.TryGetActivation(grainId, out var activation) || !activation.TryEnqueue(item))
        {
            _ = PlaceAsync(item, grainClass, cancellationToken);
        }

        return item.Completion;
    }

    /// <summary>A call whose activation went away before it started moves to the grain's next activation.</summary>
    public void Redispatch(CallWorkItem call, GrainClassInfo grainClass) => _ = PlaceAsync(call, grainClass, CancellationToken.None);

    /// <summary>Queues a call on its grain's activation, creating it (and waiting for the partition's lease) if needed.</summary>
    private async Task PlaceAsync(CallWorkItem item, GrainClassInfo grainClass, CancellationToken cancellationToken)
    {
        var remaining = TimeSpan.FromMilliseconds(item.Deadline - Environment.TickCount64);
        using var placement = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        placement.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        try
        {
            while (true)
            {
                var activation = await Catalog.GetOrCreateAsync(item.Target, grainClass, placement.Token);
                if (activation.TryEnqueue(item))
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            if (placement.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                item.TimeOut();
            }
            else
            {
                item.Reject(ex);
            }
        }
    }

    /// <summary>
    /// Runs a call for a grain wherever its partition is held: here (<paramref name="local"/>), or on the owner over the
    /// transport, with one redirect at most when ownership just moved. While no live owner is known (a dead node's
    /// lease running out, a stopped node's partitions not yet taken) it waits for the directory to change, within the
    /// call timeout; a node that cannot be reached is forgotten until the next lease read.
    /// </summary>
    public async Task<T> RouteAsync<T>(
        GrainId grainId,
        int partition,
        string description,
        Func<Task<T>> local,
        Func<RemoteCallRequest> request,
        Func<JsonElement?, T> result,
        CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Options.CallTimeout.TotalSeconds * Stopwatch.Frequency);
        var redirected = false;
        while (true)
        {
            var changed = Directory.WhenChangedAsync();
            var route = Directory.Route(partition);
            if (route.IsLocal)
            {
                return await local();
            }

            if (route.IsRemote)
            {
                RemoteCallResponse response;
                try
                {
                    response = await Transport.SendAsync(route, request(), cancellationToken);
                }
                catch (NodeUnreachableException unreachable)
                {
                    Directory.ForgetNode(unreachable.NodeId);
                    if (Stopwatch.GetTimestamp() >= deadline)
                    {
                        throw unreachable.Unavailable;
                    }

                    continue;
                }

                if (!response.NotOwner)
                {
                    return response.Error is { } error ? throw RemoteErrors.Decode(error, JsonOptions) : result(response.Result);
                }

                if (redirected)
                {
                    throw new GrainUnavailableException($"Partition {partition} of grain {grainId} is changing owner; the call {description} is safe to retry.");
                }

                redirected = true;
            }

            Directory.RequestRefresh();
            var remaining = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (remaining <= TimeSpan.Zero)
            {
                throw new GrainUnavailableException($"No live node held partition {partition} of grain {grainId} within {Options.CallTimeout} for {description}; retry later.");
            }

            try
            {
                await changed.WaitAsync(remaining, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The deadline check above answers with the error.
            }
        }
    }

    public void NotifyRemindersChanged(IReadOnlyList<ReminderOperation> operations) => RemindersChanged?.Invoke(operations);

    public void Dispose() => Deadlines.Dispose();
}
