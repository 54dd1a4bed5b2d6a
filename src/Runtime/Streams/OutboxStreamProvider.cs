using System.Collections.Concurrent;
using System.Text.Json;
using Actors.Runtime.Execution;
using Actors.Runtime.Storage;

namespace Actors.Runtime.Streams;

/// <summary>The runtime's stream provider: events go to the transactional outbox with the grain's state.</summary>
internal sealed class OutboxStreamProvider(JsonSerializerOptions jsonOptions) : IStreamProvider
{
    public const string ProviderName = "outbox";

    public string Name => ProviderName;

    public IAsyncStream<T> GetStream<T>(StreamId streamId) => new OutboxStream<T>(streamId, jsonOptions);
}

internal sealed class OutboxStream<T>(StreamId streamId, JsonSerializerOptions jsonOptions) : IAsyncStream<T>
{
    public StreamId StreamId { get; } = streamId;

    public Task OnNextAsync(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var activation = RuntimeContext.Current
            ?? throw new InvalidOperationException("Events are raised from grain code, so that they commit with the state change that caused them.");
        var type = item.GetType();
        activation.BufferEvent(new OutgoingEvent(StreamId.ToString(), type.Name, JsonSerializer.Serialize(item, type, jsonOptions))
        {
            Value = ImmutableTypes.Contains(type) ? item : null,
        });
        return Task.CompletedTask;
    }

    public Task<StreamSubscriptionHandle> SubscribeAsync(Func<T, StreamSequenceToken, Task> onNextAsync)
    {
        ArgumentNullException.ThrowIfNull(onNextAsync);
        var activation = RuntimeContext.Current
            ?? throw new InvalidOperationException("Only a grain can subscribe to a stream, from its own turn.");
        var subscription = new StreamSubscription(
            (stored, token) => onNextAsync(EventTypes.Deserialize<T>(stored, jsonOptions), token));
        return Task.FromResult(activation.Subscribe(StreamId, subscription));
    }
}

/// <summary>Types marked <see cref="ImmutableAttribute"/>, themselves or by a base type; looked up once per type.</summary>
internal static class ImmutableTypes
{
    private static readonly ConcurrentDictionary<Type, bool> s_cache = new();

    public static bool Contains(Type type) => s_cache.GetOrAdd(type, static t => t.IsDefined(typeof(ImmutableAttribute), inherit: true));
}

/// <summary>An activation's handler for one stream, taking the stored event.</summary>
internal sealed class StreamSubscription(Func<StoredEvent, StreamSequenceToken, Task> handler)
{
    public Task DeliverAsync(StoredEvent stored) => handler(stored, new StreamSequenceToken(stored.Seq, stored.StreamSeq));
}

/// <summary>
/// Resolves an event's stored type name (the CLR type's short name) to a type assignable to what the subscriber
/// asked for, looking in that type's assembly.
/// </summary>
internal static class EventTypes
{
    private static readonly ConcurrentDictionary<(Type Requested, string Name), Type> s_cache = new();

    /// <summary>The raised object when this node committed the event, else the payload parsed.</summary>
    public static T Deserialize<T>(StoredEvent stored, JsonSerializerOptions options)
    {
        if (stored.Value is T raised)
        {
            return raised;
        }

        var type = s_cache.GetOrAdd((typeof(T), stored.Type), static key => Resolve(key.Requested, key.Name));
        return (T)JsonSerializer.Deserialize(stored.Payload, type, options)!;
    }

    private static Type Resolve(Type requested, string name)
    {
        if (requested.Name == name)
        {
            return requested;
        }

        return requested.Assembly.GetTypes().FirstOrDefault(t => t.Name == name && requested.IsAssignableFrom(t))
            ?? throw new InvalidOperationException($"Event type '{name}' is not a {requested.Name} known in {requested.Assembly.GetName().Name}.");
    }
}
