namespace Actors.Grains.Tests.Infrastructure;

/// <summary>Domain-specific bounded waits on top of the shared <see cref="Polling"/>.</summary>
public static class DomainPolling
{
    /// <summary>Probes until the call stops throwing a NotFound <see cref="Abstractions.DomainException"/> (the entity exists).</summary>
    public static async Task<T> UntilExistsAsync<T>(Func<Task<T>> get, string waitingFor, TimeSpan? timeout = null)
    {
        var found = await Polling.UntilAsync(
            async () =>
            {
                try
                {
                    return (Found: true, Value: await get());
                }
                catch (Abstractions.DomainException ex) when (ex.Code == Abstractions.DomainErrorCode.NotFound)
                {
                    return (Found: false, Value: default(T)!);
                }
            },
            r => r.Found,
            waitingFor,
            timeout);
        return found.Value;
    }
}
