using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Actors.Runtime.Cluster;

namespace Actors.Runtime.Execution;

/// <summary>
/// The proxy behind every grain interface: each call becomes a request on the grain's activation, wherever it
/// lives. Orleans generates these at compile time; a DispatchProxy with compiled per-method invokers gives the
/// same programming model without a source generator.
/// </summary>
public class GrainReference : DispatchProxy, IAddressable
{
    private ActorRuntime? _runtime;
    private GrainClassInfo? _grainClass;
    private int _partition;

    public GrainId GrainId { get; private set; }

    internal static TGrainInterface Create<TGrainInterface>(ActorRuntime runtime, GrainClassInfo grainClass, GrainId grainId)
    {
        // DispatchProxy.Create looks the generated proxy type up for the caller's load context and runs its constructor
        // by reflection, every time; a copy of one proxy made per interface is a plain allocation. The generated
        // type's own fields are the interface's method table, the same for every proxy of it.
        var reference = (GrainReference)Template<TGrainInterface>.Proxy.MemberwiseClone();
        reference._runtime = runtime;
        reference._grainClass = grainClass;
        reference.GrainId = grainId;
        reference._partition = Partitioner.GetPartition(grainId, runtime.Directory.PartitionCount);
        return (TGrainInterface)(object)reference;
    }

    public override string ToString() => $"GrainReference:{GrainId}";

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var method = GrainMethod.For(targetMethod);
        return method.Invoke(_runtime!, _grainClass!, GrainId, _partition, args ?? []);
    }

    /// <summary>The proxy of one grain interface that <see cref="Create{TGrainInterface}"/> copies.</summary>
    private static class Template<TGrainInterface>
    {
        public static readonly GrainReference Proxy = (GrainReference)(object)Create<TGrainInterface, GrainReference>()!;
    }
}

/// <summary>How to call one grain interface method on an activation and hand its result back in the declared shape.</summary>
internal abstract class GrainMethod
{
    // A proxy hands over the same MethodInfo object for a method on every call: it is looked up by reference, which
    // costs a header read instead of RuntimeMethodInfo's hash and equality. (Another MethodInfo object of the same
    // method only adds an equal entry.)
    private static readonly ConcurrentDictionary<MethodInfo, GrainMethod> s_cache = new(ReferenceEqualityComparer.Instance);

    protected GrainMethod(MethodInfo method)
    {
        Method = method;
        Description = $"{method.DeclaringType!.Name}.{method.Name}";
        Kind = method.IsDefined(typeof(ReadOnlyAttribute)) ? WorkKind.ReadOnly : WorkKind.Request;
        var parameters = method.GetParameters();
        ParameterTypes = [.. parameters.Select(p => p.ParameterType)];
        Key = $"{method.DeclaringType.FullName}.{method.Name}({string.Join(",", ParameterTypes.Select(t => t.FullName))})";
        CancellationTokenIndex = parameters.Length > 0 && parameters[^1].ParameterType == typeof(CancellationToken) ? parameters.Length - 1 : -1;
    }

    public MethodInfo Method { get; }

    public string Description { get; }

    public WorkKind Kind { get; }

    public int CancellationTokenIndex { get; }

    /// <summary>Names the method across nodes: interface, name and parameter types.</summary>
    public string Key { get; }

    public Type[] ParameterTypes { get; }

    public static GrainMethod For(MethodInfo method) => s_cache.GetOrAdd(method, Build);

    public abstract object Invoke(ActorRuntime runtime, GrainClassInfo grainClass, GrainId grainId, int partition, object?[] args);

    /// <summary>Runs a call another node forwarded here and returns its result as JSON (null for none).</summary>
    public abstract Task<JsonElement?> DispatchAsync(ActorRuntime runtime, GrainClassInfo grainClass, GrainId grainId, IReadOnlyList<JsonElement> arguments, CancellationToken cancellationToken);

    private static GrainMethod Build(MethodInfo method)
    {
        var returnType = method.ReturnType;
        if (returnType == typeof(Task))
        {
            return new GrainMethod<object?>(method, ReturnShape.Task);
        }

        if (returnType == typeof(ValueTask))
        {
            return new GrainMethod<object?>(method, ReturnShape.ValueTask);
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return Make(method, returnType.GetGenericArguments()[0], ReturnShape.TaskOfT);
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            return Make(method, returnType.GetGenericArguments()[0], ReturnShape.ValueTaskOfT);
        }

        throw new NotSupportedException($"Grain method {method.DeclaringType!.Name}.{method.Name} must return Task, Task<T>, ValueTask or ValueTask<T>.");
    }

    private static GrainMethod Make(MethodInfo method, Type resultType, ReturnShape shape) =>
        (GrainMethod)Activator.CreateInstance(typeof(GrainMethod<>).MakeGenericType(resultType), method, shape)!;
}

internal enum ReturnShape
{
    Task,
    ValueTask,
    TaskOfT,
    ValueTaskOfT,
}

internal sealed class GrainMethod<TResult> : GrainMethod
{
    private readonly ReturnShape _shape;
    private readonly Func<Grain, object?, Task<TResult>> _invoker;

    public GrainMethod(MethodInfo method, ReturnShape shape)
        : base(method)
    {
        _shape = shape;
        _invoker = CompileInvoker(method, shape);
    }

    public override object Invoke(ActorRuntime runtime, GrainClassInfo grainClass, GrainId grainId, int partition, object?[] args)
    {
        var cancellationToken = CancellationTokenIndex >= 0 && args[CancellationTokenIndex] is CancellationToken token ? token : CancellationToken.None;
        var task = runtime.Directory.IsLocal(partition)
            ? runtime.InvokeAsync(grainId, grainClass, Description, Kind, _invoker, args, cancellationToken)
            : RouteAsync(runtime, grainClass, grainId, partition, args, cancellationToken);
        return _shape switch
        {
            ReturnShape.Task or ReturnShape.TaskOfT => task,
            ReturnShape.ValueTask => new ValueTask(task),
            _ => new ValueTask<TResult>(task),
        };
    }

    public override async Task<JsonElement?> DispatchAsync(ActorRuntime runtime, GrainClassInfo grainClass, GrainId grainId, IReadOnlyList<JsonElement> arguments, CancellationToken cancellationToken)
    {
        var args = new object?[ParameterTypes.Length];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = i == CancellationTokenIndex ? cancellationToken : arguments[i].Deserialize(ParameterTypes[i], runtime.JsonOptions);
        }

        var result = await runtime.InvokeAsync(grainId, grainClass, Description, Kind, _invoker, args, cancellationToken);
        return _shape is ReturnShape.Task or ReturnShape.ValueTask ? null : JsonSerializer.SerializeToElement(result, runtime.JsonOptions);
    }

    /// <summary>A call for a partition this node does not hold: routed to its owner (see <see cref="ActorRuntime.RouteAsync{T}"/>).</summary>
    private Task<TResult> RouteAsync(ActorRuntime runtime, GrainClassInfo grainClass, GrainId grainId, int partition, object?[] args, CancellationToken cancellationToken) =>
        runtime.RouteAsync(
            grainId,
            partition,
            Description,
            () => runtime.InvokeAsync(grainId, grainClass, Description, Kind, _invoker, args, cancellationToken),
            () => new RemoteCallRequest(grainClass.GrainType, grainId.Key, Key, [.. args.Select((a, i) => i == CancellationTokenIndex ? default : JsonSerializer.SerializeToElement(a, ParameterTypes[i], runtime.JsonOptions))]),
            result => result is { } json ? json.Deserialize<TResult>(runtime.JsonOptions)! : default!,
            cancellationToken);

    /// <summary>
    /// Compiles (grain, args) => ((IFoo)grain).Method((T0)((object[])args)[0], ...) adapted to Task&lt;TResult&gt;: the
    /// arguments travel as the call's state, so a call needs no closure of its own.
    /// </summary>
    private static Func<Grain, object?, Task<TResult>> CompileInvoker(MethodInfo method, ReturnShape shape)
    {
        var grain = Expression.Parameter(typeof(Grain), "grain");
        var state = Expression.Parameter(typeof(object), "args");
        var args = Expression.Convert(state, typeof(object?[]));
        var parameters = method.GetParameters();
        var arguments = new Expression[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            arguments[i] = Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), parameters[i].ParameterType);
        }

        Expression call = Expression.Call(Expression.Convert(grain, method.DeclaringType!), method, arguments);
        call = shape switch
        {
            ReturnShape.Task => Expression.Call(typeof(TaskAdapters).GetMethod(nameof(TaskAdapters.FromTask))!, call),
            ReturnShape.ValueTask => Expression.Call(typeof(TaskAdapters).GetMethod(nameof(TaskAdapters.FromValueTask))!, call),
            ReturnShape.ValueTaskOfT => Expression.Call(typeof(TaskAdapters).GetMethod(nameof(TaskAdapters.FromValueTaskOfT))!.MakeGenericMethod(typeof(TResult)), call),
            _ => call,
        };
        return Expression.Lambda<Func<Grain, object?, Task<TResult>>>(call, grain, state).Compile();
    }
}

internal static class TaskAdapters
{
    public static async Task<object?> FromTask(Task task)
    {
        await task;
        return null;
    }

    public static async Task<object?> FromValueTask(ValueTask task)
    {
        await task;
        return null;
    }

    public static Task<T> FromValueTaskOfT<T>(ValueTask<T> task) => task.AsTask();
}
