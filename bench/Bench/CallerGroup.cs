namespace Actors.Bench;

/// <summary>
/// Concurrent callers, each awaiting one call at a time in a loop until stopped. Each counts its completed calls
/// in its own cache line, so counting costs no shared write and the total can be read at any instant.
/// </summary>
internal sealed class CallerGroup
{
    // 16 longs = 128 bytes: no two callers' counters share a cache line (or an adjacent-line prefetch pair).
    private const int Stride = 16;

    private readonly long[] _completed;
    private readonly Task[] _callers;
    private readonly CancellationTokenRegistration _interrupted;
    private long _failed;
    private volatile bool _stopping;
    private string? _firstFailure;

    private CallerGroup(int callers, Func<int, long, Task> call, CancellationToken cancellationToken)
    {
        // An interrupted run stops its callers too, so the nodes can shut down behind them.
        _interrupted = cancellationToken.UnsafeRegister(static s => ((CallerGroup)s!)._stopping = true, this);
        _completed = new long[callers * Stride];
        _callers = new Task[callers];
        for (var i = 0; i < callers; i++)
        {
            var caller = i;
            _callers[i] = Task.Run(() => RunAsync(caller, call), CancellationToken.None);
        }
    }

    public int Count => _callers.Length;

    public long Failed => Interlocked.Read(ref _failed);

    public string? FirstFailure => _firstFailure;

    /// <summary>Starts <paramref name="callers"/> loops; <paramref name="call"/> gets the caller's index and its iteration.</summary>
    public static CallerGroup Start(int callers, Func<int, long, Task> call, CancellationToken cancellationToken) =>
        new(callers, call, cancellationToken);

    public long Completed
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _callers.Length; i++)
            {
                total += Volatile.Read(ref _completed[i * Stride]);
            }

            return total;
        }
    }

    /// <summary>Lets every caller finish the call it is in, then returns.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        await _interrupted.DisposeAsync();
        await Task.WhenAll(_callers);
    }

    private async Task RunAsync(int caller, Func<int, long, Task> call)
    {
        long iteration = 0;
        long succeeded = 0;
        while (!_stopping)
        {
            try
            {
                await call(caller, iteration);
                Volatile.Write(ref _completed[caller * Stride], ++succeeded);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failed call is reported, not fatal: the figure is only published with its failure count.
                Interlocked.Increment(ref _failed);
                Interlocked.CompareExchange(ref _firstFailure, $"{ex.GetType().Name}: {ex.Message}", null);
            }

            iteration++;
        }
    }
}
