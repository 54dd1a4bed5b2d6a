namespace Actors.Runtime.Execution;

/// <summary>
/// A grain timer: each tick is queued as a turn of the activation; the next tick is armed only after the
/// callback finished, so ticks never pile up (Orleans 8 semantics). Driven by the runtime's TimeProvider.
/// </summary>
internal sealed class GrainTimer : IGrainTimer
{
    private readonly Activation _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _disposed = new();
    private TimeSpan _period;

    public GrainTimer(Activation activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        _activation = activation;
        _callback = callback;
        _period = period;
        _timer = activation.Runtime.Time.CreateTimer(static s => ((GrainTimer)s!).OnTick(), this, dueTime, Timeout.InfiniteTimeSpan);
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        _period = period;
        _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }

    private void OnTick()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _activation.TryEnqueue(new InternalWorkItem(_activation.Id, "timer", WorkKind.Request, countsAsActivity: false, RunAsync));
    }

    private async Task RunAsync(Activation activation)
    {
        try
        {
            await _callback(_disposed.Token);
            await activation.FlushPendingAsync();
        }
        catch (Exception ex) when (!_disposed.IsCancellationRequested)
        {
            activation.OnTurnFailed(ex);
        }
        finally
        {
            if (!_disposed.IsCancellationRequested && _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                _timer.Change(_period, Timeout.InfiniteTimeSpan);
            }
        }
    }
}
