namespace Actors.Grains.Tests.Infrastructure;

/// <summary>Bounded waiting for asynchronous outcomes (reminders, inbox deliveries): never a bare sleep.</summary>
public static class Polling
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Probes until <paramref name="done"/> holds and returns the value; fails naming what it waited for.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string waitingFor, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds} s waiting for {waitingFor}; last value: {value}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Probes until the call stops throwing a NotFound <see cref="Abstractions.DomainException"/> (the entity exists).</summary>
    public static async Task<T> UntilExistsAsync<T>(Func<Task<T>> get, string waitingFor, TimeSpan? timeout = null)
    {
        var found = await UntilAsync(
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
