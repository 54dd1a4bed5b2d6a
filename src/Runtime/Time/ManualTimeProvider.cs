namespace Actors.Runtime;

/// <summary>
/// A clock that moves only when told to (Kill Bill's clock.setDay): tests and demos drive business time with it.
/// Timers created from it fire, in due order, while <see cref="Advance"/> or <see cref="SetUtcNow"/> moves
/// the clock past them; the clock never goes backwards.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset start) => _now = start.ToUniversalTime();

    /// <summary>Raised after the clock moved, with the new instant.</summary>
    public event Action<DateTimeOffset>? Moved;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        SetUtcNow(GetUtcNow() + delta);
    }

    /// <summary>Moves the clock to <paramref name="target"/>, firing every timer due on the way.</summary>
    public void SetUtcNow(DateTimeOffset target)
    {
        target = target.ToUniversalTime();
        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                if (target < _now)
                {
                    throw new ArgumentOutOfRangeException(nameof(target), target, $"The clock is at {_now:O} and never goes backwards.");
                }

                due = _timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
                if (due is null)
                {
                    _now = target;
                    break;
                }

                _now = due.DueAt > _now ? due.DueAt : _now;
                due.Rearm(_now);
            }

            due.Fire();
        }

        Moved?.Invoke(target);
    }

    private void Schedule(ManualTimer timer, bool active)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
            if (active)
            {
                _timers.Add(timer);
            }
        }
    }

    private DateTimeOffset Now
    {
        get
        {
            lock (_lock)
            {
                return _now;
            }
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                owner.Schedule(this, active: false);
                return true;
            }

            DueAt = owner.Now + dueTime;
            owner.Schedule(this, active: true);
            return true;
        }

        /// <summary>Called under the owner's lock: the next due time, or removal for a one-shot.</summary>
        public void Rearm(DateTimeOffset now)
        {
            if (_period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero)
            {
                owner._timers.Remove(this);
            }
            else
            {
                DueAt = now + _period;
            }
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Schedule(this, active: false);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
