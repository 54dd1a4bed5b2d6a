using System.Net;
using Actors.Api.Contracts;
using Actors.Api.Tests.Infrastructure;
using Actors.Grains.Abstractions;

namespace Actors.Api.Tests.Process;

/// <summary>
/// CC&amp;B's start/stop process (reference document 004) from start to finish, through the API only, on PostgreSQL,
/// with the business clock moved through the administration endpoint: move-in, start field activities ahead of the
/// date, activation at the date (and the exception when the read is missing), move-out, the next tenant moving in
/// the same day (back-to-back field activities completed by one read), aged pending SAs, To Dos that close themselves.
/// </summary>
public sealed class StartStopProcessTests : IAsyncLifetime
{
    private static readonly DateOnly MoveIn = new(2026, 3, 10);
    private static readonly DateOnly MoveOut = new(2026, 4, 1);

    private TestSilo _silo = null!;
    private CustomerCare _care = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync(Store.Postgres);
        _care = await CustomerCare.SignInAsync(_silo);
    }

    public async Task DisposeAsync()
    {
        _care.Dispose();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task MoveIn_FieldActivities_Activation_MoveOut_NextTenant_BackToBack()
    {
        var premise = await _care.CreatePremiseAsync("12 Oak Street", "62701", "Electric", "Gas");
        var (alice, aliceAccount) = await _care.CreateCustomerAsync("Alice Moore", "555-0199");

        // Move-in: one pending-start SA per service type.
        var start = await _care.StartAsync(aliceAccount.Id, premise.Id, MoveIn, ["Electric", "Gas"]);
        Assert.Equal(2, start.ServiceAgreements.Count);
        Assert.All(start.ServiceAgreements, sa => Assert.Equal((ServiceAgreementStatus.PendingStart, MoveIn), (sa.Status, sa.StartDate)));
        var aliceElectric = start.ServiceAgreements.Single(s => s.ServiceType == ServiceType.Electric).Id;
        var aliceGas = start.ServiceAgreements.Single(s => s.ServiceType == ServiceType.Gas).Id;

        // Field activities are created two days (FieldActivityLeadDays) before the date, not earlier.
        await _care.MoveClockAsync(MoveIn.AddDays(-3), hours: 12);
        Assert.Empty(await _care.FieldActivitiesAsync($"premiseId={premise.Id}"));
        await _care.MoveClockAsync(MoveIn.AddDays(-2));
        var startActivities = await _care.FieldActivitiesAsync($"premiseId={premise.Id}");
        Assert.Equal(
            [(aliceElectric, FieldActivityKind.Start, MoveIn, FieldActivityStatus.Pending), (aliceGas, FieldActivityKind.Start, MoveIn, FieldActivityStatus.Pending)],
            startActivities.Select(f => (f.ServiceAgreementId, f.Kind, f.ScheduledDate, f.Status)).OrderBy(f => f.ServiceAgreementId == aliceGas));

        // The electric meter is read ahead of the date: the SA waits for its date.
        var electricRead = startActivities.Single(f => f.ServiceAgreementId == aliceElectric);
        await _care.CompleteFieldActivityAsync(electricRead.Id, 1000m, MoveIn.AddDays(-2));
        Assert.Equal(ServiceAgreementStatus.PendingStart, (await _care.GetServiceAgreementAsync(aliceElectric)).Status);

        // At the start date: electric activates; gas has no read and stays pending with an activation exception.
        await _care.MoveClockAsync(MoveIn);
        var electric = await _care.GetServiceAgreementAsync(aliceElectric);
        Assert.Equal((ServiceAgreementStatus.Active, 1000m), (electric.Status, electric.StartRead));
        Assert.Equal(ServiceAgreementStatus.PendingStart, (await _care.GetServiceAgreementAsync(aliceGas)).Status);
        var exception = Assert.Single(await _care.ToDosAsync("type=ActivationException&status=Open"));
        Assert.Equal(("ServiceAgreement", aliceGas, "CSR"), (exception.Subject.Kind, exception.Subject.Id, exception.Role));
        Assert.Contains("read", exception.Message, StringComparison.OrdinalIgnoreCase);

        // The gas read arrives on the start date: the SA activates at once and the To Do closes itself.
        var gasRead = startActivities.Single(f => f.ServiceAgreementId == aliceGas);
        await _care.CompleteFieldActivityAsync(gasRead.Id, 500m, MoveIn);
        Assert.Equal(ServiceAgreementStatus.Active, (await _care.GetServiceAgreementAsync(aliceGas)).Status);
        Assert.Equal(ToDoStatus.Complete, (await _care.Csr.GetAsync<ToDoResponse>($"/api/todos/{exception.Id}")).Status);
        await Polling.UntilAsync(
            () => _care.GetAccountAsync(aliceAccount.Id),
            a => a.ServiceAgreements.All(s => s.Status == ServiceAgreementStatus.Active),
            "Alice's account to show both SAs active");

        // Move-out, and the next tenant moves in the same day; someone moving in before Alice leaves is refused.
        await _care.MoveClockAsync(MoveIn.AddDays(5));
        var stop = await _care.StopAsync(aliceAccount.Id, premise.Id, MoveOut);
        Assert.All(stop.ServiceAgreements, sa => Assert.Equal((ServiceAgreementStatus.PendingStop, (DateOnly?)MoveOut), (sa.Status, sa.StopDate)));
        var (_, bobAccount) = await _care.CreateCustomerAsync("Bob Stone");
        var bobStart = await _care.StartAsync(bobAccount.Id, premise.Id, MoveOut, ["Electric", "Gas"]);
        var bobElectric = bobStart.ServiceAgreements.Single(s => s.ServiceType == ServiceType.Electric).Id;
        var bobGas = bobStart.ServiceAgreements.Single(s => s.ServiceType == ServiceType.Gas).Id;
        var (_, carolAccount) = await _care.CreateCustomerAsync("Carol Early");
        var overlap = await _care.Csr.ProblemAsync(
            HttpMethod.Post,
            "/api/start-service",
            new { accountId = carolAccount.Id, premiseId = premise.Id, startDate = MoveOut.AddDays(-3), serviceTypes = new[] { "Electric" } },
            HttpStatusCode.Conflict);
        Assert.Equal("Conflict", overlap.Code);

        // Two days before: Alice's stop and Bob's start field activities exist, paired back to back per service point.
        await _care.MoveClockAsync(MoveOut.AddDays(-2));
        var activities = await _care.FieldActivitiesAsync($"premiseId={premise.Id}&status=Pending");
        var aliceStopElectric = activities.Single(f => f.ServiceAgreementId == aliceElectric && f.Kind == FieldActivityKind.Stop);
        var bobStartElectric = activities.Single(f => f.ServiceAgreementId == bobElectric && f.Kind == FieldActivityKind.Start);
        var aliceStopGas = activities.Single(f => f.ServiceAgreementId == aliceGas && f.Kind == FieldActivityKind.Stop);
        var bobStartGas = activities.Single(f => f.ServiceAgreementId == bobGas && f.Kind == FieldActivityKind.Start);
        Assert.Equal((bobStartElectric.Id, aliceStopElectric.Id), (aliceStopElectric.LinkedFieldActivityId, bobStartElectric.LinkedFieldActivityId));

        // One electric read completes both halves of the pair.
        await _care.CompleteFieldActivityAsync(aliceStopElectric.Id, 1800m, MoveOut.AddDays(-2));
        Assert.Equal(FieldActivityStatus.Complete, (await _care.Csr.GetAsync<FieldActivityResponse>($"/api/field-activities/{bobStartElectric.Id}")).Status);

        // At the move-out date: electric changes hands; gas has no read, so Alice's stop and Bob's start both wait.
        await _care.MoveClockAsync(MoveOut);
        Assert.Equal((ServiceAgreementStatus.Stopped, 1800m), await StatusAndStopRead(aliceElectric));
        var bobElectricSa = await _care.GetServiceAgreementAsync(bobElectric);
        Assert.Equal((ServiceAgreementStatus.Active, 1800m), (bobElectricSa.Status, bobElectricSa.StartRead));
        Assert.Equal(ServiceAgreementStatus.PendingStop, (await _care.GetServiceAgreementAsync(aliceGas)).Status);
        Assert.Equal(ServiceAgreementStatus.PendingStart, (await _care.GetServiceAgreementAsync(bobGas)).Status);
        Assert.Single(await _care.ToDosAsync("type=FinalizationException&status=Open"));

        // Still pending AgedPendingDays (3) after the date: aged-pending To Dos for both.
        await _care.MoveClockAsync(MoveOut.AddDays(2));
        Assert.Empty(await _care.ToDosAsync("type=AgedPendingStop"));
        await _care.MoveClockAsync(MoveOut.AddDays(3));
        var agedStop = Assert.Single(await _care.ToDosAsync("type=AgedPendingStop&status=Open"));
        var agedStart = Assert.Single(await _care.ToDosAsync("type=AgedPendingStart&status=Open"));
        Assert.Equal((aliceGas, bobGas), (agedStop.Subject.Id, agedStart.Subject.Id));

        // The gas read finally comes in: both SAs move on and every To Do about them closes itself.
        await _care.CompleteFieldActivityAsync(aliceStopGas.Id, 900m, MoveOut);
        Assert.Equal(ServiceAgreementStatus.Stopped, (await _care.GetServiceAgreementAsync(aliceGas)).Status);
        Assert.Equal(ServiceAgreementStatus.Active, (await _care.GetServiceAgreementAsync(bobGas)).Status);
        Assert.Equal(FieldActivityStatus.Complete, (await _care.Csr.GetAsync<FieldActivityResponse>($"/api/field-activities/{bobStartGas.Id}")).Status);
        await Polling.UntilAsync(
            () => _care.ToDosAsync(),
            todos => todos.Count == 5 && todos.All(t => t.Status == ToDoStatus.Complete),
            "all five To Dos (three exceptions, two aged pending) to be complete");

        // Every SA activated exactly once, and the history says who did what.
        foreach (var sa in new[] { aliceElectric, aliceGas, bobElectric, bobGas })
        {
            Assert.Equal(1, await _care.CountEventsAsync($"sa/{sa}", "ServiceAgreementActivated"));
        }

        var history = await _care.Csr.GetAsync<IReadOnlyList<HistoryEntry>>($"/api/service-agreements/{aliceElectric}/history");
        Assert.Equal(
            [("ServiceAgreementCreated", "csr:csr"), ("ServiceAgreementActivated", "system:activate"), ("ServiceAgreementStopRequested", "csr:csr"), ("ServiceAgreementStopped", "system:finalize")],
            history.Where(h => h.Type is "ServiceAgreementCreated" or "ServiceAgreementActivated" or "ServiceAgreementStopRequested" or "ServiceAgreementStopped").Select(h => (h.Type, h.Actor)));
        Assert.Equal(alice.Id, (await _care.Csr.GetAsync<PersonResponse>($"/api/persons/{alice.Id}")).Id);
    }

    private async Task<(ServiceAgreementStatus, decimal?)> StatusAndStopRead(string id)
    {
        var sa = await _care.GetServiceAgreementAsync(id);
        return (sa.Status, sa.StopRead);
    }
}
