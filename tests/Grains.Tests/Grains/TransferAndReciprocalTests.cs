using Actors.Grains.Abstractions;
using Actors.Grains.Tests.Infrastructure;

namespace Actors.Grains.Tests.Grains;

public sealed class TransferAndReciprocalTests : GrainTestBase
{
    [Fact]
    public async Task Transfer_StopsAtTheOldPremiseAndStartsAtTheNew_OnTheSameDate_AndIsSafeToRetry()
    {
        var from = await Host.NewPremiseAsync();
        var to = await Host.NewPremiseAsync();
        var (account, old) = await ActiveTenantAsync(from);
        var date = D.AddDays(10);

        var transfer = await Host.Account(account).TransferServiceAsync(from, to, date, null, "transfer-1", Csr);
        var retried = await Host.Account(account).TransferServiceAsync(from, to, date, null, "transfer-1", Csr);

        var incoming = ServiceAgreementId.For(account, "transfer-1", ServiceType.Electric);
        Assert.Equal((old, ServiceAgreementStatus.PendingStop, (DateOnly?)date), (transfer.Stop.ServiceAgreements.Single().Id, transfer.Stop.ServiceAgreements[0].Status, transfer.Stop.ServiceAgreements[0].StopDate));
        Assert.Equal((incoming, to, ServiceAgreementStatus.PendingStart, date), (transfer.Start.ServiceAgreements.Single().Id, transfer.Start.PremiseId, transfer.Start.ServiceAgreements[0].Status, transfer.Start.ServiceAgreements[0].StartDate));
        Assert.Equal(incoming, retried.Start.ServiceAgreements.Single().Id);
        Assert.Equal([old, incoming], (await Host.Account(account).GetAsync()).ServiceAgreements.Select(s => s.Id));
        Assert.Equal(ServiceAgreementStatus.PendingStart, (await OccupancyAsync(to, incoming)).Status);
        Assert.Equal(date, (await OccupancyAsync(from, old)).StopDate);
    }

    [Fact]
    public async Task Transfer_ToAnOccupiedPremise_IsRefused_BeforeAnythingStops()
    {
        var from = await Host.NewPremiseAsync();
        var to = await Host.NewPremiseAsync();
        var (account, old) = await MoveInAsync(from, D, "mine");
        await ActiveTenantAsync(to);
        await Host.FieldActivity((await StartFieldActivityAsync(old)).Id).CompleteAsync(1m, D, Csr);
        Assert.Equal(ServiceAgreementStatus.Active, (await Host.ServiceAgreement(old).GetAsync()).Status);

        await ThrowsDomainAsync(DomainErrorCode.Conflict, () => Host.Account(account).TransferServiceAsync(from, to, D.AddDays(5), null, "transfer-2", Csr));

        var unchanged = await Host.ServiceAgreement(old).GetAsync();
        Assert.Equal((ServiceAgreementStatus.Active, (DateOnly?)null), (unchanged.Status, unchanged.StopDate));
    }

    [Fact]
    public async Task CancelingAPendingStart_WithdrawsThePendingStopItCaused()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, outgoing) = await ActiveTenantAsync(premise);
        var moveInDate = D.AddDays(10);

        var (newcomer, incoming) = await MoveInAsync(premise, moveInDate, "take-over", stopCurrentOccupants: true);
        var stopping = await Host.ServiceAgreement(outgoing).GetAsync();
        var incomingSnapshot = await Host.ServiceAgreement(incoming).GetAsync();
        var canceled = await Host.ServiceAgreement(incoming).CancelAsync(new Actor("csr:bob", "customer changed their mind"));
        var restored = await Host.ServiceAgreement(outgoing).GetAsync();

        Assert.Equal((ServiceAgreementStatus.PendingStop, (DateOnly?)moveInDate, (ServiceAgreementId?)incoming), (stopping.Status, stopping.StopDate, stopping.StopRequestedBy));
        Assert.Equal(outgoing, incomingSnapshot.ReciprocalStopOf);
        Assert.Equal(ServiceAgreementStatus.Canceled, canceled.Status);
        Assert.Equal((ServiceAgreementStatus.Active, (DateOnly?)null, (ServiceAgreementId?)null), (restored.Status, restored.StopDate, restored.StopRequestedBy));
        Assert.Equal(ServiceAgreementStatus.Canceled, (await OccupancyAsync(premise, incoming)).Status);
        Assert.Equal((ServiceAgreementStatus.Active, (DateOnly?)null), ((await OccupancyAsync(premise, outgoing)).Status, (await OccupancyAsync(premise, outgoing)).StopDate));
        Assert.Equal(
            ["ServiceAgreementCreated", "ServiceAgreementReadRecorded", "ServiceAgreementActivated", "ServiceAgreementStopRequested", "ServiceAgreementStopWithdrawn"],
            (await Host.HistoryAsync("sa", outgoing.Value)).Select(e => e.Type));
        await Polling.UntilAsync(
            () => Host.Account(newcomer).GetAsync(), a => a.ServiceAgreements.Single().Status == ServiceAgreementStatus.Canceled, "the newcomer's summary to show the cancel");
        await ThrowsDomainAsync(DomainErrorCode.Conflict, () => Host.Account(newcomer).StartServiceAsync(premise, moveInDate, [ServiceType.Electric], "again", Csr));
    }

    [Fact]
    public async Task CancelingAPendingStart_WithdrawsItsFieldActivity()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);
        Host.SetDate(D.AddDays(-2));
        var activity = await StartFieldActivityAsync(sa);

        await Host.ServiceAgreement(sa).CancelAsync(new Actor("csr:bob", "duplicate order"));

        Assert.Equal(FieldActivityStatus.Canceled, (await Host.FieldActivity(activity.Id).GetAsync()).Status);
        Host.SetDate(D.AddDays(4));
        var unchanged = await Host.ServiceAgreement(sa).GetAsync();
        Assert.Equal((ServiceAgreementStatus.Canceled, 0), (unchanged.Status, unchanged.ToDoIds.Count));
    }

    [Fact]
    public async Task BackToBack_StopAndStartOnTheSameDay_AreLinked_AndOneReadCompletesBoth()
    {
        var premise = await Host.NewPremiseAsync();
        var (outgoingAccount, outgoing) = await ActiveTenantAsync(premise);
        var moveInDate = D.AddDays(10);
        var (_, incoming) = await MoveInAsync(premise, moveInDate, "b2b", stopCurrentOccupants: true);
        var stopId = FieldActivityId.For(outgoing, FieldActivityKind.Stop);
        var startId = FieldActivityId.For(incoming, FieldActivityKind.Start);

        Host.SetDate(moveInDate.AddDays(-2));
        var linked = await Polling.UntilAsync(
            async () => (Stop: await TryGetAsync(stopId), Start: await TryGetAsync(startId)),
            p => p.Stop?.LinkedFieldActivityId == startId && p.Start?.LinkedFieldActivityId == stopId,
            "the stop and start field activities to be linked");
        await Host.FieldActivity(startId).CompleteAsync(777m, moveInDate.AddDays(-2), Csr);
        var stopActivity = await Host.FieldActivity(stopId).GetAsync();
        Host.SetDate(moveInDate);
        var stopped = await Polling.UntilAsync(() => Host.ServiceAgreement(outgoing).GetAsync(), s => s.Status == ServiceAgreementStatus.Stopped, "the outgoing SA to stop");
        var active = await Polling.UntilAsync(() => Host.ServiceAgreement(incoming).GetAsync(), s => s.Status == ServiceAgreementStatus.Active, "the incoming SA to activate");

        Assert.Equal((moveInDate, moveInDate), (linked.Stop!.ScheduledDate, linked.Start!.ScheduledDate));
        Assert.Equal((FieldActivityStatus.Complete, (decimal?)777m), (stopActivity.Status, stopActivity.Read));
        Assert.Equal(((decimal?)777m, (decimal?)777m), (stopped.StopRead, active.StartRead));
        await Polling.UntilAsync(() => Host.Account(outgoingAccount).GetAsync(), a => a.FinalBillRequired, "the outgoing account's final bill flag");
    }

    private async Task<FieldActivitySnapshot?> TryGetAsync(FieldActivityId id)
    {
        try
        {
            return await Host.FieldActivity(id).GetAsync();
        }
        catch (DomainException ex) when (ex.Code == DomainErrorCode.NotFound)
        {
            return null;
        }
    }
}
