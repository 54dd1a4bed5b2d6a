using System.Globalization;

namespace Actors.Bench;

/// <summary>One measurement of the memory an idle active grain costs.</summary>
internal sealed record MemoryRun(
    double BytesPerGrain,
    double ManagedBytesPerGrain,
    (long Resident, long Managed) Before,
    (long Resident, long Managed) After,
    long ResidentAfterBeforeGc,
    int Grains,
    double ActivationsPerSecond);

/// <summary>
/// The resident set of a silo holding many active grains of the domain. The persons are created once through the API
/// by a silo that is then stopped; each round starts a fresh silo process on that store (its read model is rebuilt from
/// the event log at start-up, so it already holds every person's search row), waits until it is quiescent, forces
/// two full garbage collections from outside (<see cref="GcTrigger"/>) and reads VmRSS; then reads every person through
/// the API (<c>GET /api/persons/{id}</c>), which activates each person grain and loads its state, forces the
/// collections again and reads VmRSS again. Bytes per grain = the difference / the grains: what an idle activation
/// holds (its state, its activation record and its place in the directory), not the read model.
/// </summary>
internal static class MemoryFootprint
{
    public static async Task<string[]> CreatePersonsAsync(SiloApi api, int count, int concurrency, CancellationToken cancellationToken)
    {
        var ids = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var key = "memory-" + i.ToString(CultureInfo.InvariantCulture);
            ids[i] = (await api.CreatePersonAsync(key, "Resident " + key, ct)).Id;
        });
        return ids;
    }

    public static async Task<MemoryRun> MeasureAsync(SiloProcess silo, SiloApi api, IReadOnlyList<string> persons, DateTimeOffset clock, int concurrency, CancellationToken cancellationToken)
    {
        // A clock move to where it is answers once every consumer (the read model's rebuild included) has caught up.
        await api.MoveClockAsync(clock, cancellationToken);
        var before = await SettledResidentAsync(silo, cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(
            persons,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (id, ct) => await api.GetPersonAsync(id, ct));
        var perSecond = persons.Count / System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        var unsettled = silo.ResidentBytes();
        var after = await SettledResidentAsync(silo, cancellationToken);
        return new MemoryRun(
            (double)(after.Resident - before.Resident) / persons.Count,
            (double)(after.Managed - before.Managed) / persons.Count,
            before,
            after,
            unsettled,
            persons.Count,
            perSecond);
    }

    /// <summary>
    /// VmRSS and the managed heap after two induced full collections (the second also frees what the first left to
    /// finalizers), a second apart so the collector can hand freed memory back.
    /// </summary>
    private static async Task<(long Resident, long Managed)> SettledResidentAsync(SiloProcess silo, CancellationToken cancellationToken)
    {
        await GcTrigger.CollectAsync(silo.Pid, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var managed = await GcTrigger.CollectAsync(silo.Pid, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return (silo.ResidentBytes(), managed);
    }
}
