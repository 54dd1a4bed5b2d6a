using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Actors.Api.Contracts;
using Actors.Api.Tests.Infrastructure;

namespace Actors.Api.Tests.Live;

/// <summary>The SignalR hub without a browser: the message contract, authorisation, and catching up after a dropped connection.</summary>
public sealed class HubTests : IAsyncLifetime
{
    private static readonly DateOnly StartDate = new(2026, 3, 9);

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
    public async Task WithoutAValidToken_NoConnectionIsMade()
    {
        await Assert.ThrowsAsync<WebSocketException>(() => HubClient.ConnectAsync(_silo.BaseAddress, accessToken: null));
        await Assert.ThrowsAsync<WebSocketException>(() => HubClient.ConnectAsync(_silo.BaseAddress, accessToken: "forged.token"));
        using var anonymous = _silo.Anonymous();
        using var negotiate = await anonymous.SendAsync(HttpMethod.Post, "/hubs/alerts/negotiate?negotiateVersion=1", json: null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
    }

    [Fact]
    public async Task Watchers_ReceiveServiceAgreementAlertAndToDoMessages_WithTheSeqOfTheEventBehindThem()
    {
        var premise = await _care.CreatePremiseAsync("9 Hub Street", "62701", "Electric");
        var (_, account) = await _care.CreateCustomerAsync("Vera Live");
        await using var hub = await HubClient.ConnectAsync(_silo.BaseAddress, Token(_care.Csr));
        var watched = await hub.InvokeAsync("WatchAccount", account.Id);
        Assert.Equal(account.Id, watched.GetProperty("accountId").GetString());
        var watchSeq = watched.GetProperty("seq").GetInt64();
        var queue = await hub.InvokeAsync("WatchRole", "CSR");
        Assert.Equal(0, queue.GetProperty("todos").GetArrayLength());
        await hub.InvokeAsync("WatchPremise", premise.Id);

        var start = await _care.StartAsync(account.Id, premise.Id, StartDate, ["Electric"]);
        var sa = start.ServiceAgreements[0];
        var saMessage = await hub.WaitForAsync("serviceAgreement", m => m.GetProperty("serviceAgreement").GetProperty("id").GetString() == sa.Id, "the new SA");
        Assert.Equal(
            ["accountId", "seq", "serviceAgreement"],
            saMessage.Argument.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["id", "accountId", "premiseId", "servicePointId", "serviceType", "status", "startDate", "stopDate"],
            saMessage.Argument.GetProperty("serviceAgreement").EnumerateObject().Select(p => p.Name));
        Assert.Equal(("PendingStart", "2026-03-09", premise.Id), (Text(saMessage, "status"), Text(saMessage, "startDate"), Text(saMessage, "premiseId")));
        Assert.True(saMessage.Seq > watchSeq);
        var created = (await _care.EventsAsync(watchSeq)).Events.Single(e => e.Type == "ServiceAgreementCreated" && e.Stream == $"sa/{sa.Id}");
        Assert.Equal(created.Seq, saMessage.Seq);

        var pending = await hub.WaitForAsync("alerts", m => Codes(m).Contains("PENDING_START"), "the PENDING_START alert");
        Assert.Equal(["accountId", "seq", "alerts"], pending.Argument.EnumerateObject().Select(p => p.Name));
        var alert = pending.Argument.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("code").GetString() == "PENDING_START");
        Assert.Equal(("Warning", "Pending start: Electric from 2026-03-09"), (alert.GetProperty("severity").GetString(), alert.GetProperty("message").GetString()));

        // The start date passes without a read: the SA's To Do reaches the CSR queue and the alert zone counts it.
        await _care.MoveClockAsync(StartDate);
        var todo = await hub.WaitForAsync("todos", m => m.GetProperty("todo").GetProperty("type").GetString() == "ActivationException", "the activation exception");
        Assert.Equal(["role", "seq", "todo"], todo.Argument.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("CSR", sa.Id, "Open"), (todo.Argument.GetProperty("role").GetString(), todo.Argument.GetProperty("todo").GetProperty("subject").GetProperty("id").GetString(), todo.Argument.GetProperty("todo").GetProperty("status").GetString()));
        await hub.WaitForAsync("alerts", m => Codes(m).Contains("OPEN_TODOS"), "the OPEN_TODOS alert");

        // The read arrives: the SA turns active, the To Do completes itself, the alerts clear.
        var activity = (await _care.FieldActivitiesAsync($"serviceAgreementId={sa.Id}")).Single();
        await _care.CompleteFieldActivityAsync(activity.Id, 7m, StartDate);
        await hub.WaitForAsync("serviceAgreement", m => Text(m, "status") == "Active", "the SA to turn active");
        await hub.WaitForAsync("todos", m => m.GetProperty("todo").GetProperty("status").GetString() == "Complete", "the To Do to complete itself");
        var cleared = await hub.WaitForAsync("alerts", m => !Codes(m).Contains("PENDING_START") && !Codes(m).Contains("OPEN_TODOS"), "the alerts to clear");
        Assert.Equal(Codes(cleared.Argument), (await _care.Csr.GetAsync<List<AlertDto>>($"/api/accounts/{account.Id}/alerts")).Select(a => a.Code));

        var seqs = hub.Received.Where(m => m.Target == "alerts").Select(m => m.Seq).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(seqs.Distinct().Count(), seqs.Count);
    }

    [Fact]
    public async Task AfterADroppedConnection_AClientCatchesUpFromTheEventLog_WithNothingMissed()
    {
        var premise = await _care.CreatePremiseAsync("10 Drop Road", "62702", "Electric", "Gas");
        var (_, account) = await _care.CreateCustomerAsync("Walt Drop");
        var known = new Dictionary<string, string>();
        string electricSa;
        long lastSeen;
        await using (var hub = await HubClient.ConnectAsync(_silo.BaseAddress, Token(_care.Csr)))
        {
            lastSeen = (await hub.InvokeAsync("WatchAccount", account.Id)).GetProperty("seq").GetInt64();
            var start = await _care.StartAsync(account.Id, premise.Id, StartDate, ["Electric", "Gas"]);
            electricSa = start.ServiceAgreements.Single(s => s.ServiceType == Grains.Abstractions.ServiceType.Electric).Id;
            foreach (var sa in start.ServiceAgreements)
            {
                var message = await hub.WaitForAsync("serviceAgreement", m => m.GetProperty("serviceAgreement").GetProperty("id").GetString() == sa.Id, $"SA {sa.Id}");
                known[sa.Id] = Text(message, "status");
                lastSeen = Math.Max(lastSeen, message.Seq);
            }

            hub.Abort();
        }

        // While the client is away: field activities, one read, the start date.
        await _care.MoveClockAsync(StartDate.AddDays(-2));
        var electric = (await _care.FieldActivitiesAsync($"serviceAgreementId={electricSa}")).Single();
        await _care.CompleteFieldActivityAsync(electric.Id, 11m, StartDate.AddDays(-2));
        await _care.MoveClockAsync(StartDate);

        // Back: watch again (current alerts and the seq they are current to), and read what happened since the last seq seen.
        await using var again = await HubClient.ConnectAsync(_silo.BaseAddress, Token(_care.Csr));
        var snapshot = await again.InvokeAsync("WatchAccount", account.Id);
        var page = await _care.EventsAsync(lastSeen);
        Assert.All(page.Events, e => Assert.True(e.Seq > lastSeen));
        foreach (var e in page.Events.Where(e => e.Stream.StartsWith("sa/", StringComparison.Ordinal) && known.ContainsKey(e.Stream[3..])))
        {
            if (e.Data.TryGetProperty("status", out var status))
            {
                known[e.Stream[3..]] = status.GetString()!;
            }
        }

        var actual = await _care.GetAccountAsync(account.Id);
        Assert.Equal(actual.ServiceAgreements.ToDictionary(s => s.Id, s => s.Status.ToString()), known);
        Assert.Equal("Active", known[electricSa]);
        Assert.Equal(
            (await _care.Csr.GetAsync<List<AlertDto>>($"/api/accounts/{account.Id}/alerts")).Select(a => a.Code),
            Codes(snapshot));

        // And from here on the live messages continue after the snapshot's seq.
        var gas = actual.ServiceAgreements.Single(s => s.Status.ToString() == "PendingStart").Id;
        await _care.Csr.PostAsync<ServiceAgreementResponse>($"/api/service-agreements/{gas}/cancel", new { reason = "gas not wanted" });
        var canceled = await again.WaitForAsync("serviceAgreement", m => Text(m, "status") == "Canceled", "the cancellation");
        Assert.True(canceled.Seq > snapshot.GetProperty("seq").GetInt64());
    }

    private static string Token(ApiClient client) => client.Http.DefaultRequestHeaders.Authorization!.Parameter!;

    private static string Text(HubMessage message, string field) => Text(message.Argument, field);

    private static string Text(JsonElement message, string field) =>
        message.GetProperty("serviceAgreement").GetProperty(field).GetString()!;

    private static List<string> Codes(JsonElement alerts) =>
        [.. alerts.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("code").GetString()!)];

    private sealed record AlertDto(string Code, string Message, string Severity);
}
