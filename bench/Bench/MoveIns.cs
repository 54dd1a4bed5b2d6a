using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Actors.Bench;

/// <summary>One move-in to make: the premise it moves into and its start date.</summary>
internal readonly record struct MoveInPlan(string PremiseId, DateOnly StartDate);

/// <summary>What one move-in made: the customer's person and account, and the two SAs it started.</summary>
internal sealed record MoveInResult(PersonRef Person, string AccountId, string[] ServiceAgreementIds, DateOnly StartDate, double Milliseconds);

/// <summary>
/// What a run of move-ins did. The rate is counted over the window in which every client was busy: from the end of
/// the ramp to the moment the first client found no move-in left to start.
/// </summary>
internal sealed record MoveInRun(
    IReadOnlyList<MoveInResult> Completed,
    long Failed,
    string? FirstFailure,
    double PerSecond,
    CpuUsage Usage,
    TimeSpan Elapsed)
{
    /// <summary>
    /// Adds this run's figures to its phase: rate, ratio to the round's baseline, move-in time p50/p99, failures, CPU,
    /// and the ceiling PostgreSQL's own CPU per move-in sets: the rate and ratio if the server had every core of the
    /// machine and the silo and the clients cost nothing.
    /// </summary>
    public void AddTo(PhaseSamples phase, double baselineTps)
    {
        var latencies = Completed.Select(m => m.Milliseconds).ToArray();
        phase.Add(Phases.PerSecond, PerSecond);
        phase.Add(Phases.Ratio, PerSecond / baselineTps);
        if (Usage.Postgres > 0)
        {
            var ceiling = Environment.ProcessorCount / (Usage.Postgres / PerSecond);
            phase.Add(Phases.PostgresCeilingPerSecond, ceiling);
            phase.Add(Phases.PostgresCeilingRatio, ceiling / baselineTps);
        }

        phase.Add(Phases.LatencyMs, Percentiles.Of(latencies, 50));
        phase.Add(Phases.LatencyP99Ms, Percentiles.Of(latencies, 99));
        phase.Add(Phases.Failed, Failed);
        BenchmarkRun.AddCpu(phase, Usage, PerSecond);
    }

    /// <summary>Reports the failures, if any, with the first one's message.</summary>
    public void ReportFailures(Action<string> progress)
    {
        if (FirstFailure is { } failure)
        {
            progress($"  {Failed} move-ins failed; first: {failure}");
        }
    }
}

/// <summary>
/// Move-ins end to end over HTTP, as a CSR does them: create the person, create their account, start electric and gas
/// service at a premise (one start-service request for both services). Each is a real request with its own
/// Idempotency-Key; each client makes one move-in after the other, one request at a time. The premises exist before
/// (a utility's premises do not appear with the customer), made by <see cref="CreatePremisesAsync"/>.
/// </summary>
internal static class MoveIns
{
    /// <summary>Premises with an electric and a gas service point, both unmetered (an SA on them activates without a read).</summary>
    public static async Task<string[]> CreatePremisesAsync(SiloApi api, string keyPrefix, int count, int concurrency, CancellationToken cancellationToken)
    {
        var ids = new string[count];
        await Parallel.ForAsync(
            0,
            count,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, ct) => ids[i] = await api.CreatePremiseAsync($"{keyPrefix}-premise-{i.ToString(CultureInfo.InvariantCulture)}", i, ct));
        return ids;
    }

    /// <summary>
    /// Runs <paramref name="plan"/> with <paramref name="clients"/> clients; client <c>c</c> sends every request to
    /// <c>silos[c % silos.Count]</c> (several silos of one cluster: the clients spread evenly, as behind a load balancer).
    /// </summary>
    public static async Task<MoveInRun> RunAsync(
        IReadOnlyList<SiloApi> silos,
        string keyPrefix,
        IReadOnlyList<MoveInPlan> plan,
        int clients,
        TimeSpan ramp,
        CpuSampler cpu,
        CancellationToken cancellationToken)
    {
        var completed = new ConcurrentBag<MoveInResult>();
        var next = -1;
        long failed = 0;
        string? firstFailure = null;
        var started = Stopwatch.GetTimestamp();
        var windowStartCount = -1L;
        var windowEnd = new TaskCompletionSource<(long Timestamp, long Count, CpuSnapshot Cpu)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0L;

        async Task ClientAsync(SiloApi api)
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= plan.Count)
                {
                    // The first client to run out closes the window: from here on fewer than all clients are busy.
                    windowEnd.TrySetResult((Stopwatch.GetTimestamp(), Interlocked.Read(ref count), CpuSampler.Take(cpu)));
                    return;
                }

                var item = plan[index];
                var key = $"{keyPrefix}-{index.ToString(CultureInfo.InvariantCulture)}";
                var begun = Stopwatch.GetTimestamp();
                try
                {
                    var person = await api.CreatePersonAsync(key + "-person", $"Customer {key}", cancellationToken);
                    var account = await api.CreateAccountAsync(key + "-account", person.Id, cancellationToken);
                    var serviceAgreements = await api.StartServiceAsync(key + "-start", account, item.PremiseId, item.StartDate, cancellationToken);
                    completed.Add(new MoveInResult(person, account, serviceAgreements, item.StartDate, Stopwatch.GetElapsedTime(begun).TotalMilliseconds));
                    Interlocked.Increment(ref count);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, ex.Message, null);
                }
            }
        }

        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(silos[c % silos.Count]), cancellationToken)).ToArray();
        var rampDone = Task.Delay(ramp, cancellationToken);
        CpuSnapshot cpuStart = default;
        long windowStart = 0;
        if (await Task.WhenAny(rampDone, windowEnd.Task) == rampDone)
        {
            windowStart = Stopwatch.GetTimestamp();
            windowStartCount = Interlocked.Read(ref count);
            cpuStart = CpuSampler.Take(cpu);
        }

        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var (endTimestamp, endCount, cpuEnd) = await windowEnd.Task;
        if (windowStartCount < 0 || endTimestamp <= windowStart)
        {
            throw new InvalidOperationException(
                $"{plan.Count} move-ins ended before the {ramp.TotalSeconds:F1} s ramp did ({failed} failed{(firstFailure is null ? string.Empty : "; first: " + firstFailure)}): plan more of them.");
        }

        var usage = CpuSampler.Between(cpuStart, cpuEnd);
        var perSecond = (endCount - windowStartCount) / Stopwatch.GetElapsedTime(windowStart, endTimestamp).TotalSeconds;
        return new MoveInRun([.. completed], failed, firstFailure, perSecond, usage, elapsed);
    }
}
