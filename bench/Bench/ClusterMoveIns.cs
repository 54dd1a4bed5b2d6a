using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Actors.Bench;

/// <summary>
/// Move-ins over HTTP on a cluster: several silo processes (three by default) on one database of the benchmark's
/// PostgreSQL, each with its internal HTTP/2 address for forwarded grain calls, the partitions spread over them by
/// their leases. The move-in clients spread over the silos as behind a load balancer, so about two thirds of the grain
/// calls of a request go to another silo. Measured in the same round as the one-silo figure, so the two compare.
/// </summary>
internal sealed class ClusterMoveIns(
    BenchOptions options,
    PostgresInstance server,
    ServerStats stats,
    IReadOnlyDictionary<string, PhaseSamples> samples,
    Action<string> progress) : IAsyncDisposable
{
    public const string Database = "silo_cluster";

    /// <summary>Partitions of the runtime (Runtime:PartitionCount's default): all held, none beyond a fair share.</summary>
    private const int Partitions = 64;

    /// <summary>Every move-in starts service on one day after the clock, which never moves here: no SA activates.</summary>
    private static readonly DateOnly s_startDate = DateOnly.FromDateTime(SiloBenchmarks.ClockStart.UtcDateTime).AddDays(2);

    private readonly List<SiloProcess> _silos = [];
    private readonly List<SiloApi> _apis = [];
    private readonly Queue<string[]> _premises = new();
    private readonly MoveInCommits _commits = new(stats, Database);
    private readonly CpuSampler _cpu = new(server.PostmasterPid);

    private bool On => options.Runs("cluster");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!On)
        {
            return;
        }

        await server.CreateDatabaseAsync(Database, cancellationToken);
        progress($"starting a cluster of {options.ClusterSilos} silos (Release builds, separate processes) on database '{Database}'");
        for (var i = 0; i < options.ClusterSilos; i++)
        {
            var name = "cluster-" + i.ToString(CultureInfo.InvariantCulture);
            IEnumerable<string> cluster =
            [
                $"--Cluster:NodeName={name}",
                $"--Cluster:Address=http://127.0.0.1:{SiloProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture)}",
            ];
            var silo = await SiloProcess.StartAsync(name, server.ConnectionString(Database), SiloBenchmarks.ClockStart, environment: null, cluster, cancellationToken);
            _silos.Add(silo);
            _apis.Add(await SiloApi.SignInAsync(silo.Address, cancellationToken));
        }

        _cpu.SiloPids = [.. _silos.Select(s => s.Pid)];
        var spread = await WaitUntilBalancedAsync(cancellationToken);
        progress($"  partitions per silo: {string.Join(", ", spread.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        var idle = await _commits.MeasureIdleAsync(options.IdleWindow, cancellationToken);
        samples[Phases.MoveInsCluster].Add(Phases.IdleCommitsPerSecond, idle);
        progress($"  the idle silos commit {idle:F1} times a second (lease renewals, polls)");

        progress($"creating {options.ClusterMoveIns * options.Rounds:N0} premises on the cluster, {options.SetupConcurrency} requests at a time");
        for (var round = 1; round <= options.Rounds; round++)
        {
            _premises.Enqueue(await MoveIns.CreatePremisesAsync(_apis[round % _apis.Count], $"c{round}", options.ClusterMoveIns, options.SetupConcurrency, cancellationToken));
        }

        // As for the single silo: fresh processes run their first requests in tier-0 code.
        var warmUp = options.Quick ? 100 : 500;
        progress($"warming the cluster up: {warmUp} move-ins spread over its silos");
        var premises = await MoveIns.CreatePremisesAsync(_apis[0], "cluster-warm-up", warmUp, options.SetupConcurrency, cancellationToken);
        await MoveIns.RunAsync(_apis, "cluster-warm-up", [.. premises.Select(p => new MoveInPlan(p, s_startDate))], options.Clients, TimeSpan.Zero, _cpu, cancellationToken);
    }

    /// <summary>One round's move-ins on the cluster; <paramref name="oneSiloPerSecond"/> is the same round's one-silo rate, if measured.</summary>
    public async Task MeasureAsync(int round, double baselineTps, double? oneSiloPerSecond, CancellationToken cancellationToken)
    {
        if (!On)
        {
            return;
        }

        var phase = samples[Phases.MoveInsCluster];
        await _commits.BeginPhaseAsync(cancellationToken);

        var plan = _premises.Dequeue().Select(p => new MoveInPlan(p, s_startDate)).ToList();
        var run = await MoveIns.RunAsync(_apis, $"c{round}", plan, options.Clients, TimeSpan.FromSeconds(options.RampSeconds), _cpu, cancellationToken);
        _commits.EndPhase(run.Elapsed.TotalSeconds, run.Completed.Count);

        run.AddTo(phase, baselineTps);
        if (oneSiloPerSecond is { } one)
        {
            phase.Add(Phases.RelativeToOneSilo, run.PerSecond / one);
        }

        progress($"round {round}/{options.Rounds}: move-ins on {_silos.Count} silos {run.PerSecond:N0}/s with {options.Clients} clients ({run.PerSecond / baselineTps:F3}x pgbench" +
            $"{(oneSiloPerSecond is { } o ? $", {run.PerSecond / o:F2}x one silo" : string.Empty)}), {run.Completed.Count:N0} in {run.Elapsed.TotalSeconds:F1} s");
        run.ReportFailures(progress);
    }

    /// <summary>Commits per move-in of the last round (see <see cref="MoveInCommits"/>); called after other phases.</summary>
    public async Task FinishCommitsAsync(CancellationToken cancellationToken)
    {
        if (await _commits.FinishAsync(cancellationToken) is not { } perMoveIn)
        {
            return;
        }

        samples[Phases.MoveInsCluster].Add(Phases.StoreCommitsPerOp, perMoveIn);
        progress($"  {perMoveIn:F2} store commits per move-in on {_silos.Count} silos");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var api in _apis)
        {
            api.Dispose();
        }

        _apis.Clear();
        await Task.WhenAll(_silos.Select(s => s.DisposeAsync().AsTask()));
        _silos.Clear();
    }

    /// <summary>For exits that skip the normal clean-up.</summary>
    public void Kill()
    {
        foreach (var silo in _silos)
        {
            silo.Kill();
        }
    }

    /// <summary>Waits (up to a minute) until every partition has an unexpired lease and no silo holds more than its fair share.</summary>
    private async Task<Dictionary<string, int>> WaitUntilBalancedAsync(CancellationToken cancellationToken)
    {
        var share = (Partitions + _silos.Count - 1) / _silos.Count;
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        await using var connection = new NpgsqlConnection(server.ConnectionString(Database, pooling: false));
        await connection.OpenAsync(cancellationToken);
        while (true)
        {
            var owners = new Dictionary<string, int>(StringComparer.Ordinal);
            await using (var command = new NpgsqlCommand(
                "SELECT owner_node, count(*) FROM partition_lease WHERE owner_node IS NOT NULL AND expires_at > clock_timestamp() GROUP BY owner_node", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    owners[reader.GetString(0)] = (int)reader.GetInt64(1);
                }
            }

            if (owners.Count == _silos.Count && owners.Values.Sum() == Partitions && owners.Values.All(c => c <= share))
            {
                return owners;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchSetupException($"The cluster's {Partitions} partitions were not spread over its {_silos.Count} silos within 60 s " +
                    $"(leases: {string.Join(", ", owners.Select(p => $"{p.Key} {p.Value}"))}); see bench/out/silo-cluster-*.log.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
