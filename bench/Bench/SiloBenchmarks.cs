using System.Diagnostics;
using System.Globalization;

namespace Actors.Bench;

/// <summary>
/// The figures measured against the silo as a separate process over HTTP and its hub: move-ins, activations (a burst
/// and a steady rate), alert latency with many dashboards, and the memory of active grains. The round loop of
/// <see cref="BenchmarkRun"/> calls them between its own phases, so that every ratio compares figures of one round.
/// </summary>
internal sealed class SiloBenchmarks(
    BenchOptions options,
    PostgresInstance server,
    ServerStats stats,
    CpuSampler cpu,
    IReadOnlyDictionary<string, PhaseSamples> samples,
    Action<string> progress) : IAsyncDisposable
{
    public const string Database = "silo";
    public const string MemoryDatabase = "silo_memory";

    /// <summary>Where the manual business clock of every benchmark silo starts: move-in dates follow it, round after round.</summary>
    public static readonly DateTimeOffset ClockStart = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Queue<string[]> _premises = new();
    private SiloProcess? _silo;
    private SiloApi? _api;
    private AlertLatency? _alerts;
    private Activations? _activations;
    private SiloProfiler? _profiler;
    private DateOnly _today = DateOnly.FromDateTime(ClockStart.UtcDateTime);
    private readonly MoveInCommits _commits = new(stats, Database);
    private IReadOnlyList<MoveInResult> _lastMoveIns = [];

    private bool MoveInsOn => options.Runs("moveins") || options.Runs("activations");

    private int SteadyDays => options.SteadySeconds * options.SteadySteps;

    private int MoveInsPerSteadyDay => options.SteadyRate / options.SteadySteps / 2;

    public int? SiloPid => _silo?.Pid;

    /// <summary>Starts the silo, makes the premises every round moves customers into, and connects the dashboards.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!MoveInsOn && !options.Runs("alerts"))
        {
            return;
        }

        await server.CreateDatabaseAsync(Database, cancellationToken);
        if (options.Profile)
        {
            _profiler = await SiloProfiler.CreateAsync(server, Database, progress, cancellationToken);
        }

        progress($"starting the silo (Release build, separate process) on database '{Database}'");
        // --profile: the runtime writes /tmp/perf-<pid>.map so that perf can name JIT-compiled methods, and keeps JIT
        // code in ordinary memory (without W^X double mapping perf would see only "memfd:doublemapper").
        var environment = options.Profile
            ? new Dictionary<string, string> { ["DOTNET_PerfMapEnabled"] = "1", ["DOTNET_EnableWriteXorExecute"] = "0" }
            : null;
        _silo = await SiloProcess.StartAsync("main", server.ConnectionString(Database), ClockStart, environment, extraSettings: null, cancellationToken);
        cpu.SiloPids = [_silo.Pid];
        _api = await SiloApi.SignInAsync(_silo.Address, cancellationToken);
        _activations = new Activations(server.ConnectionString(Database, pooling: false));
        if (MoveInsOn)
        {
            var idle = await _commits.MeasureIdleAsync(options.IdleWindow, cancellationToken);
            samples[Phases.MoveIns].Add(Phases.IdleCommitsPerSecond, idle);
            progress($"  the idle silo commits {idle:F1} times a second (lease renewals, polls)");
        }

        if (MoveInsOn)
        {
            var perRound = options.MoveIns + (SteadyDays * MoveInsPerSteadyDay);
            progress($"creating {perRound * options.Rounds:N0} premises ({perRound:N0} per round), {options.SetupConcurrency} requests at a time");
            var started = Stopwatch.GetTimestamp();
            for (var round = 1; round <= options.Rounds; round++)
            {
                _premises.Enqueue(await MoveIns.CreatePremisesAsync(_api, $"r{round}", perRound, options.SetupConcurrency, cancellationToken));
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            progress($"  {perRound * options.Rounds / seconds:N0} premises/s");
        }

        if (MoveInsOn)
        {
            await WarmUpAsync(cancellationToken);
        }

        if (options.Runs("alerts"))
        {
            progress($"connecting {options.AlertClients} dashboards to /hubs/alerts, watching {options.AlertAccounts} accounts");
            _alerts = await AlertLatency.StartAsync(_api, options.AlertAccounts, options.AlertClients, cancellationToken);

            // Unmeasured: the change path's first requests run in tier-0 code.
            await _alerts.RunAsync(_api, options.AlertRate, TimeSpan.FromSeconds(2), cpu, cancellationToken);
        }

        stats.PooledWorkEnded(Database);
    }

    /// <summary>
    /// A fresh silo runs its first requests in tier-0 code while the JIT compiles the hot methods again (twice, with
    /// dynamic PGO): unmeasured move-ins, in batches until the silo's tiered-compilation thread was nearly idle through
    /// two batches in a row (or the batches run out), and a clock move that activates their SAs let it finish before
    /// the first round. A production silo runs for days; the rounds measure it in that state.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        const int perBatch = 500;
        const double quietShare = 0.05;
        const int quietBatches = 2;
        const string jitThread = ".NET Tiered Com";
        var maxBatches = options.Quick ? 4 : 24;
        var api = _api!;
        var day = _today.AddDays(1);
        var pid = _silo!.Pid;
        progress($"warming the silo up: move-ins in batches of {perBatch} until its JIT thread is under {quietShare:P0} busy through {quietBatches} in a row " +
            $"({maxBatches} at most), then the activation of their SAs");
        var batches = 0;
        for (var quiet = 0; quiet < quietBatches && batches < maxBatches; batches++)
        {
            var premises = await MoveIns.CreatePremisesAsync(api, $"warm-up{batches}", perBatch, options.SetupConcurrency, cancellationToken);
            var plan = premises.Select(p => new MoveInPlan(p, day)).ToList();
            var jitBefore = CpuSampler.ThreadTicks(pid, jitThread);
            var started = Stopwatch.GetTimestamp();
            var run = await MoveIns.RunAsync([api], $"warm-up{batches}", plan, options.Clients, TimeSpan.Zero, cpu, cancellationToken);
            var share = CpuSampler.ThreadSecondsBetween(jitBefore, CpuSampler.ThreadTicks(pid, jitThread)) / Stopwatch.GetElapsedTime(started).TotalSeconds;
            quiet = share < quietShare ? quiet + 1 : 0;
            progress($"  batch {batches + 1}: the JIT thread was {share:P0} busy");
            run.ReportFailures(progress);
        }

        if (batches == maxBatches)
        {
            progress($"  warning: the JIT thread was still busy after {maxBatches} batches; the first round may measure it");
        }

        await api.MoveClockAsync(Activations.Midnight(day), cancellationToken);
        progress($"  {batches * perBatch:N0} move-ins and the activation of their {2 * batches * perBatch:N0} SAs");
        _today = day;
    }

    /// <summary>One round's move-ins; answers their rate, or null when the phase is skipped.</summary>
    public async Task<double?> MeasureMoveInsAsync(int round, double baselineTps, CancellationToken cancellationToken)
    {
        if (!MoveInsOn)
        {
            return null;
        }

        var api = _api!;
        var premises = _premises.Dequeue();
        var burstDay = _today.AddDays(2);
        var plan = new List<MoveInPlan>(premises.Length);
        for (var i = 0; i < options.MoveIns; i++)
        {
            plan.Add(new MoveInPlan(premises[i], burstDay));
        }

        for (var day = 0; day < SteadyDays; day++)
        {
            for (var j = 0; j < MoveInsPerSteadyDay; j++)
            {
                plan.Add(new MoveInPlan(premises[options.MoveIns + (day * MoveInsPerSteadyDay) + j], burstDay.AddDays(1 + day)));
            }
        }

        if (_profiler is not null)
        {
            await _profiler.BeginAsync("moveins", _silo!.Pid, TimeSpan.FromSeconds(options.PhaseSeconds), cancellationToken);
        }

        await _commits.BeginPhaseAsync(cancellationToken);

        var run = await MoveIns.RunAsync([api], $"r{round}", plan, options.Clients, TimeSpan.FromSeconds(options.RampSeconds), cpu, cancellationToken);
        _commits.EndPhase(run.Elapsed.TotalSeconds, run.Completed.Count);
        _lastMoveIns = run.Completed;

        run.AddTo(samples[Phases.MoveIns], baselineTps);
        progress($"round {round}/{options.Rounds}: move-ins {run.PerSecond:N0}/s with {options.Clients} clients ({run.PerSecond / baselineTps:F3}x pgbench), " +
            $"{run.Completed.Count:N0} in {run.Elapsed.TotalSeconds:F1} s");
        run.ReportFailures(progress);

        return run.PerSecond;
    }

    /// <summary>
    /// Store commits per move-in (see <see cref="MoveInCommits"/>). Called after other phases, so the wait for
    /// PostgreSQL's counts costs nothing.
    /// </summary>
    public async Task FinishMoveInCommitsAsync(CancellationToken cancellationToken)
    {
        if (await _commits.FinishAsync(cancellationToken) is not { } perMoveIn)
        {
            return;
        }

        samples[Phases.MoveIns].Add(Phases.StoreCommitsPerOp, perMoveIn);
        progress($"  {perMoveIn:F2} store commits per move-in");
        if (_profiler is not null)
        {
            await _profiler.EndAsync("moveins", _lastMoveIns.Count, "move-in", cancellationToken);
        }
    }

    /// <summary>
    /// The last move-ins' three requests as reads (<see cref="MoveInReads"/>). After their commit count is read: with the
    /// reads inside the count's window, pg_stat_database counted 4.6 transactions per move-in instead of 2.7.
    /// </summary>
    public async Task MeasureMoveInReadsAsync(int round, double baselineTps, CancellationToken cancellationToken)
    {
        if (!options.Runs("moveins") || _lastMoveIns.Count == 0)
        {
            return;
        }

        var reads = await MoveInReads.MeasureAsync(
            _api!, _lastMoveIns, options.Clients, TimeSpan.FromSeconds(options.RampSeconds), TimeSpan.FromSeconds(options.PhaseSeconds), cpu, samples[Phases.MoveInReads], baselineTps, cancellationToken);
        progress($"round {round}/{options.Rounds}: the move-ins' three requests as reads {reads:N0}/s ({reads / baselineTps:F3}x pgbench)");
    }

    /// <summary>One round's activation burst and steady activations; answers the burst's rate, or null when skipped.</summary>
    public async Task<double?> MeasureActivationsAsync(int round, double baselineTps, CancellationToken cancellationToken)
    {
        if (!options.Runs("activations") || _lastMoveIns.Count == 0)
        {
            return null;
        }

        var api = _api!;
        var burstDay = _today.AddDays(2);
        var byDay = _lastMoveIns
            .GroupBy(m => m.StartDate)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.SelectMany(m => m.ServiceAgreementIds)]);
        var burstSas = byDay.GetValueOrDefault(burstDay) ?? [];

        if (_profiler is not null)
        {
            await _profiler.BeginAsync("activations", _silo!.Pid, TimeSpan.FromSeconds(options.PhaseSeconds), cancellationToken);
        }

        var burst = await _activations!.BurstAsync(api, Activations.Midnight(burstDay), burstSas, cpu, cancellationToken);
        if (_profiler is not null)
        {
            await _profiler.EndAsync("activations", burst.Activated, "activation", cancellationToken);
        }

        var phase = samples[Phases.ActivationBurst];
        phase.Add(Phases.PerSecond, burst.PerSecond);
        phase.Add(Phases.Ratio, burst.PerSecond / baselineTps);
        phase.Add(Phases.LagP50Ms, Percentiles.Of(burst.LagsMs, 50));
        phase.Add(Phases.LagP99Ms, Percentiles.Of(burst.LagsMs, 99));
        phase.Add(Phases.LagMaxMs, burst.LagsMs.Length > 0 ? burst.LagsMs.Max() : double.NaN);
        phase.Add(Phases.Failed, burst.Due - burst.Activated);
        phase.Add(Phases.ClockMoveMs, burst.ClockMoveTook.TotalMilliseconds);
        BenchmarkRun.AddCpu(phase, burst.Usage, burst.PerSecond);
        progress($"round {round}/{options.Rounds}: activations {burst.PerSecond:N0}/s ({burst.PerSecond / baselineTps:F3}x pgbench), {burst.Activated:N0} of {burst.Due:N0}, " +
            $"lag p50 {Percentiles.Of(burst.LagsMs, 50):N0} ms, p99 {Percentiles.Of(burst.LagsMs, 99):N0} ms; the clock move answered settled={burst.Settled} after {burst.ClockMoveTook.TotalSeconds:F1} s");

        if (_profiler is not null)
        {
            await _profiler.BeginAsync("steady", _silo!.Pid, TimeSpan.FromSeconds(options.SteadySeconds), cancellationToken);
        }

        var steady = await _activations.SteadyAsync(
            api, burstDay.AddDays(1), SteadyDays, TimeSpan.FromSeconds(1.0 / options.SteadySteps), byDay, cpu, cancellationToken);
        if (_profiler is not null)
        {
            await _profiler.EndAsync("steady", steady.Activated, "activation", cancellationToken);
        }

        var steadyPhase = samples[Phases.ActivationSteady];
        steadyPhase.Add(Phases.DuePerSecond, steady.DuePerSecond);
        steadyPhase.Add(Phases.LagP50Ms, Percentiles.Of(steady.LagsMs, 50));
        steadyPhase.Add(Phases.LagP99Ms, Percentiles.Of(steady.LagsMs, 99));
        steadyPhase.Add(Phases.LagMaxMs, steady.LagsMs.Length > 0 ? steady.LagsMs.Max() : double.NaN);
        steadyPhase.Add(Phases.StepLateMs, steady.StepLateMsMax);
        steadyPhase.Add(Phases.Failed, steady.Due - steady.Activated);
        BenchmarkRun.AddCpu(steadyPhase, steady.Usage, steady.DuePerSecond);
        progress($"round {round}/{options.Rounds}: steady activations at {steady.DuePerSecond:N0} due/s: lag p50 {Percentiles.Of(steady.LagsMs, 50):N0} ms, " +
            $"p99 {Percentiles.Of(steady.LagsMs, 99):N0} ms, {steady.Activated:N0} of {steady.Due:N0}");
        _today = burstDay.AddDays(SteadyDays);
        stats.PooledWorkEnded(Database);
        return burst.PerSecond;
    }

    public async Task MeasureAlertsAsync(int round, CancellationToken cancellationToken)
    {
        if (_alerts is null)
        {
            return;
        }

        var run = await _alerts.RunAsync(_api!, options.AlertRate, TimeSpan.FromSeconds(options.PhaseSeconds), cpu, cancellationToken);
        stats.PooledWorkEnded(Database);
        var phase = samples[Phases.Alerts];
        phase.Add(Phases.LatencyMs, Percentiles.Of(run.LatenciesMs, 50));
        phase.Add(Phases.LatencyP99Ms, Percentiles.Of(run.LatenciesMs, 99));
        phase.Add(Phases.LatencyMaxMs, run.LatenciesMs.Length > 0 ? run.LatenciesMs.Max() : double.NaN);
        phase.Add(Phases.Lost, run.Lost);
        phase.Add(Phases.Late, run.Late);
        phase.Add(Phases.Expected, run.Expected);
        phase.Add(Phases.ChangesPerSecond, run.ChangesPerSecond);
        phase.Add(Phases.MessagesPerSecond, run.ChangesPerSecond * _alerts.Clients / _alerts.Accounts);
        phase.Add(Phases.CallMs, Percentiles.Of(run.CallMs, 50));
        BenchmarkRun.AddCpu(phase, run.Usage, run.ChangesPerSecond);
        progress($"round {round}/{options.Rounds}: alerts to {_alerts.Clients} clients: p50 {Percentiles.Of(run.LatenciesMs, 50):N1} ms, p99 {Percentiles.Of(run.LatenciesMs, 99):N1} ms, " +
            $"{run.Received:N0} of {run.Expected:N0} received, {run.Lost} lost, {run.ChangesPerSecond:N0} changes/s");
    }

    /// <summary>The memory figure, on a silo of its own (the benchmark silo is stopped first so it takes no CPU).</summary>
    public async Task MeasureMemoryAsync(CancellationToken cancellationToken)
    {
        if (!options.Runs("memory"))
        {
            return;
        }

        await StopMainSiloAsync();
        await server.CreateDatabaseAsync(MemoryDatabase, cancellationToken);
        var connectionString = server.ConnectionString(MemoryDatabase);
        string[] persons;
        progress($"memory: creating {options.MemoryGrains:N0} persons through the API");
        await using (var loader = await SiloProcess.StartAsync("memory-load", connectionString, ClockStart, null, null, cancellationToken))
        {
            using var api = await SiloApi.SignInAsync(loader.Address, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            persons = await MemoryFootprint.CreatePersonsAsync(api, options.MemoryGrains, options.SetupConcurrency, cancellationToken);
            progress($"  {persons.Length / Stopwatch.GetElapsedTime(started).TotalSeconds:N0} persons/s");
        }

        var phase = samples[Phases.Memory];
        for (var round = 1; round <= options.MemoryRounds; round++)
        {
            await using var silo = await SiloProcess.StartAsync("memory", connectionString, ClockStart, null, null, cancellationToken);
            using var api = await SiloApi.SignInAsync(silo.Address, cancellationToken);
            var run = await MemoryFootprint.MeasureAsync(silo, api, persons, ClockStart, options.SetupConcurrency, cancellationToken);
            phase.Add(Phases.BytesPerGrain, run.BytesPerGrain);
            phase.Add(Phases.ManagedBytesPerGrain, run.ManagedBytesPerGrain);
            phase.Add(Phases.RssBeforeMiB, run.Before.Resident / 1048576.0);
            phase.Add(Phases.RssAfterMiB, run.After.Resident / 1048576.0);
            phase.Add(Phases.HeapBeforeMiB, run.Before.Managed / 1048576.0);
            phase.Add(Phases.HeapAfterMiB, run.After.Managed / 1048576.0);
            phase.Add(Phases.RssUnsettledMiB, run.ResidentAfterBeforeGc / 1048576.0);
            phase.Add(Phases.PerSecond, run.ActivationsPerSecond);
            progress($"memory {round}/{options.MemoryRounds}: {run.BytesPerGrain:N0} bytes per active grain, {run.ManagedBytesPerGrain:N0} of them managed heap " +
                $"(RSS {run.Before.Resident / 1048576.0:N0} -> {run.After.Resident / 1048576.0:N0} MiB for {run.Grains:N0} grains, {run.ResidentAfterBeforeGc / 1048576.0:N0} MiB " +
                $"before the induced GCs; heap {run.Before.Managed / 1048576.0:N0} -> {run.After.Managed / 1048576.0:N0} MiB; read at {run.ActivationsPerSecond:N0}/s)");
        }
    }

    public async ValueTask DisposeAsync() => await StopMainSiloAsync();

    /// <summary>For exits that skip the normal clean-up.</summary>
    public void Kill() => _silo?.Kill();

    private async Task StopMainSiloAsync()
    {
        if (_alerts is not null)
        {
            await _alerts.DisposeAsync();
            _alerts = null;
        }

        _api?.Dispose();
        _api = null;
        if (_silo is not null)
        {
            cpu.SiloPids = [];
            await _silo.DisposeAsync();
            _silo = null;
        }
    }
}
