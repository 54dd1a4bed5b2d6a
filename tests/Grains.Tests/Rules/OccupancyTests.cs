using Actors.Grains.Abstractions;
using Actors.Grains.Rules;

namespace Actors.Grains.Tests.Rules;

public sealed class OccupancyTests
{
    private static readonly AccountId Mine = AccountId.Parse("ACC-0000000001");
    private static readonly AccountId Theirs = AccountId.Parse("ACC-0000000002");
    private static readonly ServiceAgreementId NewSa = ServiceAgreementId.Parse("SA-0000000009");
    private static readonly DateOnly Start = new(2026, 3, 10);

    private static ServicePointOccupancy Existing(string code, AccountId account, ServiceAgreementStatus status, DateOnly start, DateOnly? stop) =>
        new(ServiceAgreementId.Parse("SA-" + code), account, status, start, stop, Revision: 1);

    [Theory]
    [InlineData("2026-03-01", null, "2026-03-10", null, true)]
    [InlineData("2026-03-01", "2026-03-10", "2026-03-10", null, false)]
    [InlineData("2026-03-01", "2026-03-09", "2026-03-10", null, false)]
    [InlineData("2026-03-01", "2026-03-11", "2026-03-10", null, true)]
    [InlineData("2026-03-20", null, "2026-03-10", null, true)]
    [InlineData("2026-03-20", null, "2026-03-10", "2026-03-20", false)]
    [InlineData("2026-03-10", "2026-03-10", "2026-03-10", null, false)]
    public void Overlaps_TreatsRangesAsHalfOpen(string aStart, string? aStop, string bStart, string? bStop, bool expected) =>
        Assert.Equal(expected, Occupancy.Overlaps(DateOnly.Parse(aStart), aStop is null ? null : DateOnly.Parse(aStop), DateOnly.Parse(bStart), bStop is null ? null : DateOnly.Parse(bStop)));

    [Fact]
    public void Evaluate_OpenEndedActiveSaOfAnotherAccount_Conflicts()
    {
        var occupant = Existing("0000000001", Theirs, ServiceAgreementStatus.Active, new(2026, 1, 1), null);

        var decision = Occupancy.Evaluate([occupant], NewSa, Mine, Start, stopCurrentOccupants: false);

        Assert.Equal([occupant], decision.Conflicts);
        Assert.Empty(decision.OccupantsToStop);
    }

    [Fact]
    public void Evaluate_ReciprocalStoppingOnOrBeforeTheStartDate_IsAllowed()
    {
        var onTheDay = Existing("0000000001", Theirs, ServiceAgreementStatus.PendingStop, new(2026, 1, 1), Start);
        var before = Existing("0000000002", Theirs, ServiceAgreementStatus.Stopped, new(2025, 1, 1), new(2025, 12, 31));

        var decision = Occupancy.Evaluate([onTheDay, before], NewSa, Mine, Start, stopCurrentOccupants: false);

        Assert.Empty(decision.Conflicts);
        Assert.Empty(decision.OccupantsToStop);
    }

    [Fact]
    public void Evaluate_StopOneDayAfterTheStartDate_Conflicts()
    {
        var outgoing = Existing("0000000001", Theirs, ServiceAgreementStatus.PendingStop, new(2026, 1, 1), Start.AddDays(1));

        Assert.Equal([outgoing], Occupancy.Evaluate([outgoing], NewSa, Mine, Start, stopCurrentOccupants: false).Conflicts);
    }

    [Fact]
    public void Evaluate_LaterPendingStart_ConflictsWithAnOpenEndedStart()
    {
        var future = Existing("0000000001", Theirs, ServiceAgreementStatus.PendingStart, Start.AddDays(10), null);

        Assert.Equal([future], Occupancy.Evaluate([future], NewSa, Mine, Start, stopCurrentOccupants: false).Conflicts);
    }

    [Fact]
    public void Evaluate_IgnoresCanceledSasAndTheSaBeingStarted()
    {
        var canceled = Existing("0000000001", Theirs, ServiceAgreementStatus.Canceled, new(2026, 1, 1), null);
        var itself = new ServicePointOccupancy(NewSa, Mine, ServiceAgreementStatus.PendingStart, Start, null, 1);

        var decision = Occupancy.Evaluate([canceled, itself], NewSa, Mine, Start, stopCurrentOccupants: false);

        Assert.Empty(decision.Conflicts);
    }

    [Fact]
    public void Evaluate_SameAccountCounts()
    {
        var own = Existing("0000000001", Mine, ServiceAgreementStatus.Active, new(2026, 1, 1), null);

        Assert.Equal([own], Occupancy.Evaluate([own], NewSa, Mine, Start, stopCurrentOccupants: true).Conflicts);
    }

    [Fact]
    public void Evaluate_StopCurrentOccupants_StopsAnOpenEndedActiveSaOfAnotherAccountThatBeganEarlier()
    {
        var occupant = Existing("0000000001", Theirs, ServiceAgreementStatus.Active, new(2026, 1, 1), null);

        var decision = Occupancy.Evaluate([occupant], NewSa, Mine, Start, stopCurrentOccupants: true);

        Assert.Empty(decision.Conflicts);
        Assert.Equal([occupant], decision.OccupantsToStop);
    }

    [Theory]
    [InlineData(ServiceAgreementStatus.PendingStart, "2026-01-01", null)]
    [InlineData(ServiceAgreementStatus.PendingStop, "2026-01-01", "2026-04-01")]
    [InlineData(ServiceAgreementStatus.Active, "2026-03-10", null)]
    public void Evaluate_StopCurrentOccupants_StillConflictsWithWhatItCannotStop(ServiceAgreementStatus status, string start, string? stop)
    {
        var occupant = Existing("0000000001", Theirs, status, DateOnly.Parse(start), stop is null ? null : DateOnly.Parse(stop));

        var decision = Occupancy.Evaluate([occupant], NewSa, Mine, Start, stopCurrentOccupants: true);

        Assert.Equal([occupant], decision.Conflicts);
        Assert.Empty(decision.OccupantsToStop);
    }
}
