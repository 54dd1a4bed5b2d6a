using System.Collections.Frozen;
using System.Reflection;
using Actors.Runtime.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Execution;

/// <summary>What the runtime knows about one grain class.</summary>
internal sealed class GrainClassInfo
{
    public GrainClassInfo(Type grainClass)
    {
        GrainClass = grainClass;
        GrainType = grainClass.GetCustomAttribute<GrainTypeAttribute>()?.GrainType ?? DeriveGrainType(grainClass);
        IsReentrant = grainClass.IsDefined(typeof(ReentrantAttribute), inherit: false);
        IsRemindable = typeof(IRemindable).IsAssignableFrom(grainClass);
        ImplicitSubscriptions = [.. grainClass.GetCustomAttributes<ImplicitStreamSubscriptionAttribute>().Select(a => a.Namespace)];
        var constructor = grainClass.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"Grain class {grainClass.Name} has no public constructor.");
        ConstructorInvoker = ConstructorInvoker.Create(constructor);
        ConstructorArguments = [.. constructor.GetParameters().Select(p => GrainConstructorArgument.For(grainClass, p))];
    }

    public Type GrainClass { get; }

    public string GrainType { get; }

    public bool IsReentrant { get; }

    public bool IsRemindable { get; }

    public IReadOnlyList<string> ImplicitSubscriptions { get; }

    /// <summary>The public constructor with the most parameters, the one activations run.</summary>
    public ConstructorInvoker ConstructorInvoker { get; }

    /// <summary>Where each constructor parameter comes from, read once per class instead of once per activation.</summary>
    public IReadOnlyList<GrainConstructorArgument> ConstructorArguments { get; }

    /// <summary>AccountGrain becomes "account", as Orleans derives grain types from class names.</summary>
    private static string DeriveGrainType(Type type)
    {
        var name = type.Name;
        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > "Grain".Length)
        {
            name = name[..^"Grain".Length];
        }

        return name.ToLowerInvariant();
    }
}

/// <summary>Maps grain interfaces and grain type names to grain classes, from the assemblies given at start-up.</summary>
internal sealed class GrainTypeRegistry
{
    private static readonly HashSet<Type> s_markerInterfaces =
        [typeof(IGrain), typeof(IGrainWithStringKey), typeof(IGrainWithGuidKey), typeof(IRemindable), typeof(IAddressable)];

    private readonly FrozenDictionary<Type, GrainClassInfo> _byInterface;
    private readonly FrozenDictionary<string, GrainClassInfo> _byType;

    public GrainTypeRegistry(IEnumerable<Assembly> assemblies)
    {
        var byInterface = new Dictionary<Type, GrainClassInfo>();
        var byType = new Dictionary<string, GrainClassInfo>(StringComparer.Ordinal);
        foreach (var type in assemblies.Distinct().SelectMany(a => a.GetTypes()))
        {
            if (type.IsAbstract || !type.IsClass || !typeof(Grain).IsAssignableFrom(type) || type.ContainsGenericParameters)
            {
                continue;
            }

            var info = new GrainClassInfo(type);
            if (!byType.TryAdd(info.GrainType, info))
            {
                throw new InvalidOperationException($"Grain type '{info.GrainType}' is used by both {byType[info.GrainType].GrainClass.Name} and {type.Name}.");
            }

            // A class answers for the grain interfaces it adds, not those of a grain class it derives from, so a
            // [Reentrant] subclass can reuse an implementation under its own interface.
            var inherited = type.BaseType?.GetInterfaces() ?? [];
            foreach (var iface in type.GetInterfaces().Except(inherited).Where(i => typeof(IGrain).IsAssignableFrom(i) && !s_markerInterfaces.Contains(i)))
            {
                if (!byInterface.TryAdd(iface, info))
                {
                    throw new InvalidOperationException($"Grain interface {iface.Name} is implemented by both {byInterface[iface].GrainClass.Name} and {type.Name}.");
                }
            }
        }

        _byInterface = byInterface.ToFrozenDictionary();
        _byType = byType.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<GrainClassInfo> All => _byType.Values;

    /// <summary>Every grain interface some class answers for.</summary>
    public IEnumerable<Type> Interfaces => _byInterface.Keys;

    public GrainClassInfo ForInterface(Type grainInterface) =>
        _byInterface.TryGetValue(grainInterface, out var info)
            ? info
            : throw new InvalidOperationException($"No grain class implements {grainInterface.Name}; was its assembly added to the runtime?");

    public GrainClassInfo ForGrainType(string grainType) =>
        _byType.TryGetValue(grainType, out var info)
            ? info
            : throw new InvalidOperationException($"Unknown grain type '{grainType}'.");

    public bool TryGetForGrainType(string grainType, out GrainClassInfo info) => _byType.TryGetValue(grainType, out info!);
}

/// <summary>
/// One constructor parameter of a grain class: a persistent state (<see cref="StateName"/> set, made by
/// <see cref="CreateState"/>) or a service from the provider (<see cref="ServiceType"/>).
/// </summary>
internal sealed class GrainConstructorArgument
{
    private static readonly MethodInfo s_createState = typeof(GrainConstructorArgument).GetMethod(nameof(NewState), BindingFlags.NonPublic | BindingFlags.Static)!;

    private GrainConstructorArgument(Type serviceType, string? stateName, Func<Activation, string, IStateBinding>? createState)
    {
        ServiceType = serviceType;
        StateName = stateName;
        CreateState = createState;
    }

    public Type ServiceType { get; }

    public string? StateName { get; }

    public Func<Activation, string, IStateBinding>? CreateState { get; }

    public static GrainConstructorArgument For(Type grainClass, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (parameter.GetCustomAttribute<PersistentStateAttribute>() is not { } stateAttribute)
        {
            return new GrainConstructorArgument(type, null, null);
        }

        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPersistentState<>))
        {
            throw new InvalidOperationException($"[PersistentState] parameter '{parameter.Name}' of {grainClass.Name} must be IPersistentState<T>.");
        }

        var create = s_createState.MakeGenericMethod(type.GetGenericArguments()[0]).CreateDelegate<Func<Activation, string, IStateBinding>>();
        return new GrainConstructorArgument(type, stateAttribute.StateName, create);
    }

    private static PersistentState<TState> NewState<TState>(Activation activation, string name) => new(activation, name);
}

/// <summary>
/// Creates grain instances: constructor parameters marked [PersistentState] get a state bound to the activation,
/// every other parameter comes from the service provider.
/// </summary>
internal sealed class GrainActivator(IServiceProvider services)
{
    /// <summary>The grain object and its persistent states, which the activation reads before the first request.</summary>
    public (Grain Grain, List<IStateBinding> States) Create(Activation activation)
    {
        var arguments = activation.GrainClass.ConstructorArguments;
        var args = new object?[arguments.Count];
        var states = new List<IStateBinding>();
        for (var i = 0; i < args.Length; i++)
        {
            var argument = arguments[i];
            if (argument.CreateState is { } createState)
            {
                var binding = createState(activation, argument.StateName!);
                states.Add(binding);
                args[i] = binding;
            }
            else
            {
                args[i] = services.GetRequiredService(argument.ServiceType);
            }
        }

        var grain = (Grain)activation.GrainClass.ConstructorInvoker.Invoke(args);
        grain.Attach(activation);
        return (grain, states);
    }
}
