namespace Actors.Bench;

/// <summary>
/// The move-in's three requests without their writes: the move-in clients read the person, the account and an SA of
/// the move-ins just made, one request after the other, as long as a move-in phase is measured. The grains are active
/// and nothing is stored, so the figure is what three authenticated API requests with their grain calls and JSON cost
/// on this machine: the part of a move-in that no change to the store can take away.
/// </summary>
internal static class MoveInReads
{
    /// <summary>Measures one round and adds its figures to <paramref name="samples"/>; answers the reads (of three requests) per second.</summary>
    public static async Task<double> MeasureAsync(
        SiloApi api, IReadOnlyList<MoveInResult> made, int clients, TimeSpan ramp, TimeSpan window, CpuSampler cpu, PhaseSamples samples, double baselineTps, CancellationToken cancellationToken)
    {
        var group = CallerGroup.Start(
            clients,
            async (caller, n) =>
            {
                var moveIn = made[(int)((caller + (n * clients)) % made.Count)];
                await api.GetPersonAsync(moveIn.Person.Id, cancellationToken);
                await api.GetAccountAsync(moveIn.AccountId, cancellationToken);
                await api.GetServiceAgreementAsync(moveIn.ServiceAgreementIds[0], cancellationToken);
            },
            cancellationToken);
        await Task.Delay(ramp, cancellationToken);
        var cpuStart = CpuSampler.Take(cpu);
        var countStart = group.Completed;
        await Task.Delay(window, cancellationToken);
        var countEnd = group.Completed;
        var cpuEnd = CpuSampler.Take(cpu);
        await group.StopAsync();

        var usage = CpuSampler.Between(cpuStart, cpuEnd);
        var perSecond = (countEnd - countStart) / usage.Seconds;
        samples.Add(Phases.PerSecond, perSecond);
        samples.Add(Phases.Ratio, perSecond / baselineTps);
        samples.Add(Phases.Failed, group.Failed);
        BenchmarkRun.AddCpu(samples, usage, perSecond);
        if (group.FirstFailure is { } failure)
        {
            throw new InvalidOperationException($"{group.Failed} reads of the move-ins failed; first: {failure}");
        }

        return perSecond;
    }
}
