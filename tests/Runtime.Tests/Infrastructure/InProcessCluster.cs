using System.Collections.Concurrent;
using System.Text.Json;
using Actors.Runtime.Cluster;
using Actors.Runtime.Hosting;

namespace Actors.Runtime.Tests.Infrastructure;

/// <summary>
/// Orleans' InProcessTestCluster idea: nodes in one process, on one real store, whose forwarded calls travel through
/// this network instead of HTTP/2. Requests and responses are serialized as on the wire, so what crosses a node
/// boundary here is exactly what crosses it between silos.
/// </summary>
internal sealed class InProcessNetwork
{
    private readonly ConcurrentDictionary<string, RemoteCallDispatcher> _nodes = new(StringComparer.Ordinal);

    public static string AddressOf(string nodeName) => $"http://{nodeName}.in-process";

    public void Connect(string nodeName, RemoteCallDispatcher dispatcher) => _nodes[AddressOf(nodeName)] = dispatcher;

    public void Disconnect(string nodeName) => _nodes.TryRemove(AddressOf(nodeName), out _);

    public IGrainCallTransport Transport() => new InProcessTransport(this);

    private sealed class InProcessTransport(InProcessNetwork network) : IGrainCallTransport
    {
        public async Task<RemoteCallResponse> SendAsync(PartitionRoute route, RemoteCallRequest request, CancellationToken cancellationToken)
        {
            if (!network._nodes.TryGetValue(route.Address!, out var dispatcher))
            {
                throw new NodeUnreachableException(route.NodeId!, new GrainUnavailableException($"Node {route.NodeId} is not connected."));
            }

            var sent = JsonSerializer.Deserialize<RemoteCallRequest>(JsonSerializer.Serialize(request))!;
            var response = await dispatcher.DispatchAsync(sent, cancellationToken);
            return JsonSerializer.Deserialize<RemoteCallResponse>(JsonSerializer.Serialize(response))!;
        }
    }
}

/// <summary>A grain that says which node it runs on, and fails with a coded exception on request.</summary>
public interface IWhereGrain : IGrainWithStringKey
{
    Task<string> WhereAsync();

    Task<int> AddAsync(int amount);

    Task FailAsync(string code);
}

public sealed class WhereState
{
    public int Total { get; set; }
}

/// <summary>An exception with a property a caller acts on (as the domain's errors carry a code and a field).</summary>
public sealed class CodedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

public sealed class WhereGrain([PersistentState("where")] IPersistentState<WhereState> state, INodeStatus node) : Grain, IWhereGrain
{
    public Task<string> WhereAsync() => Task.FromResult(node.NodeId);

    public async Task<int> AddAsync(int amount)
    {
        state.State.Total += amount;
        await state.WriteStateAsync();
        return state.State.Total;
    }

    public Task FailAsync(string code) => throw new CodedException(code, $"refused with {code}");
}
