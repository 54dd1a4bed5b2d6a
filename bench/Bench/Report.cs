using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Actors.Bench;

/// <summary>The machine a run measured, as BENCHMARKS.md must name it.</summary>
internal sealed record MachineInfo(int Cores, string CpuModel, double MemoryGiB, string Os, string DotNet, string PostgreSql, string Pgbench)
{
    public static MachineInfo Read(string postgresVersion, string pgbenchVersion) => new(
        Environment.ProcessorCount,
        ReadProcField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Math.Round(ReadMemTotalKiB() / 1024.0 / 1024.0, 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        postgresVersion,
        pgbenchVersion);

    private static string? ReadProcField(string path, string field)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static double ReadMemTotalKiB()
    {
        var value = ReadProcField("/proc/meminfo", "MemTotal")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return value is null ? double.NaN : double.Parse(value, CultureInfo.InvariantCulture);
    }
}

/// <summary>Prints the results table and writes results.json.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Table(IReadOnlyDictionary<string, PhaseSamples> samples, BenchOptions options, MachineInfo machine, string command, string pgbenchCommand)
    {
        var pgbench = samples[Phases.Pgbench];
        var reference = samples[Phases.PgbenchReference];
        var writes = samples[Phases.GrainWrites];
        var manyWrites = samples[Phases.GrainWritesManyCallers];
        var calls = samples[Phases.GrainCalls];
        var rows = new List<(string Label, Stat? Value, string Format)>();
        var toReference = $"ratio to the reference pgbench TPS, {options.ReferenceClients} clients (same round)";

        void Section(string title) => rows.Add((title, null, string.Empty));
        void Row(PhaseSamples phase, string metric, string label, string format)
        {
            if (phase.Has(metric))
            {
                rows.Add(("  " + label, phase[metric], format));
            }
        }

        void Cpu(PhaseSamples phase, bool perOpOfPostgres, bool perOpOfBench, bool perOpOfSilo = false)
        {
            Row(phase, Phases.MachineCores, $"CPU busy, whole machine, cores of {machine.Cores}", "F2");
            Row(phase, Phases.PostgresCores, "  of which PostgreSQL server", "F2");
            Row(phase, Phases.BenchCores, "  of which this process (runtime, callers)", "F2");
            Row(phase, Phases.SiloCores, "  of which the silo process(es)", "F2");
            if (phase.Has(Phases.PgbenchCores) && phase[Phases.PgbenchCores].Max > 0)
            {
                Row(phase, Phases.PgbenchCores, "  of which pgbench", "F2");
            }

            Row(phase, Phases.OtherCores, "  of which other processes", "F2");
            Row(phase, Phases.IoWaitCores, "iowait, cores", "F2");
            if (perOpOfPostgres)
            {
                Row(phase, Phases.PostgresCpuUsPerOp, "PostgreSQL CPU per op, us", "N0");
            }

            if (perOpOfBench)
            {
                Row(phase, Phases.BenchCpuUsPerOp, "this process's CPU per op, us", "N1");
            }

            if (perOpOfSilo)
            {
                Row(phase, Phases.SiloCpuUsPerOp, "the silos' CPU per op, us", "N0");
            }
        }

        void Writes(PhaseSamples phase, int callers, string ratioLabel)
        {
            Section($"grain writes: {callers} callers over {options.WriteGrains:N0} persisted grains, PostgreSQL store");
            Row(phase, Phases.PerSecond, "writes/s", "N0");
            Row(phase, Phases.Ratio, ratioLabel, "F3");
            Row(phase, Phases.StoreCommitsPerOp, "store commits per write (pg_stat_database)", "F4");
            Row(phase, Phases.CommitsPerBatch, "grain commits per store transaction (runtime)", "F1");
            Row(phase, Phases.StoreTransactionMs, "store transaction time, ms (runtime)", "F2");
            Row(phase, Phases.WalBytesPerOp, "WAL bytes per write", "N0");
            Row(phase, Phases.Failed, "failed writes", "N0");
            Cpu(phase, perOpOfPostgres: true, perOpOfBench: true);
        }

        if (pgbench.Has(Phases.PerSecond))
        {
            Baseline();
        }

        void MoveInSection(PhaseSamples phase, string title)
        {
            if (!phase.Has(Phases.PerSecond))
            {
                return;
            }

            Section(title);
            Row(phase, Phases.PerSecond, "move-ins/s", "N0");
            Row(phase, Phases.Ratio, "ratio to pgbench TPS (same round)", "F3");
            Row(phase, Phases.RatioToReference, "  " + toReference, "F3");
            Row(phase, Phases.RelativeToOneSilo, "ratio to one silo's move-ins/s (same round)", "F2");
            Row(phase, Phases.PostgresCeilingPerSecond, $"ceiling: move-ins/s if PostgreSQL had all {machine.Cores} cores (its CPU per move-in)", "N0");
            Row(phase, Phases.PostgresCeilingRatio, "  the ceiling's ratio to pgbench TPS", "F3");
            Row(phase, Phases.StoreCommitsPerOp, "store commits per move-in (pg_stat_database)", "F2");
            Row(phase, Phases.LatencyMs, "move-in time p50, ms (3 requests)", "F1");
            Row(phase, Phases.LatencyP99Ms, "move-in time p99, ms", "F1");
            Row(phase, Phases.IdleCommitsPerSecond, "the silos' idle commits/s (subtracted outside the phase)", "F1");
            Row(phase, Phases.Failed, "failed move-ins", "N0");
            Cpu(phase, perOpOfPostgres: true, perOpOfBench: true, perOpOfSilo: true);
        }

        MoveInSection(
            samples[Phases.MoveIns],
            $"move-ins over HTTP: {options.Clients} clients, each move-in = create person, create account, start electric + gas (3 requests)");
        var reads = samples[Phases.MoveInReads];
        if (reads.Has(Phases.PerSecond))
        {
            Section($"the move-in's requests as reads: {options.Clients} clients, each = GET person, account, SA of a move-in (3 requests, no write)");
            Row(reads, Phases.PerSecond, "reads/s", "N0");
            Row(reads, Phases.Ratio, "ratio to pgbench TPS (same round)", "F3");
            Row(reads, Phases.Failed, "failed reads", "N0");
            Cpu(reads, perOpOfPostgres: false, perOpOfBench: true, perOpOfSilo: true);
        }

        MoveInSection(
            samples[Phases.MoveInsCluster],
            $"move-ins over HTTP on a cluster of {options.ClusterSilos} silos: the same {options.Clients} clients spread over them, forwarded grain calls");

        var burst = samples[Phases.ActivationBurst];
        if (burst.Has(Phases.PerSecond))
        {
            Section($"activation burst: {2 * options.MoveIns:N0} SAs due at one instant (manual clock moved past it), lag to each Active event's commit");
            Row(burst, Phases.PerSecond, "activations/s", "N0");
            Row(burst, Phases.Ratio, "ratio to pgbench TPS (same round)", "F3");
            Row(burst, Phases.RatioToReference, "  " + toReference, "F3");
            Row(burst, Phases.LagP50Ms, "lag p50, ms", "N0");
            Row(burst, Phases.LagP99Ms, "lag p99, ms", "N0");
            Row(burst, Phases.LagMaxMs, "lag max, ms", "N0");
            Row(burst, Phases.ClockMoveMs, "clock move answered (settled) after, ms", "N0");
            Row(burst, Phases.Failed, "SAs not activated", "N0");
            Cpu(burst, perOpOfPostgres: true, perOpOfBench: false, perOpOfSilo: true);
        }

        var steady = samples[Phases.ActivationSteady];
        if (steady.Has(Phases.LagP99Ms))
        {
            Section($"steady activations: {options.SteadyRate} SAs due per second ({options.SteadySteps} clock steps a second) for {options.SteadySeconds} s");
            Row(steady, Phases.DuePerSecond, "SAs made due per second (achieved)", "N0");
            Row(steady, Phases.LagP50Ms, "lag p50, ms", "N0");
            Row(steady, Phases.LagP99Ms, "lag p99, ms", "N0");
            Row(steady, Phases.LagMaxMs, "lag max, ms", "N0");
            Row(steady, Phases.StepLateMs, "latest clock step behind schedule, ms", "N0");
            Row(steady, Phases.Failed, "SAs not activated", "N0");
            Cpu(steady, perOpOfPostgres: true, perOpOfBench: false, perOpOfSilo: true);
        }

        var alerts = samples[Phases.Alerts];
        if (alerts.Has(Phases.LatencyMs))
        {
            Section($"alerts: {options.AlertClients} hub clients over {options.AlertAccounts} accounts, {options.AlertRate} changes/s, API call to message");
            Row(alerts, Phases.LatencyMs, "latency p50, ms", "F1");
            Row(alerts, Phases.LatencyP99Ms, "latency p99, ms", "F1");
            Row(alerts, Phases.LatencyMaxMs, "latency max, ms", "F1");
            Row(alerts, Phases.Lost, "messages lost", "N0");
            Row(alerts, Phases.Expected, "messages expected", "N0");
            Row(alerts, Phases.Late, "messages late or unmatched", "N0");
            Row(alerts, Phases.MessagesPerSecond, "messages/s to clients", "N0");
            Row(alerts, Phases.CallMs, "the PATCH's own time p50, ms", "F1");
            Cpu(alerts, perOpOfPostgres: false, perOpOfBench: false);
        }

        if (writes.Has(Phases.PerSecond))
        {
            Writes(writes, options.ReferenceClients, toReference);
            Writes(manyWrites, options.ManyWriteCallers, "ratio to pgbench TPS (same round)");
        }

        if (calls.Has(Phases.PerSecond))
        {
            Calls();
        }

        var memory = samples[Phases.Memory];
        if (memory.Has(Phases.BytesPerGrain))
        {
            Section($"memory: a silo holding {options.MemoryGrains:N0} active person grains, VmRSS after induced full GCs ({options.MemoryRounds} silo start{(options.MemoryRounds == 1 ? string.Empty : "s")})");
            Row(memory, Phases.BytesPerGrain, "bytes per active grain (VmRSS)", "N0");
            Row(memory, Phases.ManagedBytesPerGrain, "  of which managed heap (GC heap after the induced GC)", "N0");
            Row(memory, Phases.RssBeforeMiB, "VmRSS before activating them, MiB", "N0");
            Row(memory, Phases.RssAfterMiB, "VmRSS with them active, MiB", "N0");
            Row(memory, Phases.RssUnsettledMiB, "  the same before the induced GCs, MiB", "N0");
            Row(memory, Phases.HeapBeforeMiB, "managed heap before, MiB", "N0");
            Row(memory, Phases.HeapAfterMiB, "managed heap with them active, MiB", "N0");
            Row(memory, Phases.PerSecond, "activations by GET /api/persons/{id} per second", "N0");
        }

        void Calls()
        {
            Section($"grain calls: {options.CallCallers} callers over {options.CallGrains:N0} grains without state, in process");
            Row(calls, Phases.PerSecond, "calls/s", "N0");
            Row(calls, Phases.AllocatedBytesPerOp, "allocated bytes per call", "N0");
            Row(calls, Phases.ThreadPoolItemsPerOp, "thread-pool work items per call", "F2");
            Row(calls, Phases.Gen0PerSecond, "gen0 collections/s", "F1");
            Row(calls, Phases.Gen2PerSecond, "gen2 collections/s", "F2");
            Row(calls, Phases.LockContentionsPerSecond, "lock contentions/s", "N0");
            Row(calls, Phases.Failed, "failed calls", "N0");
            Cpu(calls, perOpOfPostgres: false, perOpOfBench: true);
        }

        void Baseline()
        {
            Section($"baseline: {pgbenchCommand}");
            Row(pgbench, Phases.PerSecond, "transactions/s", "N0");
            Row(pgbench, Phases.LatencyMs, "latency average, ms", "F2");
            Row(pgbench, Phases.StoreCommitsPerOp, "store commits per transaction (checks the method)", "F4");
            Row(pgbench, Phases.WalFlushesPerOp, "WAL flushes per transaction", "F3");
            Row(pgbench, Phases.WalFlushMs, "WAL flush time, ms", "F2");
            Row(pgbench, Phases.WalBytesPerOp, "WAL bytes per transaction", "N0");
            Row(pgbench, Phases.Failed, "failed transactions", "N0");
            Cpu(pgbench, perOpOfPostgres: true, perOpOfBench: false);
            Section($"reference: the same with {options.ReferenceClients} clients (the baseline's client count before the ninth session)");
            Row(reference, Phases.PerSecond, "transactions/s", "N0");
            Row(reference, Phases.LatencyMs, "latency average, ms", "F2");
            Row(reference, Phases.Failed, "failed transactions", "N0");
            Cpu(reference, perOpOfPostgres: true, perOpOfBench: false);
        }

        var width = rows.Max(r => r.Label.Length) + 2;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Actors.Bench: {command}");
        text.AppendLine(CultureInfo.InvariantCulture, $"machine: {machine.Cores} cores ({machine.CpuModel}), {machine.MemoryGiB} GiB, {machine.Os}; {machine.DotNet}; PostgreSQL {machine.PostgreSql}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{options.Rounds} rounds, each phase measured {options.PhaseSeconds} s; median, min, max over rounds");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"".PadRight(width)}{"median",12}{"min",12}{"max",12}");
        foreach (var (label, value, format) in rows)
        {
            if (value is null)
            {
                text.AppendLine(label);
                continue;
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"{label.PadRight(width)}{Format(value.Median, format),12}{Format(value.Min, format),12}{Format(value.Max, format),12}");
        }

        return text.ToString();
    }

    public static async Task WriteJsonAsync(
        string path,
        IReadOnlyDictionary<string, PhaseSamples> samples,
        BenchOptions options,
        MachineInfo machine,
        string command,
        string pgbenchCommand,
        DateTimeOffset startedAt,
        TimeSpan duration)
    {
        var pgbench = samples[Phases.Pgbench];
        var writes = samples[Phases.GrainWrites];
        var manyWrites = samples[Phases.GrainWritesManyCallers];
        var calls = samples[Phases.GrainCalls];
        var document = new
        {
            command,
            startedAt,
            durationSeconds = Math.Round(duration.TotalSeconds, 1),
            machine,
            settings = new
            {
                options.Rounds,
                options.PhaseSeconds,
                options.RampSeconds,
                pgbenchClients = options.Clients,
                options.PgbenchThreads,
                options.PgbenchScale,
                pgbenchCommand,
                options.ReferenceClients,
                writeCallers = options.ReferenceClients,
                options.ManyWriteCallers,
                options.WriteGrains,
                options.CallCallers,
                options.CallGrains,
                moveInClients = options.Clients,
                options.MoveIns,
                options.ClusterSilos,
                options.ClusterMoveIns,
                burstServiceAgreements = 2 * options.MoveIns,
                options.SteadySeconds,
                options.SteadyRate,
                options.SteadySteps,
                options.AlertClients,
                options.AlertAccounts,
                options.AlertRate,
                options.MemoryGrains,
                options.MemoryRounds,
                skipped = options.Skip.Order().ToArray(),
                postgresSettings = PostgresInstance.ServerSettings,
            },
            baselineTps = Figure(pgbench, Phases.PerSecond),
            referenceTps = Figure(samples[Phases.PgbenchReference], Phases.PerSecond),
            grainWritesPerSec = Figure(writes, Phases.PerSecond),
            grainWriteRatio = Figure(writes, Phases.Ratio),
            commitsPerWrite = Figure(writes, Phases.StoreCommitsPerOp),
            grainWritesPerSecManyCallers = Figure(manyWrites, Phases.PerSecond),
            grainWriteRatioManyCallers = Figure(manyWrites, Phases.Ratio),
            commitsPerWriteManyCallers = Figure(manyWrites, Phases.StoreCommitsPerOp),
            grainCallsPerSec = Figure(calls, Phases.PerSecond),
            moveInsPerSec = Figure(samples[Phases.MoveIns], Phases.PerSecond),
            moveInRatio = Figure(samples[Phases.MoveIns], Phases.Ratio),
            moveInRatioToReference = Figure(samples[Phases.MoveIns], Phases.RatioToReference),
            commitsPerMoveIn = Figure(samples[Phases.MoveIns], Phases.StoreCommitsPerOp),
            moveInReadsPerSec = Figure(samples[Phases.MoveInReads], Phases.PerSecond),
            moveInReadRatio = Figure(samples[Phases.MoveInReads], Phases.Ratio),
            moveInPostgresCeilingRatio = Figure(samples[Phases.MoveIns], Phases.PostgresCeilingRatio),
            moveInsPerSecThreeSilos = Figure(samples[Phases.MoveInsCluster], Phases.PerSecond),
            moveInRatioThreeSilos = Figure(samples[Phases.MoveInsCluster], Phases.Ratio),
            threeSilosToOneSilo = Figure(samples[Phases.MoveInsCluster], Phases.RelativeToOneSilo),
            commitsPerMoveInThreeSilos = Figure(samples[Phases.MoveInsCluster], Phases.StoreCommitsPerOp),
            activationsPerSec = Figure(samples[Phases.ActivationBurst], Phases.PerSecond),
            activationRatio = Figure(samples[Phases.ActivationBurst], Phases.Ratio),
            activationRatioToReference = Figure(samples[Phases.ActivationBurst], Phases.RatioToReference),
            activationLagP50Ms = Figure(samples[Phases.ActivationBurst], Phases.LagP50Ms),
            activationLagP99Ms = Figure(samples[Phases.ActivationBurst], Phases.LagP99Ms),
            activationLagMaxMs = Figure(samples[Phases.ActivationBurst], Phases.LagMaxMs),
            steadyActivationLagP50Ms = Figure(samples[Phases.ActivationSteady], Phases.LagP50Ms),
            steadyActivationLagP99Ms = Figure(samples[Phases.ActivationSteady], Phases.LagP99Ms),
            alertLatencyP50Ms = Figure(samples[Phases.Alerts], Phases.LatencyMs),
            alertLatencyP99Ms = Figure(samples[Phases.Alerts], Phases.LatencyP99Ms),
            alertLatencyMaxMs = Figure(samples[Phases.Alerts], Phases.LatencyMaxMs),
            alertsLost = Figure(samples[Phases.Alerts], Phases.Lost),
            bytesPerGrain = Figure(samples[Phases.Memory], Phases.BytesPerGrain),
            diagnostics = samples.ToDictionary(p => p.Key, p => p.Value.Summaries(), StringComparer.Ordinal),
        };

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, document, s_json);
    }

    /// <summary>A figure the run measured, or null (with --calls-only the store figures are not measured).</summary>
    private static Stat? Figure(PhaseSamples phase, string metric) => phase.Has(metric) ? phase[metric] : null;

    private static string Format(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
