using System.Diagnostics;

namespace Actors.Bench;

/// <summary>
/// Store commits per move-in of one silo database: its xact_commit from just before the move-ins to once PostgreSQL
/// has published every backend's count (11 s after the silos' last work), less the silos' idle commits (lease renewals,
/// reminder, clock and outbox polls) over the time outside the move-ins, divided by the move-ins.
/// </summary>
/// <remarks>
/// The idle rate is measured on the fresh silos, before any set-up: a PostgreSQL 15 backend whose flush of its counts
/// meets a lock held by another backend keeps them pending for up to a minute (PGSTAT_MAX_INTERVAL), so after a large
/// set-up its commits keep arriving in pg_stat_database long after they ran (seen: several thousand commits published
/// 24-36 s after the last request, with no statement run in that window by pg_stat_statements), and an idle window
/// there counted them as idle commits.
/// </remarks>
internal sealed class MoveInCommits(ServerStats stats, string database)
{
    private (long Commits, long Timestamp)? _phaseStart;
    private (long Commits, long Timestamp, double PhaseSeconds, int MoveIns)? _pending;
    private double _idlePerSecond;

    /// <summary>Measures the silos' idle commit rate over <paramref name="window"/>; call on fresh silos that nothing has asked anything of yet.</summary>
    public async Task<double> MeasureIdleAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        stats.PooledWorkEnded(database);
        var before = await stats.ReadCommitsAsync(database, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(window, cancellationToken);
        var after = await stats.ReadCommitsAsync(database, cancellationToken);
        _idlePerSecond = (after - before) / Stopwatch.GetElapsedTime(started).TotalSeconds;
        return _idlePerSecond;
    }

    /// <summary>Move-ins start now.</summary>
    public async Task BeginPhaseAsync(CancellationToken cancellationToken) =>
        _phaseStart = (await stats.ReadCommitsAsync(database, cancellationToken), Stopwatch.GetTimestamp());

    /// <summary>The move-ins of the phase begun last are over (their responses; asynchronous work may follow).</summary>
    public void EndPhase(double phaseSeconds, int moveIns)
    {
        var start = _phaseStart ?? throw new InvalidOperationException("EndPhase without BeginPhaseAsync.");
        _phaseStart = null;
        stats.PooledWorkEnded(database);
        _pending = (start.Commits, start.Timestamp, phaseSeconds, moveIns);
    }

    /// <summary>Commits per move-in of the phase ended last, or null if none is pending; waits for PostgreSQL's counts.</summary>
    public async Task<double?> FinishAsync(CancellationToken cancellationToken)
    {
        if (_pending is not { } pending)
        {
            return null;
        }

        _pending = null;
        var commits = await stats.ReadCommitsAsync(database, cancellationToken);
        var outside = Stopwatch.GetElapsedTime(pending.Timestamp).TotalSeconds - pending.PhaseSeconds;
        return (commits - pending.Commits - (_idlePerSecond * outside)) / pending.MoveIns;
    }
}
