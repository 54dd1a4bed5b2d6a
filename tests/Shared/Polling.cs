namespace Actors.Testing;

/// <summary>Bounded waiting for asynchronous outcomes: never a bare sleep, always a message naming what was awaited.</summary>
public static class Polling
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    /// <summary>Probes until <paramref name="done"/> holds for the probed value and returns it; fails after the timeout.</summary>
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

    /// <summary>Probes a condition that nothing signals (runtime internals, store contents) until it holds.</summary>
    public static Task UntilAsync(Func<bool> condition, string waitingFor, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), done => done, waitingFor, timeout);

    /// <summary>Probes an asynchronous condition until it holds.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string waitingFor, TimeSpan? timeout = null) =>
        UntilAsync(condition, done => done, waitingFor, timeout);

    /// <summary>Awaits <paramref name="task"/>, failing with a message if it does not complete within the timeout.</summary>
    public static async Task CompletesAsync(Task task, string waitingFor, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        if (await Task.WhenAny(task, Task.Delay(limit)) != task)
        {
            Assert.Fail($"Timed out after {limit.TotalSeconds} s waiting for {waitingFor}");
        }

        await task;
    }
}
