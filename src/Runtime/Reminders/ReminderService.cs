using Actors.Runtime.Cluster;
using Actors.Runtime.Execution;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Reminders;

/// <summary>
/// Delivers due reminders of the partitions this node holds. It sleeps until the earliest due time it knows of
/// (on the runtime's TimeProvider, so a manual clock drives it), a wake-up, or the poll interval, whichever comes
/// first: due reminders go out within a second, without minute-long polling. A commit on this node that sets a
/// reminder due sooner moves the loop's timer without a look at storage; one already due wakes it.
/// A reminder is claimed in storage, delivered as a grain call, and re-armed or deleted only after the handler
/// succeeded; a claim left by a dead node expires and the reminder is delivered again.
/// </summary>
internal sealed partial class ReminderService : IAsyncDisposable
{
    private readonly IStorageProvider _storage;
    private readonly PartitionDirectory _directory;
    private readonly ActorRuntime _runtime;
    private readonly ActorRuntimeOptions _options;
    private readonly ILogger<ReminderService> _logger;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Deliveries' write-backs, gathered: a batch of activations completes its reminders in a few transactions.</summary>
    private readonly StoreBatcher<ReminderCompletion, bool> _completions;

    /// <summary>
    /// The due time the loop sleeps until, in UTC ticks: a change due no sooner cannot make it look earlier, so it does
    /// not wake it. <see cref="long.MinValue"/> while the loop looks at storage (every change counts then), and
    /// <see cref="long.MaxValue"/> while it knows of nothing due.
    /// </summary>
    private long _sleepingUntil = long.MinValue;

    /// <summary>
    /// The earliest due time of the reminders this node's commits set since the loop last looked at storage, in UTC
    /// ticks (<see cref="long.MaxValue"/> for none). The loop sets its timer by it without looking again: the commit
    /// told it the time.
    /// </summary>
    private long _soonestChange = long.MaxValue;

    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    /// <summary>The batch still being delivered while the loop claims the next one (see <see cref="DeliverDueAsync"/>).</summary>
    private Task _previousBatch = Task.CompletedTask;
    private long _settled;
    private long _looks;

    public ReminderService(IStorageProvider storage, PartitionDirectory directory, ActorRuntime runtime, IOptions<ActorRuntimeOptions> options, ILogger<ReminderService> logger)
    {
        _storage = storage;
        _directory = directory;
        _runtime = runtime;
        _options = options.Value;
        _logger = logger;
        _completions = new StoreBatcher<ReminderCompletion, bool>(
            completions => storage.CompleteRemindersAsync(completions, CancellationToken.None),
            _options.ReminderBatchSize,
            concurrency: 1,
            "The node is stopping; the reminder stays claimed until its claim expires.");
        runtime.RemindersChanged += OnRemindersChanged;
    }

    /// <summary>Deliveries whose outcome (delete, re-arm, skip or retry) has been written back.</summary>
    public long Settled => Interlocked.Read(ref _settled);

    /// <summary>How many times the loop has asked storage for the next due time; for tests.</summary>
    internal long Looks => Interlocked.Read(ref _looks);

    /// <summary>The due time the loop sleeps until, once it has looked at storage and knows one; for tests.</summary>
    internal DateTimeOffset? SleepingUntil => Interlocked.Read(ref _sleepingUntil) is var ticks and not (long.MinValue or long.MaxValue)
        ? new DateTimeOffset(ticks, TimeSpan.Zero)
        : null;

    public void Start() => _loop = Task.Run(() => LoopAsync(_stopping.Token));

    public void Wake() => Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// A commit on this node set or removed reminders. One already due wakes the loop at once; one due later but before
    /// the time the loop sleeps until moves its timer (no look at storage: the commit says when). Removals alone never
    /// make anything due sooner, and neither does a reminder due after the time the loop already sleeps until (the SAs'
    /// activation dates, which a move-in sets by the thousand).
    /// </summary>
    private void OnRemindersChanged(IReadOnlyList<ReminderOperation> operations)
    {
        var now = _runtime.Time.GetUtcNow();
        var sleepingUntil = Interlocked.Read(ref _sleepingUntil);
        var sooner = false;
        foreach (var operation in operations)
        {
            if (operation.Kind != ReminderOperationKind.Upsert)
            {
                continue;
            }

            if (operation.DueAt <= now)
            {
                Wake();
                return;
            }

            var due = operation.DueAt.UtcTicks;
            if (due < sleepingUntil)
            {
                sooner = true;
                var soonest = Interlocked.Read(ref _soonestChange);
                while (due < soonest)
                {
                    var seen = Interlocked.CompareExchange(ref _soonestChange, due, soonest);
                    if (seen == soonest)
                    {
                        break;
                    }

                    soonest = seen;
                }
            }
        }

        if (sooner)
        {
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var wake = Volatile.Read(ref _wake).Task;
            try
            {
                var partitions = _directory.LocalPartitions;
                if (partitions.Count > 0 && await DeliverDueAsync(partitions, stopping))
                {
                    continue;
                }

                await SleepAsync(partitions, wake, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogLoopFailed(_logger, ex);
                await Pause.ForAsync(_options.ReminderPollInterval, stopping);
            }
        }
    }

    /// <summary>
    /// Claims and delivers one batch; true when the batch was full and more may be due. Batches overlap: the next one is
    /// claimed while this one is delivered, once the one before has settled, so a burst keeps the store and the grains
    /// busy instead of waiting for each batch's slowest activation. A batch that was not full is waited for: the loop
    /// then sleeps until the next due time with nothing in flight.
    /// </summary>
    private async Task<bool> DeliverDueAsync(IReadOnlyCollection<int> partitions, CancellationToken stopping)
    {
        var now = _runtime.Time.GetUtcNow();
        var claimed = await _storage.ClaimDueRemindersAsync(_directory.NodeId, partitions, now, _options.ReminderClaimDuration, _options.ReminderBatchSize, stopping);
        var batch = claimed.Count == 0 ? Task.CompletedTask : Task.WhenAll(claimed.Select(r => SettleAsync(r, stopping)));
        var previous = _previousBatch;
        _previousBatch = batch;
        await previous;
        var full = claimed.Count == _options.ReminderBatchSize;
        if (!full)
        {
            await batch;
        }

        return full;
    }

    /// <summary>
    /// Delivers one claimed reminder and writes its outcome back. Never throws, so a batch always completes: a reminder
    /// whose outcome could not be written (the store unreachable, the node stopping) stays claimed and is delivered
    /// again once its claim expires.
    /// </summary>
    private async Task SettleAsync(ReminderRecord reminder, CancellationToken stopping)
    {
        try
        {
            await DeliverAsync(reminder, stopping);
            Interlocked.Increment(ref _settled);
        }
        catch (Exception ex)
        {
            // When the node is stopping that is expected, and not worth a warning: another node (or this one,
            // restarted) delivers the reminder once its claim runs out.
            if (!stopping.IsCancellationRequested)
            {
                LogNotSettled(_logger, ex, reminder.Grain, reminder.Name, _options.ReminderClaimDuration);
            }
        }
    }

    private async Task DeliverAsync(ReminderRecord reminder, CancellationToken stopping)
    {
        var now = _runtime.Time.GetUtcNow();
        var next = NextDue(reminder, now);
        var missed = now - reminder.DueAt > _options.MissedTickGrace;
        if (missed && reminder.Policy == MissedTickPolicy.Skip)
        {
            LogSkipped(_logger, reminder.Grain, reminder.Name, reminder.DueAt);
            await _completions.EnqueueAsync(new ReminderCompletion(reminder.Grain, reminder.Name, reminder.Version, next));
            return;
        }

        if (!_runtime.Registry.TryGetForGrainType(reminder.Grain.Type, out var grainClass) || !grainClass.IsRemindable)
        {
            LogNotRemindable(_logger, reminder.Grain, reminder.Name);
            await _storage.AbandonReminderAsync(reminder.Grain, reminder.Name, reminder.Version, _options.ReminderClaimDuration, stopping);
            return;
        }

        try
        {
            var status = new TickStatus(reminder.Period ?? TimeSpan.Zero, reminder.DueAt);
            await _runtime.InvokeAsync<object?>(
                reminder.Grain,
                grainClass,
                $"{nameof(IRemindable)}.{nameof(IRemindable.ReceiveReminder)}({reminder.Name})",
                WorkKind.Request,
                grain => TaskAdapters.FromTask(((IRemindable)grain).ReceiveReminder(reminder.Name, status)),
                stopping);
            _runtime.Metrics.ReminderDelivered(_runtime.Time.GetUtcNow() - reminder.DueAt);
            await _completions.EnqueueAsync(new ReminderCompletion(reminder.Grain, reminder.Name, reminder.Version, next));
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            var retry = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(reminder.Attempts, 6))));
            LogDeliveryFailed(_logger, ex, reminder.Grain, reminder.Name, reminder.Attempts, retry);
            await _storage.AbandonReminderAsync(reminder.Grain, reminder.Name, reminder.Version, retry, stopping);
        }
    }

    /// <summary>The first tick strictly after now for a periodic reminder; null for a one-shot.</summary>
    internal static DateTimeOffset? NextDue(ReminderRecord reminder, DateTimeOffset now)
    {
        if (reminder.Period is not { } period || period <= TimeSpan.Zero)
        {
            return null;
        }

        if (reminder.DueAt > now)
        {
            return reminder.DueAt + period;
        }

        var elapsedTicks = (now - reminder.DueAt).Ticks / period.Ticks + 1;
        return reminder.DueAt + TimeSpan.FromTicks(elapsedTicks * period.Ticks);
    }

    /// <summary>
    /// Looks at storage for the earliest due time, then sleeps until it, a wake-up, or the poll interval. A commit that
    /// sets a reminder due sooner moves the timer and the loop sleeps on.
    /// </summary>
    private async Task SleepAsync(IReadOnlyCollection<int> partitions, Task wake, CancellationToken stopping)
    {
        using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var poll = Task.Delay(_options.ReminderPollInterval, sleep.Token);
        Interlocked.Exchange(ref _sleepingUntil, long.MinValue);

        // Changes committed before the look are in what it reads; the ones after it are gathered again.
        Interlocked.Exchange(ref _soonestChange, long.MaxValue);
        DateTimeOffset? stored = null;
        if (partitions.Count > 0)
        {
            stored = await _storage.GetNextReminderDueAsync(partitions, stopping);
            Interlocked.Increment(ref _looks);
        }

        var looked = _runtime.Time.GetUtcNow();
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            var nextTicks = Math.Min(stored?.UtcTicks ?? long.MaxValue, Interlocked.Read(ref _soonestChange));
            Interlocked.Exchange(ref _sleepingUntil, nextTicks);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(sleep.Token);
            var waits = new List<Task>(5) { wake, changed, poll };
            if (nextTicks != long.MaxValue)
            {
                var now = _runtime.Time.GetUtcNow();
                var dueIn = new DateTimeOffset(nextTicks, TimeSpan.Zero) - now;
                if (dueIn > TimeSpan.Zero)
                {
                    waits.Add(Task.Delay(dueIn, _runtime.Time, timer.Token));
                }

                // Due already (claimed by someone else, just released, or made due by a clock move during the last
                // delivery), or the business clock moved since the look (a timer counts from the clock's instant when
                // it is set, so it would fire late): look again in 50 ms of real time. A delay on a manual business
                // clock would wait for its next move.
                if (dueIn <= TimeSpan.Zero || now != looked)
                {
                    waits.Add(Task.Delay(TimeSpan.FromMilliseconds(50), timer.Token));
                }
            }

            var woken = await Task.WhenAny(waits);
            await timer.CancelAsync();
            if (woken != changed)
            {
                break;
            }
        }

        await sleep.CancelAsync();
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        // The loop may have left a batch in flight: its deliveries end (delivered or canceled by the stop) before the
        // write-backs close.
        await _previousBatch;
        _completions.Complete();
    }

    public ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reminder loop failed; retrying")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped missed reminder {Name} of {Grain} due at {DueAt}")]
    private static partial void LogSkipped(ILogger logger, GrainId grain, string name, DateTimeOffset dueAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reminder {Name} targets {Grain}, which is not a known remindable grain")]
    private static partial void LogNotRemindable(ILogger logger, GrainId grain, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Name} of {Grain}: its outcome could not be written back; it stays claimed and is delivered again after {Claim}")]
    private static partial void LogNotSettled(ILogger logger, Exception exception, GrainId grain, string name, TimeSpan claim);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Name} of {Grain} failed (attempt {Attempt}); retry in {Retry}")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, GrainId grain, string name, int attempt, TimeSpan retry);
}
