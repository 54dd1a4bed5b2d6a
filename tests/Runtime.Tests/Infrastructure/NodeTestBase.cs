using Actors.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Tests.Infrastructure;

/// <summary>Starts nodes on a fresh store with a manual clock; stops them and removes the store afterwards.</summary>
public abstract class NodeTestBase(StoreKind kind) : IAsyncLifetime
{
    private readonly List<TestNode> _nodes = [];

    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    protected TestStore Store { get; private set; } = null!;

    protected ManualTimeProvider Clock { get; } = new(Start);

    protected Probe Probe { get; } = new();

    public async Task InitializeAsync() => Store = await TestStore.CreateAsync(kind);

    protected async Task<TestNode> StartNodeAsync(
        Action<ActorRuntimeOptions>? configure = null,
        string? name = null,
        Action<ActorRuntimeBuilder>? runtime = null,
        Action<IServiceCollection>? services = null)
    {
        var node = await TestNode.StartAsync(Store.Open, Clock, Probe, configure, name, runtime, services);
        _nodes.Add(node);
        return node;
    }

    public async Task DisposeAsync()
    {
        Probe.OpenAll();
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        Store.Dispose();
    }
}
