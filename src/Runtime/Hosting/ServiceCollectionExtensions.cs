using System.Text.Json;
using System.Text.Json.Serialization;
using Actors.Runtime.Cluster;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Execution;
using Actors.Runtime.Reminders;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Actors.Runtime.Hosting;

public static class ServiceCollectionExtensions
{
    /// <summary>The JSON shape of grain state and events: camelCase, enums as strings.</summary>
    public static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }

    /// <summary>
    /// Adds the actor runtime: the grain factory (<see cref="IGrainFactory"/>), the store, leases, reminders, the
    /// outbox consumers, idle collection, all started and stopped by one hosted service; and
    /// <see cref="IRuntimeQuiescence"/>, which waits until reminders and consumers have caught up.
    /// Options bind from the "Runtime" configuration section and are validated at start-up.
    /// </summary>
    public static IServiceCollection AddActorRuntime(this IServiceCollection services, Action<ActorRuntimeBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new ActorRuntimeBuilder();
        configure(builder);
        if (builder.StorageFactory is null)
        {
            throw new InvalidOperationException("The actor runtime needs a store: call UseStorage.");
        }

        services.AddOptions<ActorRuntimeOptions>().BindConfiguration("Runtime").ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        if (builder.TimeProvider is not null)
        {
            services.Replace(ServiceDescriptor.Singleton(builder.TimeProvider));
        }
        else
        {
            services.TryAddSingleton(TimeProvider.System);
        }

        services.AddSingleton(builder.StorageFactory);
        services.AddSingleton(new GrainTypeRegistry(builder.GrainAssemblies));
        services.AddSingleton(CreateJsonOptions());
        services.AddSingleton<RuntimeMetrics>();
        services.AddSingleton<PartitionDirectory>();
        services.AddSingleton<ActorRuntime>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<ActorRuntime>());
        services.AddSingleton<INodeStatus>(sp => new NodeStatus(sp.GetRequiredService<ActorRuntime>()));
        services.AddSingleton<LeaseManager>();
        services.AddSingleton<ReminderService>();
        services.TryAddSingleton<IGrainCallTransport, HttpGrainCallTransport>();
        services.AddSingleton(sp => new RemoteCallDispatcher(sp.GetRequiredService<ActorRuntime>()));
        services.AddSingleton<OutboxConsumerLoops>();
        services.AddSingleton<IRuntimeQuiescence, RuntimeQuiescence>();
        services.AddHostedService<SiloLifecycle>();
        return services;
    }

    private sealed class NodeStatus(ActorRuntime runtime) : INodeStatus
    {
        public string NodeId => runtime.Directory.NodeId;

        public int HeldPartitions => runtime.Directory.LocalPartitions.Count;

        public int Activations => runtime.Catalog.Count;
    }

    /// <summary>Adds an outbox consumer run by the runtime (projections, pushes to clients).</summary>
    public static IServiceCollection AddOutboxConsumer<TConsumer>(this IServiceCollection services)
        where TConsumer : class, IOutboxConsumer
    {
        services.AddSingleton<TConsumer>();
        services.AddSingleton<IOutboxConsumer>(sp => sp.GetRequiredService<TConsumer>());
        return services;
    }
}
