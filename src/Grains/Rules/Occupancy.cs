using Actors.Grains.Abstractions;

namespace Actors.Grains.Rules;

/// <summary>What a start finds on a service point: SAs it conflicts with, and current occupants it may stop instead.</summary>
public sealed record OccupancyDecision(
    IReadOnlyList<ServicePointOccupancy> Conflicts,
    IReadOnlyList<ServicePointOccupancy> OccupantsToStop);

/// <summary>
/// The rule "one SA per service point for any date". An SA covers the half-open range [start, stop): its stop date
/// is the first day it no longer covers, so an outgoing SA stopping on (or before) the new start date is a reciprocal,
/// not a conflict. Canceled SAs cover nothing. Every account counts, the starting account included.
/// </summary>
public static class Occupancy
{
    /// <summary>True when [aStart, aStop) and [bStart, bStop) share a day; a null stop is open-ended.</summary>
    public static bool Overlaps(DateOnly aStart, DateOnly? aStop, DateOnly bStart, DateOnly? bStop) =>
        aStart < (bStop ?? DateOnly.MaxValue) && bStart < (aStop ?? DateOnly.MaxValue);

    /// <summary>
    /// Checks an open-ended start of <paramref name="serviceAgreementId"/> for <paramref name="accountId"/> on
    /// <paramref name="startDate"/> against the SAs on the service point. With <paramref name="stopCurrentOccupants"/>,
    /// an active, open-ended SA of another account that began before the start date is to be stopped at the start
    /// date rather than refuse the start.
    /// </summary>
    public static OccupancyDecision Evaluate(
        IEnumerable<ServicePointOccupancy> existing,
        ServiceAgreementId serviceAgreementId,
        AccountId accountId,
        DateOnly startDate,
        bool stopCurrentOccupants)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var conflicts = new List<ServicePointOccupancy>();
        var toStop = new List<ServicePointOccupancy>();
        foreach (var other in existing)
        {
            if (other.Status == ServiceAgreementStatus.Canceled || other.ServiceAgreementId == serviceAgreementId
                || !Overlaps(other.StartDate, other.StopDate, startDate, null))
            {
                continue;
            }

            var stoppable = stopCurrentOccupants
                && other.AccountId != accountId
                && other.Status == ServiceAgreementStatus.Active
                && other.StopDate is null
                && other.StartDate < startDate;
            (stoppable ? toStop : conflicts).Add(other);
        }

        return new OccupancyDecision(conflicts, toStop);
    }
}
