using System.Net;
using Actors.Api.Contracts;
using Actors.Api.Tests.Infrastructure;
using Actors.Grains.Abstractions;

namespace Actors.Api.Tests.Rules;

/// <summary>The start/stop rules one by one, through the API, on the embedded store.</summary>
public sealed class ServiceRulesTests : IAsyncLifetime
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(TestSilo.Start.UtcDateTime);

    private TestSilo _silo = null!;
    private CustomerCare _care = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync(Store.Sqlite, new Dictionary<string, string?> { ["Utility:ServiceTerritory:PostalCodes:0"] = "627" });
        _care = await CustomerCare.SignInAsync(_silo);
    }

    public async Task DisposeAsync()
    {
        _care.Dispose();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task Start_OutsideTheServiceTerritory_IsRefusedNamingThePremise()
    {
        var (_, account) = await _care.CreateCustomerAsync("Dana Far");
        var outside = await _care.CreatePremiseAsync("1 Remote Road", "99501", "Electric");
        var problem = await _care.Csr.ProblemAsync(
            HttpMethod.Post,
            "/api/start-service",
            new { accountId = account.Id, premiseId = outside.Id, startDate = Today.AddDays(7), serviceTypes = new[] { "Electric" } },
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("service territory", problem.ErrorsOf("premiseId")[0], StringComparison.Ordinal);
        Assert.Empty((await _care.GetAccountAsync(account.Id)).ServiceAgreements);

        var inside = await _care.CreatePremiseAsync("1 Near Road", "62701", "Electric");
        var started = await _care.StartAsync(account.Id, inside.Id, Today.AddDays(7), ["Electric"]);
        Assert.Single(started.ServiceAgreements);
    }

    [Fact]
    public async Task Start_RetriedWithTheSameIdempotencyKey_CreatesEachSaOnce_AndAnotherRequestUnderThatKeyIsAConflict()
    {
        var (_, account) = await _care.CreateCustomerAsync("Evan Retry");
        var premise = await _care.CreatePremiseAsync("5 Retry Road", "62702", "Electric", "Water");
        var key = CustomerCare.NewKey();
        var first = await _care.StartAsync(account.Id, premise.Id, Today.AddDays(7), ["Electric", "Water"], key);
        var second = await _care.StartAsync(account.Id, premise.Id, Today.AddDays(7), ["Electric", "Water"], key);
        Assert.Equal(first.ServiceAgreements.Select(s => s.Id), second.ServiceAgreements.Select(s => s.Id));
        foreach (var sa in first.ServiceAgreements)
        {
            Assert.Equal(1, await _care.CountEventsAsync($"sa/{sa.Id}", "ServiceAgreementCreated"));
        }

        var other = await _care.Csr.ProblemAsync(
            HttpMethod.Post,
            "/api/start-service",
            new { accountId = account.Id, premiseId = premise.Id, startDate = Today.AddDays(8), serviceTypes = new[] { "Electric" } },
            HttpStatusCode.Conflict,
            key);
        Assert.Contains(key, other.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatePerson_RetriedWithTheSameKey_ReturnsTheSamePerson_OtherDetailsUnderThatKeyAreAConflict()
    {
        var key = CustomerCare.NewKey();
        var first = await _care.CreatePersonAsync("Fay Twice", "555-0142", key: key);
        var again = await _care.CreatePersonAsync("Fay Twice", "555-0142", key: key);
        Assert.Equal((first.Id, 1), (again.Id, again.Version));
        Assert.Equal(1, await _care.CountEventsAsync($"person/{first.Id}", "PersonCreated"));
        await _care.Csr.ProblemAsync(HttpMethod.Post, "/api/persons", new { name = "Someone Else" }, HttpStatusCode.Conflict, key);
    }

    [Fact]
    public async Task CancelingAPendingStart_WithdrawsTheStopItRequestedOfThePreviousCustomer()
    {
        var premise = await _care.CreatePremiseAsync("8 Tenant Way", "62703", "Electric");
        var (_, leaver) = await _care.CreateCustomerAsync("Gus Gone");
        var leaverSa = await ActiveServiceAsync(leaver.Id, premise.Id);

        // The newcomer starts while Gus is still active and never called: Gus's SA is stopped at the start date.
        var (_, newcomer) = await _care.CreateCustomerAsync("Hana New");
        var start = await _care.StartAsync(newcomer.Id, premise.Id, Today.AddDays(10), ["Electric"], stopCurrentOccupants: true);
        Assert.Equal([leaverSa], start.StoppedServiceAgreements);
        var stopped = await _care.GetServiceAgreementAsync(leaverSa);
        Assert.Equal((ServiceAgreementStatus.PendingStop, (DateOnly?)Today.AddDays(10), start.ServiceAgreements[0].Id), (stopped.Status, stopped.StopDate, stopped.StopRequestedBy));

        var canceled = await _care.Csr.PostAsync<ServiceAgreementResponse>(
            $"/api/service-agreements/{start.ServiceAgreements[0].Id}/cancel", new { reason = "customer changed their mind" });
        Assert.Equal(ServiceAgreementStatus.Canceled, canceled.Status);
        var restored = await _care.GetServiceAgreementAsync(leaverSa);
        Assert.Equal((ServiceAgreementStatus.Active, (DateOnly?)null), (restored.Status, restored.StopDate));
    }

    [Fact]
    public async Task ManualActivateStopAndCancel_NeedAReason_AndRefuseIllegalTransitions()
    {
        var premise = await _care.CreatePremiseAsync("3 Manual Street", "62704", "Electric");
        var (_, account) = await _care.CreateCustomerAsync("Ivy Manual");
        var sa = (await _care.StartAsync(account.Id, premise.Id, Today.AddDays(2), ["Electric"])).ServiceAgreements[0].Id;

        var noReason = await _care.Csr.ProblemAsync(HttpMethod.Post, $"/api/service-agreements/{sa}/activate", new { }, HttpStatusCode.BadRequest);
        Assert.NotEmpty(noReason.ErrorsOf("reason"));
        var early = await _care.Csr.ProblemAsync(HttpMethod.Post, $"/api/service-agreements/{sa}/activate", new { reason = "override" }, HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(early.ErrorsOf("startDate"));
        var stopPending = await _care.Csr.ProblemAsync(
            HttpMethod.Post, $"/api/service-agreements/{sa}/stop", new { stopDate = Today.AddDays(9), reason = "moving" }, HttpStatusCode.Conflict);
        Assert.Equal("IllegalTransition", stopPending.Code);

        await _care.MoveClockAsync(Today.AddDays(2), hours: 1);
        var active = await _care.Csr.PostAsync<ServiceAgreementResponse>($"/api/service-agreements/{sa}/activate", new { reason = "meter read by phone" });
        Assert.Equal(ServiceAgreementStatus.Active, active.Status);
        var again = await _care.Csr.ProblemAsync(HttpMethod.Post, $"/api/service-agreements/{sa}/activate", new { reason = "twice" }, HttpStatusCode.Conflict);
        Assert.Equal("IllegalTransition", again.Code);

        var stopping = await _care.Csr.PostAsync<ServiceAgreementResponse>(
            $"/api/service-agreements/{sa}/stop", new { stopDate = Today.AddDays(20), reason = "moving away", version = active.Version });
        Assert.Equal((ServiceAgreementStatus.PendingStop, (DateOnly?)Today.AddDays(20)), (stopping.Status, stopping.StopDate));
        var history = await _care.Csr.GetAsync<IReadOnlyList<HistoryEntry>>($"/api/service-agreements/{sa}/history");
        var activation = history.Single(h => h.Type == "ServiceAgreementActivated");
        Assert.Equal(("csr:csr", "meter read by phone"), (activation.Actor, activation.Reason));
    }

    [Fact]
    public async Task Updates_WithAStaleVersion_AreConflicts_AndChangeNothing()
    {
        var person = await _care.CreatePersonAsync("Jon Version", "555-0100");
        var updated = await _care.Csr.PatchAsync<PersonResponse>($"/api/persons/{person.Id}", new { version = person.Version, phone = "555-0111", reason = "new number" });
        Assert.Equal(("555-0111", person.Version + 1, "Jon Version"), (updated.Phone, updated.Version, updated.Name));
        var stale = await _care.Csr.ProblemAsync(HttpMethod.Patch, $"/api/persons/{person.Id}", new { version = person.Version, name = "Jonathan" }, HttpStatusCode.Conflict);
        Assert.Equal("StaleVersion", stale.Code);
        Assert.Equal("Jon Version", (await _care.Csr.GetAsync<PersonResponse>($"/api/persons/{person.Id}")).Name);

        var premise = await _care.CreatePremiseAsync("4 Version Lane", "62705", "Gas");
        var (_, account) = await _care.CreateCustomerAsync("Kim Version");
        var sa = await _care.GetServiceAgreementAsync((await _care.StartAsync(account.Id, premise.Id, Today.AddDays(5), ["Gas"])).ServiceAgreements[0].Id);
        var staleCancel = await _care.Csr.ProblemAsync(
            HttpMethod.Post, $"/api/service-agreements/{sa.Id}/cancel", new { reason = "duplicate", version = sa.Version - 1 }, HttpStatusCode.Conflict);
        Assert.Equal("StaleVersion", staleCancel.Code);
        Assert.Equal(ServiceAgreementStatus.PendingStart, (await _care.GetServiceAgreementAsync(sa.Id)).Status);
    }

    [Fact]
    public async Task Transfer_StopsAtTheOldPremise_AndStartsAtTheNewOne_OnTheSameDate()
    {
        var from = await _care.CreatePremiseAsync("10 Old Road", "62706", "Electric", "Gas");
        var to = await _care.CreatePremiseAsync("20 New Road", "62706", "Electric", "Gas");
        var (_, account) = await _care.CreateCustomerAsync("Lee Mover");
        var old = await ActiveServiceAsync(account.Id, from.Id);
        var date = Today.AddDays(14);
        var transfer = await _care.Csr.PostAsync<TransferServiceResponse>(
            "/api/transfer-service",
            new { accountId = account.Id, fromPremiseId = from.Id, toPremiseId = to.Id, date, serviceTypes = new[] { "Electric" } },
            HttpStatusCode.Created,
            CustomerCare.NewKey());
        Assert.Equal([(old, ServiceAgreementStatus.PendingStop, (DateOnly?)date)], transfer.Stop.ServiceAgreements.Select(s => (s.Id, s.Status, s.StopDate)));
        Assert.Equal([(ServiceType.Electric, ServiceAgreementStatus.PendingStart, date)], transfer.Start.ServiceAgreements.Select(s => (s.ServiceType, s.Status, s.StartDate)));
        Assert.Equal(to.Id, (await _care.GetServiceAgreementAsync(transfer.Start.ServiceAgreements[0].Id)).PremiseId);
    }

    [Fact]
    public async Task AnAccount_AlwaysHasExactlyOneMainCustomer()
    {
        var (first, account) = await _care.CreateCustomerAsync("Mia Main");
        var second = await _care.CreatePersonAsync("Ned Spouse");
        var withBoth = await _care.Csr.PostAsync<AccountResponse>($"/api/accounts/{account.Id}/persons", new { personId = second.Id, isMainCustomer = true });
        Assert.Equal([(first.Id, false), (second.Id, true)], withBoth.Persons.Select(p => (p.PersonId, p.IsMainCustomer)).OrderBy(p => p.PersonId == second.Id));
        var removeMain = await _care.Csr.ProblemAsync(HttpMethod.Delete, $"/api/accounts/{account.Id}/persons/{second.Id}", json: null, HttpStatusCode.Conflict);
        Assert.Equal("Conflict", removeMain.Code);
        using var removed = await _care.Csr.SendAsync(HttpMethod.Delete, $"/api/accounts/{account.Id}/persons/{first.Id}", json: null);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal([(second.Id, true)], (await _care.GetAccountAsync(account.Id)).Persons.Select(p => (p.PersonId, p.IsMainCustomer)));
    }

    /// <summary>An SA active from today: started today, its start field activity completed with a read.</summary>
    private async Task<string> ActiveServiceAsync(string accountId, string premiseId)
    {
        var sa = (await _care.StartAsync(accountId, premiseId, Today, ["Electric"])).ServiceAgreements[0].Id;
        var activity = await Polling.UntilAsync(
            () => _care.FieldActivitiesAsync($"serviceAgreementId={sa}"), list => list.Count == 1, $"the start field activity of {sa}");
        await _care.CompleteFieldActivityAsync(activity[0].Id, 100m, Today);
        Assert.Equal(ServiceAgreementStatus.Active, (await _care.GetServiceAgreementAsync(sa)).Status);
        return sa;
    }
}
