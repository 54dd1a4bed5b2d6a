using System.Diagnostics.Metrics;
using Actors.Runtime.Diagnostics;

namespace Actors.Bench;

/// <summary>Totals of the runtime's own storage instruments up to one instant.</summary>
internal readonly record struct StoreSnapshot(long Batches, long BatchedCommits, long CommitMicros, long Commits);

/// <summary>
/// Listens to the runtime's meter for what group commit did: how many grain commits each store transaction carried
/// and how long a store transaction took. Only per-transaction instruments are listened to, so the listener adds no
/// work to a grain call itself.
/// </summary>
internal sealed class RuntimeMeters : IDisposable
{
    private const string CommitBatch = "actors.storage.commit.batch";
    private const string StorageDuration = "actors.storage.duration";

    private readonly MeterListener _listener = new();
    private long _batches;
    private long _batchedCommits;
    private long _commitMicros;
    private long _commits;

    public RuntimeMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RuntimeMetrics.MeterName && instrument.Name is CommitBatch or StorageDuration)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == CommitBatch)
            {
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _batchedCommits, value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == StorageDuration && IsCommit(tags))
            {
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _commitMicros, (long)(value * 1000));
            }
        });
        _listener.Start();
    }

    public StoreSnapshot Take() => new(
        Interlocked.Read(ref _batches),
        Interlocked.Read(ref _batchedCommits),
        Interlocked.Read(ref _commitMicros),
        Interlocked.Read(ref _commits));

    public void Dispose() => _listener.Dispose();

    private static bool IsCommit(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "operation" && tag.Value is "commit")
            {
                return true;
            }
        }

        return false;
    }
}
