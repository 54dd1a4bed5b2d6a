using System.Globalization;
using System.Text.Json;
using Actors.Runtime.Execution;
using Actors.Runtime.Storage;

namespace Actors.Runtime.Persistence;

internal interface IStateBinding
{
    Task ReadAsync(CancellationToken cancellationToken);
}

internal sealed class PersistentState<TState> : IPersistentState<TState>, IStateBinding
{
    private readonly Activation _activation;
    private readonly string _name;
    private long? _version;

    public PersistentState(Activation activation, string name)
    {
        _activation = activation;
        _name = name;
        State = Activator.CreateInstance<TState>();
    }

    public TState State { get; set; }

    public string? Etag => _version?.ToString(CultureInfo.InvariantCulture);

    public bool RecordExists { get; private set; }

    public Task ReadStateAsync() => ReadAsync(CancellationToken.None);

    public async Task ReadAsync(CancellationToken cancellationToken)
    {
        var runtime = _activation.Runtime;
        var stored = await runtime.Store.ReadAsync(_activation.Id, _name, cancellationToken);
        _version = stored?.Version;
        RecordExists = stored?.RecordExists ?? false;
        State = stored?.Payload is { } payload
            ? JsonSerializer.Deserialize<TState>(payload, runtime.JsonOptions) ?? Activator.CreateInstance<TState>()
            : Activator.CreateInstance<TState>();
    }

    public async Task WriteStateAsync()
    {
        var payload = JsonSerializer.Serialize(State, _activation.Runtime.JsonOptions);
        _version = await _activation.CommitAsync(new StateOperation(_name, _version, payload));
        RecordExists = true;
    }

    public async Task ClearStateAsync()
    {
        _version = await _activation.CommitAsync(new StateOperation(_name, _version, null));
        RecordExists = false;
        State = Activator.CreateInstance<TState>();
    }
}
