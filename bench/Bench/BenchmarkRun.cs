using System.Globalization;
using Actors.Runtime.Storage.Postgres;
using Actors.Runtime.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actors.Bench;

/// <summary>The phases whose figures a run reports, and the metric names each records per round.</summary>
internal static class Phases
{
    public const string Pgbench = "pgbench";
    public const string PgbenchReference = "pgbenchReference";
    public const string GrainWrites = "grainWrites";
    public const string GrainWritesManyCallers = "grainWritesManyCallers";
    public const string GrainCalls = "grainCalls";
    public const string MoveIns = "moveIns";
    public const string MoveInReads = "moveInReads";
    public const string MoveInsCluster = "moveInsCluster";
    public const string ActivationBurst = "activationBurst";
    public const string ActivationSteady = "activationSteady";
    public const string Alerts = "alerts";
    public const string Memory = "memory";

    public const string PerSecond = "perSecond";
    public const string Ratio = "ratioToPgbench";
    public const string RatioToReference = "ratioToReferencePgbench";
    public const string RelativeToOneSilo = "ratioToOneSilo";
    public const string PostgresCeilingPerSecond = "postgresCeilingPerSecond";
    public const string PostgresCeilingRatio = "postgresCeilingRatioToPgbench";
    public const string StoreCommitsPerOp = "storeCommitsPerOp";
    public const string LatencyMs = "latencyMs";
    public const string CommitsPerBatch = "runtimeCommitsPerBatch";
    public const string StoreTransactionMs = "runtimeStoreTransactionMs";
    public const string WalFlushesPerOp = "walFlushesPerOp";
    public const string WalFlushMs = "walFlushMs";
    public const string WalBytesPerOp = "walBytesPerOp";
    public const string MachineCores = "machineBusyCores";
    public const string IoWaitCores = "ioWaitCores";
    public const string PostgresCores = "postgresCores";
    public const string BenchCores = "benchProcessCores";
    public const string PgbenchCores = "pgbenchCores";
    public const string OtherCores = "otherProcessesCores";
    public const string PostgresCpuUsPerOp = "postgresCpuMicrosPerOp";
    public const string BenchCpuUsPerOp = "benchCpuMicrosPerOp";
    public const string AllocatedBytesPerOp = "allocatedBytesPerOp";
    public const string ThreadPoolItemsPerOp = "threadPoolWorkItemsPerOp";
    public const string Gen0PerSecond = "gen0CollectionsPerSecond";
    public const string Gen2PerSecond = "gen2CollectionsPerSecond";
    public const string LockContentionsPerSecond = "lockContentionsPerSecond";
    public const string Failed = "failedOps";
    public const string LatencyP99Ms = "latencyP99Ms";
    public const string LatencyMaxMs = "latencyMaxMs";
    public const string LagP50Ms = "lagP50Ms";
    public const string LagP99Ms = "lagP99Ms";
    public const string LagMaxMs = "lagMaxMs";
    public const string DuePerSecond = "duePerSecond";
    public const string StepLateMs = "stepLateMsMax";
    public const string ClockMoveMs = "clockMoveMs";
    public const string Lost = "lost";
    public const string Late = "lateOrUnmatched";
    public const string Expected = "expected";
    public const string ChangesPerSecond = "changesPerSecond";
    public const string MessagesPerSecond = "messagesPerSecond";
    public const string CallMs = "apiCallMs";
    public const string BytesPerGrain = "bytesPerGrain";
    public const string RssBeforeMiB = "rssBeforeMiB";
    public const string RssAfterMiB = "rssAfterMiB";
    public const string RssUnsettledMiB = "rssBeforeInducedGcMiB";
    public const string ManagedBytesPerGrain = "managedHeapBytesPerGrain";
    public const string HeapBeforeMiB = "managedHeapBeforeMiB";
    public const string HeapAfterMiB = "managedHeapAfterMiB";
    public const string SiloCores = "siloCores";
    public const string SiloCpuUsPerOp = "siloCpuMicrosPerOp";
    public const string IdleCommitsPerSecond = "siloIdleCommitsPerSecond";
}

/// <summary>
/// One benchmark run: one PostgreSQL server, the pgbench baseline and the runtime's figures measured in rounds, each
/// round running every phase once in the same order, so that a ratio compares figures taken seconds apart
/// and machine noise hits every figure alike.
/// </summary>
internal sealed class BenchmarkRun(BenchOptions options, Action<string> progress)
{
    private const string WritesDatabase = "grains_writes";
    private const string ManyWritesDatabase = "grains_writes_many";

    private readonly Dictionary<string, PhaseSamples> _samples = new(StringComparer.Ordinal)
    {
        [Phases.Pgbench] = new(),
        [Phases.PgbenchReference] = new(),
        [Phases.GrainWrites] = new(),
        [Phases.GrainWritesManyCallers] = new(),
        [Phases.GrainCalls] = new(),
        [Phases.MoveIns] = new(),
        [Phases.MoveInReads] = new(),
        [Phases.MoveInsCluster] = new(),
        [Phases.ActivationBurst] = new(),
        [Phases.ActivationSteady] = new(),
        [Phases.Alerts] = new(),
        [Phases.Memory] = new(),
    };

    private PostgresInstance? _server;
    // RunOnServerAsync owns the silos and stops them; EmergencyStop only kills them.
    private Action? _killSilos;
    private string? _sqliteDirectory;

    public IReadOnlyDictionary<string, PhaseSamples> Samples => _samples;

    public string PostgresVersion { get; private set; } = "unknown";

    public string PgbenchVersion { get; private set; } = "unknown";

    public string PgbenchCommand { get; private set; } = string.Empty;

    /// <summary>Stops the server if it runs and removes the temporary folders; for exits that skip the normal clean-up.</summary>
    public void EmergencyStop()
    {
        _killSilos?.Invoke();
        _server?.Stop();
        DeleteSqliteDirectory();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.CallsOnly)
        {
            await RunCallsOnlyAsync(cancellationToken);
            return;
        }

        var pgbenchPath = PgBench.Find() ?? throw new BenchSetupException(
            $"pgbench was not found in {PostgresInstance.BinDirectory} nor on PATH. It ships with the PostgreSQL server packages: " +
            "'apt-get install -y postgresql-15' (or 'postgresql-contrib' on older releases).");
        progress("starting PostgreSQL 15 (initdb into a temporary folder)");
        _server = await PostgresInstance.StartAsync(options.Profile ? PostgresInstance.ProfileSettings : [], cancellationToken);
        if (options.Profile)
        {
            Directory.CreateDirectory(Path.Combine("bench", "out"));
            _server.KeepLogAt(Path.Combine("bench", "out", "postgres-profile.log"));
        }

        _sqliteDirectory = Directory.CreateTempSubdirectory("actors-bench-sqlite-").FullName;
        try
        {
            await RunOnServerAsync(_server, new PgBench(pgbenchPath, _server.Port, PgBench.Database), _sqliteDirectory, cancellationToken);
        }
        finally
        {
            // For investigating a run by hand: BENCH_HOLD_SECONDS keeps PostgreSQL up that long after the run.
            if (int.TryParse(Environment.GetEnvironmentVariable("BENCH_HOLD_SECONDS"), CultureInfo.InvariantCulture, out var hold) && hold > 0)
            {
                progress($"holding PostgreSQL for {hold} s: {_server.ConnectionString("silo", pooling: false)}");
                await Task.Delay(TimeSpan.FromSeconds(hold), CancellationToken.None);
            }

            progress("stopping PostgreSQL and removing its folder");
            _server.Stop();
            DeleteSqliteDirectory();
        }
    }

    private void DeleteSqliteDirectory()
    {
        if (Interlocked.Exchange(ref _sqliteDirectory, null) is { } directory)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A store file still open by a node that is being torn down; the OS temp cleaner takes it.
            }
        }
    }

    private async Task RunOnServerAsync(PostgresInstance server, PgBench pgbench, string sqliteDirectory, CancellationToken cancellationToken)
    {
        PostgresVersion = await server.QueryScalarAsync<string>("SHOW server_version", cancellationToken);
        PgbenchVersion = await pgbench.VersionAsync(cancellationToken);
        PgbenchCommand = string.Join(' ', pgbench.RunCommandLine(options.Clients, options.PgbenchThreads, options.PhaseSeconds).Skip(1).Prepend("pgbench"));
        foreach (var database in new[] { PgBench.Database, WritesDatabase, ManyWritesDatabase })
        {
            await server.CreateDatabaseAsync(database, cancellationToken);
        }

        progress($"pgbench -i -s {options.PgbenchScale}");
        await pgbench.InitializeAsync(options.PgbenchScale, cancellationToken);

        var stats = new ServerStats(server);
        var cpu = new CpuSampler(server.PostmasterPid);
        using var meters = new RuntimeMeters();
        var runWrites = options.Runs("writes");
        var runCalls = options.Runs("calls");
        progress("starting the in-process runtime nodes (PostgreSQL x2, SQLite)");
        await using var writesNode = runWrites ? await StartPostgresNodeAsync(server, WritesDatabase, cancellationToken) : null;
        await using var manyWritesNode = runWrites ? await StartPostgresNodeAsync(server, ManyWritesDatabase, cancellationToken) : null;
        await using var callsNode = runCalls
            ? await BenchNode.StartAsync(
                "calls",
                sp => new SqliteStorageProvider(Path.Combine(sqliteDirectory, "store.db"), sp.GetService<ILogger<SqliteStorageProvider>>()),
                cancellationToken)
            : null;

        var writers = writesNode is null ? [] : Enumerable.Range(0, options.WriteGrains)
            .Select(i => writesNode.Grains.GetGrain<IBenchCounterGrain>("counter-" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        var manyWriters = manyWritesNode is null ? [] : Enumerable.Range(0, options.WriteGrains)
            .Select(i => manyWritesNode.Grains.GetGrain<IBenchCounterGrain>("counter-" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        var pingers = callsNode is null ? [] : Enumerable.Range(0, options.CallGrains)
            .Select(i => callsNode.Grains.GetGrain<IPingGrain>("ping-" + i.ToString(CultureInfo.InvariantCulture))).ToArray();

        // Every grain is activated and its row written once before measuring: a measured write is an UPDATE of an
        // existing row by a live activation, as a pgbench -N transaction updates an existing account.
        progress($"activating and writing {writers.Length:N0} grains on each PostgreSQL node, activating {pingers.Length:N0} on SQLite");
        await Task.WhenAll(
            WarmUpAsync(writers, g => g.IncrementAsync(), cancellationToken),
            WarmUpAsync(manyWriters, g => g.IncrementAsync(), cancellationToken),
            WarmUpAsync(pingers, g => g.PingAsync(0), cancellationToken));
        stats.PooledWorkEnded(WritesDatabase);
        stats.PooledWorkEnded(ManyWritesDatabase);

        await using var silo = new SiloBenchmarks(options, server, stats, cpu, _samples, progress);
        await using var cluster = new ClusterMoveIns(options, server, stats, _samples, progress);
        _killSilos = () =>
        {
            silo.Kill();
            cluster.Kill();
        };
        // Independent silos on their own databases: their start-ups (idle counts, premises, warm-ups) overlap.
        await Task.WhenAll(silo.StartAsync(cancellationToken), cluster.StartAsync(cancellationToken));
        await server.ExecuteAsync("CHECKPOINT", cancellationToken);

        // The order inside a round lets PostgreSQL publish each database's commit count (11 s after its last work)
        // while other phases run: the silo's move-ins are read after the in-process phases that follow them.
        var pendingWrites = new Dictionary<string, (long CommitsBefore, long Writes)>(StringComparer.Ordinal);
        for (var round = 1; round <= options.Rounds; round++)
        {
            var tps = await MeasurePgbenchAsync(Phases.Pgbench, pgbench, options.Clients, stats, cpu, cancellationToken);
            progress($"round {round}/{options.Rounds}: pgbench {tps:N0} tps with {options.Clients} clients");
            var referenceTps = await MeasurePgbenchAsync(Phases.PgbenchReference, pgbench, options.ReferenceClients, stats, cpu, cancellationToken);
            progress($"round {round}/{options.Rounds}: pgbench {referenceTps:N0} tps with {options.ReferenceClients} clients (reference)");

            if (runWrites)
            {
                var writes = await MeasureWritesAsync(Phases.GrainWrites, WritesDatabase, writers, options.ReferenceClients, referenceTps, stats, cpu, meters, pendingWrites, cancellationToken);
                progress($"round {round}/{options.Rounds}: grain writes {writes:N0}/s with {options.ReferenceClients} callers ({writes / referenceTps:F2}x pgbench with as many clients)");
            }

            var oneSilo = await silo.MeasureMoveInsAsync(round, tps, cancellationToken);
            AddRatioToReference(Phases.MoveIns, oneSilo, referenceTps);

            if (runWrites)
            {
                var manyWrites = await MeasureWritesAsync(Phases.GrainWritesManyCallers, ManyWritesDatabase, manyWriters, options.ManyWriteCallers, tps, stats, cpu, meters, pendingWrites, cancellationToken);
                progress($"round {round}/{options.Rounds}: grain writes {manyWrites:N0}/s with {options.ManyWriteCallers} callers ({manyWrites / tps:F2}x pgbench)");
            }

            if (runCalls)
            {
                var calls = await MeasureCallsAsync(pingers, cpu, cancellationToken);
                progress($"round {round}/{options.Rounds}: grain calls {calls:N0}/s with {options.CallCallers} callers");
            }

            await silo.FinishMoveInCommitsAsync(cancellationToken);
            await silo.MeasureMoveInReadsAsync(round, tps, cancellationToken);
            await cluster.MeasureAsync(round, tps, oneSilo, cancellationToken);
            AddRatioToReference(Phases.ActivationBurst, await silo.MeasureActivationsAsync(round, tps, cancellationToken), referenceTps);
            await silo.MeasureAlertsAsync(round, cancellationToken);
            await cluster.FinishCommitsAsync(cancellationToken);
        }

        await cluster.DisposeAsync();

        if (runWrites)
        {
            progress("waiting for PostgreSQL to publish the last commit counts (up to 11 s)");
            foreach (var (phase, database) in new[] { (Phases.GrainWrites, WritesDatabase), (Phases.GrainWritesManyCallers, ManyWritesDatabase) })
            {
                var commits = await stats.ReadCommitsAsync(database, cancellationToken);
                var pending = pendingWrites[phase];
                _samples[phase].Add(Phases.StoreCommitsPerOp, (double)(commits - pending.CommitsBefore) / pending.Writes);
            }
        }

        await silo.MeasureMemoryAsync(cancellationToken);
        progress("stopping the silo and the nodes");
    }

    private async Task RunCallsOnlyAsync(CancellationToken cancellationToken)
    {
        var sqliteDirectory = _sqliteDirectory = Directory.CreateTempSubdirectory("actors-bench-sqlite-").FullName;
        try
        {
            await using var callsNode = await BenchNode.StartAsync(
                "calls",
                sp => new SqliteStorageProvider(Path.Combine(sqliteDirectory, "store.db"), sp.GetService<ILogger<SqliteStorageProvider>>()),
                cancellationToken);
            var pingers = Enumerable.Range(0, options.CallGrains)
                .Select(i => callsNode.Grains.GetGrain<IPingGrain>("ping-" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
            await WarmUpAsync(pingers, g => g.PingAsync(0), cancellationToken);
            using var allocations = options.AllocationProfile ? new AllocationProfile() : null;
            for (var round = 1; round <= options.Rounds; round++)
            {
                var calls = await MeasureCallsAsync(pingers, cpu: null, cancellationToken);
                progress($"round {round}/{options.Rounds}: grain calls {calls:N0}/s with {options.CallCallers} callers");
            }

            foreach (var (type, share) in allocations?.Top(25) ?? [])
            {
                progress($"  allocated {share,6:P1}  {type}");
            }
        }
        finally
        {
            DeleteSqliteDirectory();
        }
    }

    private static Task<BenchNode> StartPostgresNodeAsync(PostgresInstance server, string database, CancellationToken cancellationToken) =>
        BenchNode.StartAsync(
            database,
            sp => new PostgresStorageProvider(server.ConnectionString(database), sp.GetService<ILogger<PostgresStorageProvider>>()),
            cancellationToken);

    private static async Task WarmUpAsync<TGrain>(TGrain[] grains, Func<TGrain, Task> call, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(
            grains,
            new ParallelOptions { MaxDegreeOfParallelism = 128, CancellationToken = cancellationToken },
            async (grain, _) => await call(grain));

    /// <summary>A phase's rate of this round against the reference pgbench rate (pgbench at the reference client count).</summary>
    private void AddRatioToReference(string phase, double? perSecond, double referenceTps)
    {
        if (perSecond is { } rate)
        {
            _samples[phase].Add(Phases.RatioToReference, rate / referenceTps);
        }
    }

    private async Task<double> MeasurePgbenchAsync(string phase, PgBench pgbench, int clients, ServerStats stats, CpuSampler cpu, CancellationToken cancellationToken)
    {
        var samples = _samples[phase];
        var commitsBefore = await stats.ReadCommitsAsync(PgBench.Database, cancellationToken);
        var walBefore = await stats.ReadWalAsync(cancellationToken);
        var walPositionBefore = await stats.ReadWalPositionAsync(cancellationToken);
        var pid = 0;
        var run = pgbench.RunAsync(clients, options.PgbenchThreads, options.PhaseSeconds, p => Volatile.Write(ref pid, p), cancellationToken);

        // CPU is sampled inside pgbench's -T window, away from its connection set-up and its exit.
        var margin = TimeSpan.FromSeconds(Math.Min(0.5, options.PhaseSeconds / 4.0));
        await Task.Delay(margin, cancellationToken);
        var cpuStart = CpuSampler.Take(cpu, Volatile.Read(ref pid));
        await Task.Delay(TimeSpan.FromSeconds(options.PhaseSeconds) - (2 * margin), cancellationToken);
        var cpuEnd = CpuSampler.Take(cpu, Volatile.Read(ref pid));
        var result = await run;

        await stats.WaitForNoBackendsAsync(PgBench.Database, cancellationToken);
        var commitsAfter = await stats.ReadCommitsAsync(PgBench.Database, cancellationToken);
        var walAfter = await stats.ReadWalAsync(cancellationToken);
        var walPositionAfter = await stats.ReadWalPositionAsync(cancellationToken);
        var transactions = Math.Max(1, result.Transactions);
        var flushes = walAfter.Syncs - walBefore.Syncs;

        samples.Add(Phases.PerSecond, result.Tps);
        samples.Add(Phases.LatencyMs, result.LatencyMs);
        samples.Add(Phases.StoreCommitsPerOp, (double)(commitsAfter - commitsBefore) / transactions);
        samples.Add(Phases.WalFlushesPerOp, (double)flushes / transactions);
        samples.Add(Phases.WalFlushMs, flushes > 0 ? (walAfter.SyncMs - walBefore.SyncMs) / flushes : double.NaN);
        samples.Add(Phases.WalBytesPerOp, (double)(walPositionAfter - walPositionBefore) / transactions);
        samples.Add(Phases.Failed, result.Failed);
        AddCpu(samples, CpuSampler.Between(cpuStart, cpuEnd), result.Tps);
        return result.Tps;
    }

    private async Task<double> MeasureWritesAsync(
        string phase,
        string database,
        IBenchCounterGrain[] grains,
        int callers,
        double baselineTps,
        ServerStats stats,
        CpuSampler cpu,
        RuntimeMeters meters,
        Dictionary<string, (long CommitsBefore, long Writes)> pendingWrites,
        CancellationToken cancellationToken)
    {
        var samples = _samples[phase];

        // The settled count before this phase is also the one after this database's previous phase.
        var commitsBefore = await stats.ReadCommitsAsync(database, cancellationToken);
        if (pendingWrites.TryGetValue(phase, out var previous))
        {
            samples.Add(Phases.StoreCommitsPerOp, (double)(commitsBefore - previous.CommitsBefore) / previous.Writes);
        }

        // Caller c writes grains c, c + callers, c + 2 callers, ...: callers rarely meet on one grain, so a write
        // waits for the store, not behind another caller's write in the same mailbox.
        var group = CallerGroup.Start(callers, (caller, n) => grains[(int)((caller + (n * callers)) % grains.Length)].IncrementAsync(), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(options.RampSeconds), cancellationToken);
        var walStart = await stats.ReadWalPositionAsync(cancellationToken);
        var storeStart = meters.Take();
        var cpuStart = CpuSampler.Take(cpu);
        var countStart = group.Completed;
        await Task.Delay(TimeSpan.FromSeconds(options.PhaseSeconds), cancellationToken);
        var countEnd = group.Completed;
        var cpuEnd = CpuSampler.Take(cpu);
        var storeEnd = meters.Take();
        var walEnd = await stats.ReadWalPositionAsync(cancellationToken);
        await group.StopAsync();
        stats.PooledWorkEnded(database);
        pendingWrites[phase] = (commitsBefore, group.Completed);

        var usage = CpuSampler.Between(cpuStart, cpuEnd);
        var writes = countEnd - countStart;
        var perSecond = writes / usage.Seconds;
        samples.Add(Phases.PerSecond, perSecond);
        samples.Add(Phases.Ratio, perSecond / baselineTps);
        samples.Add(Phases.CommitsPerBatch, (double)(storeEnd.BatchedCommits - storeStart.BatchedCommits) / (storeEnd.Batches - storeStart.Batches));
        samples.Add(Phases.StoreTransactionMs, (storeEnd.CommitMicros - storeStart.CommitMicros) / 1000.0 / (storeEnd.Commits - storeStart.Commits));
        samples.Add(Phases.WalBytesPerOp, (double)(walEnd - walStart) / writes);
        samples.Add(Phases.Failed, group.Failed);
        AddCpu(samples, usage, perSecond);
        if (group.FirstFailure is { } failure)
        {
            progress($"  {group.Failed} writes failed; first: {failure}");
        }

        return perSecond;
    }

    private async Task<double> MeasureCallsAsync(IPingGrain[] grains, CpuSampler? cpu, CancellationToken cancellationToken)
    {
        var samples = _samples[Phases.GrainCalls];
        var callers = options.CallCallers;
        var group = CallerGroup.Start(callers, (caller, n) => grains[(int)((caller + (n * callers)) % grains.Length)].PingAsync(caller), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(options.RampSeconds), cancellationToken);
        var allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        var gen0Start = GC.CollectionCount(0);
        var gen2Start = GC.CollectionCount(2);
        var workItemsStart = ThreadPool.CompletedWorkItemCount;
        var contentionsStart = Monitor.LockContentionCount;
        var cpuStart = CpuSampler.Take(cpu);
        var countStart = group.Completed;
        await Task.Delay(TimeSpan.FromSeconds(options.PhaseSeconds), cancellationToken);
        var countEnd = group.Completed;
        var cpuEnd = CpuSampler.Take(cpu);
        var allocatedEnd = GC.GetTotalAllocatedBytes(precise: false);
        var gen0End = GC.CollectionCount(0);
        var gen2End = GC.CollectionCount(2);
        var workItemsEnd = ThreadPool.CompletedWorkItemCount;
        var contentionsEnd = Monitor.LockContentionCount;
        await group.StopAsync();

        var usage = CpuSampler.Between(cpuStart, cpuEnd);
        var calls = (double)(countEnd - countStart);
        var perSecond = calls / usage.Seconds;
        samples.Add(Phases.PerSecond, perSecond);
        samples.Add(Phases.AllocatedBytesPerOp, (allocatedEnd - allocatedStart) / calls);
        samples.Add(Phases.ThreadPoolItemsPerOp, (workItemsEnd - workItemsStart) / calls);
        samples.Add(Phases.Gen0PerSecond, (gen0End - gen0Start) / usage.Seconds);
        samples.Add(Phases.Gen2PerSecond, (gen2End - gen2Start) / usage.Seconds);
        samples.Add(Phases.LockContentionsPerSecond, (contentionsEnd - contentionsStart) / usage.Seconds);
        samples.Add(Phases.Failed, group.Failed);
        AddCpu(samples, usage, perSecond);
        if (group.FirstFailure is { } failure)
        {
            progress($"  {group.Failed} calls failed; first: {failure}");
        }

        return perSecond;
    }

    public static void AddCpu(PhaseSamples samples, CpuUsage usage, double opsPerSecond)
    {
        samples.Add(Phases.MachineCores, usage.Machine);
        samples.Add(Phases.IoWaitCores, usage.IoWait);
        samples.Add(Phases.PostgresCores, usage.Postgres);
        samples.Add(Phases.BenchCores, usage.Bench);
        samples.Add(Phases.PgbenchCores, usage.Pgbench);
        samples.Add(Phases.OtherCores, usage.Other);
        samples.Add(Phases.PostgresCpuUsPerOp, usage.Postgres / opsPerSecond * 1e6);
        samples.Add(Phases.BenchCpuUsPerOp, usage.Bench / opsPerSecond * 1e6);
        if (usage.Silo > 0)
        {
            samples.Add(Phases.SiloCores, usage.Silo);
            samples.Add(Phases.SiloCpuUsPerOp, usage.Silo / opsPerSecond * 1e6);
        }
    }
}
