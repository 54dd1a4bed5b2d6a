namespace Actors.Runtime;

/// <summary>Gives access to streams. The runtime's provider is backed by the transactional outbox.</summary>
public interface IStreamProvider
{
    string Name { get; }

    IAsyncStream<T> GetStream<T>(StreamId streamId);
}

/// <summary>
/// A stream of events. <see cref="OnNextAsync"/> is called from grain code: the event is written to the outbox
/// in the same transaction as the grain's next state write (or at the end of the turn), so it exists if and only
/// if the state change that caused it committed. The item is serialized when raised; the consumers and subscribers of
/// the node that raised it receive that same instance when its type is <see cref="ImmutableAttribute">[Immutable]</see>,
/// and the JSON parsed otherwise.
/// </summary>
public interface IAsyncStream<T>
{
    StreamId StreamId { get; }

    Task OnNextAsync(T item);

    /// <summary>
    /// Subscribes the calling activation to the stream (for implicit subscriptions, call it in OnActivateAsync).
    /// The handler runs as a turn of the activation.
    /// </summary>
    Task<StreamSubscriptionHandle> SubscribeAsync(Func<T, StreamSequenceToken, Task> onNextAsync);
}

/// <summary>A subscription of an activation to a stream.</summary>
public sealed class StreamSubscriptionHandle
{
    private readonly Action _unsubscribe;

    internal StreamSubscriptionHandle(StreamId streamId, Action unsubscribe)
    {
        StreamId = streamId;
        _unsubscribe = unsubscribe;
    }

    public StreamId StreamId { get; }

    public Task UnsubscribeAsync()
    {
        _unsubscribe();
        return Task.CompletedTask;
    }
}
