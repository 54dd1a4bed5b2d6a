using System.Net;
using Actors.Api.Contracts;
using Actors.Grains.Abstractions;

namespace Actors.Api.Tests.Infrastructure;

/// <summary>The API as a CSR and an administrator use it: the steps of the start/stop process, each one HTTP call.</summary>
public sealed class CustomerCare(ApiClient csr, ApiClient admin) : IDisposable
{
    public ApiClient Csr { get; } = csr;

    public ApiClient Admin { get; } = admin;

    public static async Task<CustomerCare> SignInAsync(TestSilo silo) => new(await silo.SignInAsync("csr"), await silo.SignInAsync("admin"));

    public Task<PersonResponse> CreatePersonAsync(string name, string? phone = null, bool lifeSupport = false, string? key = null) =>
        Csr.PostAsync<PersonResponse>("/api/persons", new { name, phone, lifeSupport }, HttpStatusCode.Created, key ?? NewKey());

    public Task<AccountResponse> CreateAccountAsync(string mainCustomerId, string customerClass = "Residential", string? key = null) =>
        Csr.PostAsync<AccountResponse>("/api/accounts", new { mainCustomerId, customerClass }, HttpStatusCode.Created, key ?? NewKey());

    public Task<PremiseResponse> CreatePremiseAsync(string line1, string postalCode, params string[] serviceTypes) =>
        Csr.PostAsync<PremiseResponse>(
            "/api/premises",
            new { address = new { line1, city = "Springfield", state = "IL", postalCode }, servicePoints = serviceTypes.Select(t => new { serviceType = t }) },
            HttpStatusCode.Created,
            NewKey());

    /// <summary>A person with an account: a customer ready to move in.</summary>
    public async Task<(PersonResponse Person, AccountResponse Account)> CreateCustomerAsync(string name, string? phone = null)
    {
        var person = await CreatePersonAsync(name, phone);
        return (person, await CreateAccountAsync(person.Id));
    }

    public Task<StartServiceResponse> StartAsync(string accountId, string premiseId, DateOnly startDate, string[] serviceTypes, string? key = null, bool stopCurrentOccupants = false) =>
        Csr.PostAsync<StartServiceResponse>(
            "/api/start-service",
            new { accountId, premiseId, startDate, serviceTypes, stopCurrentOccupants },
            HttpStatusCode.Created,
            key ?? NewKey());

    public Task<StopServiceResponse> StopAsync(string accountId, string premiseId, DateOnly stopDate, string[]? serviceTypes = null) =>
        Csr.PostAsync<StopServiceResponse>("/api/stop-service", new { accountId, premiseId, stopDate, serviceTypes });

    public Task<ServiceAgreementResponse> GetServiceAgreementAsync(string id) => Csr.GetAsync<ServiceAgreementResponse>($"/api/service-agreements/{id}");

    public Task<AccountResponse> GetAccountAsync(string id) => Csr.GetAsync<AccountResponse>($"/api/accounts/{id}");

    public Task<IReadOnlyList<FieldActivityResponse>> FieldActivitiesAsync(string query) =>
        Csr.GetAsync<IReadOnlyList<FieldActivityResponse>>($"/api/field-activities?{query}");

    public Task<IReadOnlyList<ToDoResponse>> ToDosAsync(string query = "") => Csr.GetAsync<IReadOnlyList<ToDoResponse>>($"/api/todos?{query}");

    public Task<FieldActivityResponse> CompleteFieldActivityAsync(string id, decimal read, DateOnly completedOn) =>
        Csr.PostAsync<FieldActivityResponse>($"/api/field-activities/{id}/complete", new { read, completedOn });

    /// <summary>Moves the business clock (as the administrator) and checks the reminders it made due have run.</summary>
    public async Task<ClockResponse> MoveClockAsync(DateTimeOffset now)
    {
        var clock = await Admin.PostAsync<ClockResponse>("/api/admin/clock", new { now });
        Assert.True(clock.Settled, $"the reminders due by {now:O} did not all run");
        return clock;
    }

    /// <summary>Moves the clock to 00:00 UTC of <paramref name="date"/> plus <paramref name="hours"/>.</summary>
    public Task<ClockResponse> MoveClockAsync(DateOnly date, int hours = 0) =>
        MoveClockAsync(new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(hours));

    public Task<EventPage> EventsAsync(long after = 0, string? stream = null) =>
        Csr.GetAsync<EventPage>($"/api/events?after={after}" + (stream is null ? string.Empty : $"&stream={Uri.EscapeDataString(stream)}"));

    /// <summary>How many events of <paramref name="type"/> a stream holds.</summary>
    public async Task<int> CountEventsAsync(string stream, string type)
    {
        var page = await Csr.GetAsync<EventPage>($"/api/events?after=0&limit=1000&stream={Uri.EscapeDataString(stream)}");
        return page.Events.Count(e => e.Type == type);
    }

    public static string NewKey() => Guid.NewGuid().ToString();

    public void Dispose()
    {
        Csr.Dispose();
        Admin.Dispose();
    }
}
