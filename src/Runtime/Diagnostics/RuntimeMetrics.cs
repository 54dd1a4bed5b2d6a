using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Actors.Runtime.Diagnostics;

/// <summary>
/// The runtime's meter, "Actors.Runtime" (read it with dotnet-counters): activations, calls and their latency,
/// reminder lag from due time to delivery, storage latency, commit batch sizes and outbox lag.
/// </summary>
public sealed class RuntimeMetrics : IDisposable
{
    public const string MeterName = "Actors.Runtime";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _activations;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _failedCalls;
    private readonly Histogram<double> _callDuration;
    private readonly Histogram<double> _reminderLag;
    private readonly Counter<long> _remindersDelivered;
    private readonly Histogram<double> _storageDuration;
    private readonly Histogram<long> _commitBatch;
    private readonly Histogram<double> _outboxLag;

    public RuntimeMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _activations = _meter.CreateUpDownCounter<long>("actors.activations", description: "Live grain activations on this node");
        _calls = _meter.CreateCounter<long>("actors.calls", description: "Grain calls completed");
        _failedCalls = _meter.CreateCounter<long>("actors.calls.failed", description: "Grain calls that threw or timed out");
        _callDuration = _meter.CreateHistogram<double>("actors.call.duration", "ms", "Grain call latency, queueing included");
        _reminderLag = _meter.CreateHistogram<double>("actors.reminder.lag", "ms", "From a reminder's due time to its delivery");
        _remindersDelivered = _meter.CreateCounter<long>("actors.reminders.delivered", description: "Reminder ticks delivered");
        _storageDuration = _meter.CreateHistogram<double>("actors.storage.duration", "ms", "Storage operation latency");
        _commitBatch = _meter.CreateHistogram<long>("actors.storage.commit.batch", description: "Grain commits per store transaction");
        _outboxLag = _meter.CreateHistogram<double>("actors.outbox.lag", "ms", "From an event's commit to its delivery to a consumer");
    }

    /// <summary>Publishes "actors.calls.in_flight", read from <paramref name="count"/> when a listener asks.</summary>
    internal void ObserveCallsInFlight(Func<int> count) =>
        _meter.CreateObservableGauge("actors.calls.in_flight", count, description: "Grain calls placed on this node and not answered yet");

    public void ActivationCreated(string grainType) => _activations.Add(1, new KeyValuePair<string, object?>("grain.type", grainType));

    public void ActivationRemoved(string grainType) => _activations.Add(-1, new KeyValuePair<string, object?>("grain.type", grainType));

    /// <summary>True while a listener takes "actors.call.duration": calls are timed only then.</summary>
    public bool TimesCalls => _callDuration.Enabled;

    /// <summary>Counts a completed call; <paramref name="elapsed"/> is null when the call was not timed.</summary>
    public void CallCompleted(string grainType, TimeSpan? elapsed, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("grain.type", grainType);
        _calls.Add(1, tag);
        if (failed)
        {
            _failedCalls.Add(1, tag);
        }

        if (elapsed is { } duration)
        {
            _callDuration.Record(duration.TotalMilliseconds, tag);
        }
    }

    public void ReminderDelivered(TimeSpan lag)
    {
        _remindersDelivered.Add(1);
        _reminderLag.Record(lag.TotalMilliseconds);
    }

    public void CommitBatch(int size) => _commitBatch.Record(size);

    public void OutboxDelivered(string consumer, TimeSpan lag) =>
        _outboxLag.Record(lag.TotalMilliseconds, new KeyValuePair<string, object?>("consumer", consumer));

    public async Task<T> TimeStorage<T>(string operation, Func<Task<T>> action)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await action();
        }
        finally
        {
            _storageDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("operation", operation));
        }
    }

    public void Dispose() => _meter.Dispose();
}
