using System.Net;
using Actors.Api.Contracts;
using Actors.Api.Tests.Infrastructure;

namespace Actors.Api.Tests.Live;

/// <summary>The alert zone of an account (GET /api/accounts/{id}/alerts), rule by rule, as the underlying state changes.</summary>
public sealed class AlertRulesTests : IAsyncLifetime
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(TestSilo.Start.UtcDateTime);

    private TestSilo _silo = null!;
    private CustomerCare _care = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync(Store.Sqlite);
        _care = await CustomerCare.SignInAsync(_silo);
    }

    public async Task DisposeAsync()
    {
        _care.Dispose();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task TheAlertZone_FollowsPendingAndStoppedSas_LifeSupport_OpenToDos_AndTheLastContact()
    {
        var person = await _care.CreatePersonAsync("Xena Alert", lifeSupport: false);
        var account = await _care.CreateAccountAsync(person.Id);
        await ExpectAsync(account.Id, ("LAST_CONTACT", "Info", "Last contact 2026-03-02 09:00 UTC by csr:csr: opened the account"));

        var premise = await _care.CreatePremiseAsync("11 Alert Avenue", "62701", "Electric", "Gas");
        var start = await _care.StartAsync(account.Id, premise.Id, Today.AddDays(3), ["Electric", "Gas"]);
        await ExpectAsync(
            account.Id,
            ("PENDING_START", "Warning", "Pending start: Electric from 2026-03-05, Gas from 2026-03-05"),
            ("LAST_CONTACT", "Info", "Last contact 2026-03-02 09:00 UTC by csr:csr: requested a start on 2026-03-05"));

        // Life support on the person and on the premise are critical, and come first.
        await _care.Csr.PatchAsync<PersonResponse>($"/api/persons/{person.Id}", new { version = person.Version, lifeSupport = true });
        await _care.Csr.PostAsync<PremiseResponse>($"/api/premises/{premise.Id}/life-support", new { lifeSupport = true, reason = "oxygen concentrator" });
        await ExpectAsync(
            account.Id,
            ("LIFE_SUPPORT_PERSON", "Critical", "Life support / sensitive load: Xena Alert"),
            ("LIFE_SUPPORT_PREMISE", "Critical", "Life support / sensitive load at 11 Alert Avenue, Springfield, IL 62701"),
            ("PENDING_START", "Warning", "Pending start: Electric from 2026-03-05, Gas from 2026-03-05"),
            ("LAST_CONTACT", "Info", "Last contact 2026-03-02 09:00 UTC by csr:csr: updated the customer's details"));
        await _care.Csr.PostAsync<PremiseResponse>($"/api/premises/{premise.Id}/life-support", new { lifeSupport = false });

        // The start date passes without reads: two To Dos are open; the electric read activates one SA.
        await _care.MoveClockAsync(Today.AddDays(3));
        var electric = start.ServiceAgreements.Single(s => s.ServiceType == Grains.Abstractions.ServiceType.Electric).Id;
        var activity = (await _care.FieldActivitiesAsync($"serviceAgreementId={electric}")).Single();
        await _care.CompleteFieldActivityAsync(activity.Id, 5m, Today.AddDays(3));
        await _care.Csr.PostAsync<ServiceAgreementResponse>($"/api/service-agreements/{electric}/stop", new { stopDate = Today.AddDays(20), reason = "moving" });
        await ExpectAsync(
            account.Id,
            ("LIFE_SUPPORT_PERSON", "Critical", "Life support / sensitive load: Xena Alert"),
            ("OPEN_TODOS", "Warning", "1 open To Do entry"),
            ("PENDING_START", "Warning", "Pending start: Gas from 2026-03-05"),
            ("PENDING_STOP", "Warning", "Pending stop: Electric on 2026-03-22"),
            ("LAST_CONTACT", "Info", "Last contact 2026-03-05 00:00 UTC by csr:csr: requested a Electric stop on 2026-03-22"));

        // The stop goes through with its read: one stopped SA.
        await _care.MoveClockAsync(Today.AddDays(18));
        var stopActivity = (await _care.FieldActivitiesAsync($"serviceAgreementId={electric}&status=Pending")).Single();
        await _care.CompleteFieldActivityAsync(stopActivity.Id, 9m, Today.AddDays(18));
        await _care.MoveClockAsync(Today.AddDays(20));
        await Polling.UntilAsync(
            () => Alerts(account.Id),
            alerts => alerts.Any(a => a.Code == "STOPPED_SA" && a.Message == "1 stopped service agreement: Electric since 2026-03-22" && a.Severity == "Info"),
            "the STOPPED_SA alert");
    }

    [Fact]
    public async Task AlertsOfAnUnknownAccount_AreNotFound()
    {
        await _care.Csr.ProblemAsync(HttpMethod.Get, "/api/accounts/ACC-0000000000/alerts", json: null, HttpStatusCode.NotFound);
    }

    private Task<List<AlertDto>> Alerts(string accountId) => _care.Csr.GetAsync<List<AlertDto>>($"/api/accounts/{accountId}/alerts");

    private Task<List<AlertDto>> ExpectAsync(string accountId, params (string Code, string Severity, string Message)[] expected) =>
        Polling.UntilAsync(
            () => Alerts(accountId),
            alerts => alerts.Select(a => (a.Code, a.Severity, a.Message)).SequenceEqual(expected),
            $"the alerts [{string.Join("; ", expected)}]");

    private sealed record AlertDto(string Code, string Message, string Severity);
}
