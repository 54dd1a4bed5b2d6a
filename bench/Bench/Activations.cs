using System.Diagnostics;
using Npgsql;

namespace Actors.Bench;

/// <summary>One ServiceAgreementActivated event as committed: the SA and the real instant its transaction committed.</summary>
internal readonly record struct Activation(string ServiceAgreementId, DateTimeOffset CommittedAt);

/// <summary>The activations of a burst: how fast they went and how late each was after the clock move that made it due.</summary>
internal sealed record BurstResult(int Due, int Activated, double PerSecond, double[] LagsMs, bool Settled, CpuUsage Usage, TimeSpan ClockMoveTook);

/// <summary>The activations of a steady due rate: the rate achieved and each SA's lag from the clock step that made it due.</summary>
internal sealed record SteadyResult(int Due, int Activated, double DuePerSecond, double[] LagsMs, double StepLateMsMax, CpuUsage Usage);

/// <summary>
/// Activation by the SAs' own reminders, on the manual business clock moved through the API
/// (<c>POST /api/admin/clock</c>). An SA's activation reminder is due at 00:00 of its start date; it becomes due in
/// real time at the moment the clock move passes that instant. Lag is measured from the real instant the benchmark
/// sent the clock move (so the request's own latency counts as lag) to the commit of the SA's
/// ServiceAgreementActivated event, read from the store: the outbox row's transaction id and PostgreSQL's commit
/// timestamp of that transaction (<c>track_commit_timestamp=on</c>). PostgreSQL and this process read the same system
/// clock.
/// </summary>
internal sealed class Activations(string connectionString)
{
    /// <summary>
    /// The outbox's last sequence number now: activations sequenced after it are the ones a clock move caused. The
    /// sequence (not the row id) is read because it is final and gap-free in commit order, so reading past it never
    /// skips a row that commits later.
    /// </summary>
    public async Task<long> OutboxWatermarkAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT coalesce(max(seq), 0) FROM outbox", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Moves the clock to <paramref name="dueAt"/>, where all of <paramref name="serviceAgreements"/> become due at once,
    /// and waits until each has its activation committed.
    /// </summary>
    public async Task<BurstResult> BurstAsync(
        SiloApi api, DateTimeOffset dueAt, IReadOnlyCollection<string> serviceAgreements, CpuSampler cpu, CancellationToken cancellationToken)
    {
        var watermark = await OutboxWatermarkAsync(cancellationToken);
        var cpuStart = CpuSampler.Take(cpu);
        var sentAt = DateTimeOffset.UtcNow;
        var sent = Stopwatch.GetTimestamp();
        var settled = await api.MoveClockAsync(dueAt, cancellationToken);
        var took = Stopwatch.GetElapsedTime(sent);
        var activations = await WaitForActivationsAsync(watermark, serviceAgreements, TimeSpan.FromMinutes(5), cancellationToken);
        var cpuEnd = CpuSampler.Take(cpu);
        var lags = activations.Select(a => (a.CommittedAt - sentAt).TotalMilliseconds).ToArray();
        var last = lags.Length > 0 ? lags.Max() : double.NaN;
        return new BurstResult(serviceAgreements.Count, activations.Count, activations.Count / (last / 1000), lags, settled, CpuSampler.Between(cpuStart, cpuEnd), took);
    }

    /// <summary>
    /// Moves the clock one day per step, a step every <paramref name="stepInterval"/> of real time, so that the SAs
    /// starting on each day become due at that step: a steady due rate. Steps go one after the other (a clock move
    /// answers once its reminders have run); a step whose predecessor answered late is sent late, and each SA's lag
    /// is counted from the step that actually made it due.
    /// </summary>
    public async Task<SteadyResult> SteadyAsync(
        SiloApi api,
        DateOnly firstDay,
        int days,
        TimeSpan stepInterval,
        IReadOnlyDictionary<DateOnly, IReadOnlyList<string>> serviceAgreementsByDay,
        CpuSampler cpu,
        CancellationToken cancellationToken)
    {
        var watermark = await OutboxWatermarkAsync(cancellationToken);
        var sentAt = new DateTimeOffset[days];
        var cpuStart = CpuSampler.Take(cpu);
        var start = Stopwatch.GetTimestamp();
        var lateMax = 0.0;
        for (var step = 0; step < days; step++)
        {
            var scheduled = stepInterval * step;
            var wait = scheduled - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            else
            {
                lateMax = Math.Max(lateMax, -wait.TotalMilliseconds);
            }

            sentAt[step] = DateTimeOffset.UtcNow;
            await api.MoveClockAsync(Midnight(firstDay.AddDays(step)), cancellationToken);
        }

        var span = Stopwatch.GetElapsedTime(start);
        var all = serviceAgreementsByDay.Where(d => d.Key >= firstDay && d.Key < firstDay.AddDays(days)).SelectMany(d => d.Value).ToHashSet(StringComparer.Ordinal);
        var activations = await WaitForActivationsAsync(watermark, all, TimeSpan.FromMinutes(2), cancellationToken);
        var cpuEnd = CpuSampler.Take(cpu);
        var dayOf = serviceAgreementsByDay.SelectMany(d => d.Value.Select(sa => (sa, d.Key))).ToDictionary(p => p.sa, p => p.Key, StringComparer.Ordinal);
        var lags = activations
            .Select(a => (a.CommittedAt - sentAt[dayOf[a.ServiceAgreementId].DayNumber - firstDay.DayNumber]).TotalMilliseconds)
            .ToArray();

        if (Environment.GetEnvironmentVariable("BENCH_DEBUG_STEADY") is not null)
        {
            foreach (var a in activations)
            {
                var step = dayOf[a.ServiceAgreementId].DayNumber - firstDay.DayNumber;
                var lag = (a.CommittedAt - sentAt[step]).TotalMilliseconds;
                if (lag > 300)
                {
                    Console.Error.WriteLine($"DEBUG step {step} sent {sentAt[step]:HH:mm:ss.fff} sa {a.ServiceAgreementId} committed {a.CommittedAt:HH:mm:ss.fff} lag {lag:F0}");
                }
            }
        }

        // The due rate achieved: SAs made due over the time the steps took (one interval per step).
        var duePerSecond = all.Count / Math.Max(span.TotalSeconds, stepInterval.TotalSeconds * days);
        return new SteadyResult(all.Count, activations.Count, duePerSecond, lags, lateMax, CpuSampler.Between(cpuStart, cpuEnd));
    }

    public static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Reads the activations sequenced after <paramref name="watermark"/> until every expected SA has one (or the time is up).</summary>
    private async Task<List<Activation>> WaitForActivationsAsync(long watermark, IReadOnlyCollection<string> expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var wanted = expected as IReadOnlySet<string> ?? expected.ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, Activation>(StringComparer.Ordinal);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var after = watermark;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        // An outbox row is never updated, so its xmin is the transaction that committed it; PostgreSQL keeps commit
        // timestamps for recent transactions, which these are.
        await using var command = new NpgsqlCommand(
            """
            SELECT seq, split_part(stream, '/', 2), pg_xact_commit_timestamp(xmin)
            FROM outbox
            WHERE seq > $1 AND type = 'ServiceAgreementActivated'
            ORDER BY seq
            """,
            connection);
        var parameter = new NpgsqlParameter<long>();
        command.Parameters.Add(parameter);
        while (true)
        {
            parameter.TypedValue = after;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    after = reader.GetInt64(0);
                    var id = reader.GetString(1);
                    if (wanted.Contains(id))
                    {
                        found[id] = new Activation(id, reader.GetFieldValue<DateTimeOffset>(2));
                    }
                }
            }

            if (found.Count >= wanted.Count || Stopwatch.GetTimestamp() > deadline)
            {
                return [.. found.Values];
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
