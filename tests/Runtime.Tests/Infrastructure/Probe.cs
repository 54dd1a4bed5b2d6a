using System.Collections.Concurrent;

namespace Actors.Runtime.Tests.Infrastructure;

/// <summary>
/// What test grains report to the test: named counters and logs, and a bounded wait for a condition that is
/// re-checked every time something is recorded (no sleeping).
/// </summary>
public sealed class Probe
{
    private readonly ConcurrentDictionary<string, int> _counters = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Increment(string key)
    {
        var value = _counters.AddOrUpdate(key, 1, (_, v) => v + 1);
        Signal();
        return value;
    }

    public int Decrement(string key)
    {
        var value = _counters.AddOrUpdate(key, -1, (_, v) => v - 1);
        Signal();
        return value;
    }

    /// <summary>Raises the named maximum to <paramref name="value"/> if higher.</summary>
    public void Max(string key, int value)
    {
        _counters.AddOrUpdate(key, value, (_, v) => Math.Max(v, value));
        Signal();
    }

    /// <summary>A gate grain code can wait on until the test opens it.</summary>
    public Task Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Open(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Opens every gate, so no grain call outlives its test.</summary>
    public void OpenAll()
    {
        foreach (var gate in _gates.Values)
        {
            gate.TrySetResult();
        }
    }

    public int Get(string key) => _counters.TryGetValue(key, out var v) ? v : 0;

    public void Log(string key, string entry)
    {
        _logs.GetOrAdd(key, _ => new ConcurrentQueue<string>()).Enqueue(entry);
        Signal();
    }

    public IReadOnlyList<string> Entries(string key) => _logs.TryGetValue(key, out var q) ? [.. q] : [];

    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition())
            {
                return;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
