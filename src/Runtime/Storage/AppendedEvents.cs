using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Storage;

/// <summary>Raises <see cref="IStorageProvider.EventsAppended"/> for a provider: a handler's failure is logged, never the commit's.</summary>
internal static partial class AppendedEvents
{
    public static void Raise(Action<IReadOnlyList<StoredEvent>>? handlers, IReadOnlyList<StoredEvent> appended, ILogger logger)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<IReadOnlyList<StoredEvent>>>())
        {
            try
            {
                handler(appended);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(logger, ex, appended[0].Seq, appended[^1].Seq);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A handler of the appended outbox rows {First}-{Last} failed; the consumers read them from the store")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, long first, long last);
}
