namespace Actors.Runtime;

/// <summary>The grain's requests may interleave at await points (still one thread at a time).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ReentrantAttribute : Attribute;

/// <summary>The method does not change state: it may run alongside other read-only requests of the grain.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute;

/// <summary>Names the grain type explicitly instead of deriving it from the class name.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string grainType) : Attribute
{
    public string GrainType { get; } = grainType;
}

/// <summary>
/// Injects an <see cref="IPersistentState{TState}"/> into a grain constructor parameter, as in Orleans.
/// The state is read before <see cref="Grain.OnActivateAsync"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    public string StateName { get; } = stateName;

    /// <summary>Kept for Orleans compatibility; every state goes to the runtime's one store.</summary>
    public string? StorageName { get; } = storageName;
}

/// <summary>
/// The grain receives every event of streams in <see cref="Namespace"/> whose key is the grain's key:
/// the runtime activates it and calls the handler it subscribed in <see cref="Grain.OnActivateAsync"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ImplicitStreamSubscriptionAttribute(string streamNamespace) : Attribute
{
    public string Namespace { get; } = streamNamespace;
}

/// <summary>
/// Instances of the type (and of types derived from it) are never changed once made, as Orleans' <c>[Immutable]</c>
/// says: the runtime may hand the same instance to several readers instead of a copy. An event of such a type reaches
/// the consumers and subscribers on the node that raised it as the raised object, without a parse of its JSON.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = true)]
public sealed class ImmutableAttribute : Attribute;
