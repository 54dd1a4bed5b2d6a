using System.Reflection;
using Actors.Runtime.Storage;

namespace Actors.Runtime.Hosting;

/// <summary>Configures the runtime: which assemblies hold grains, which store, which clock.</summary>
public sealed class ActorRuntimeBuilder
{
    internal List<Assembly> GrainAssemblies { get; } = [];

    internal Func<IServiceProvider, IStorageProvider>? StorageFactory { get; private set; }

    internal TimeProvider? TimeProvider { get; private set; }

    public ActorRuntimeBuilder AddGrains(Assembly assembly)
    {
        GrainAssemblies.Add(assembly);
        return this;
    }

    public ActorRuntimeBuilder AddGrains<TMarker>() => AddGrains(typeof(TMarker).Assembly);

    /// <summary>Uses the given store (SQLite or PostgreSQL provider, created by the factory at start-up).</summary>
    public ActorRuntimeBuilder UseStorage(Func<IServiceProvider, IStorageProvider> factory)
    {
        StorageFactory = factory;
        return this;
    }

    /// <summary>The clock for reminders, timers and idle collection (business time); defaults to the system clock.</summary>
    public ActorRuntimeBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
        return this;
    }
}
