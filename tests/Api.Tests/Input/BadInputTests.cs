using System.Net;
using Actors.Api.Contracts;
using Actors.Api.Tests.Infrastructure;

namespace Actors.Api.Tests.Input;

/// <summary>
/// Bad input of every kind gets a problem-details answer naming the field and the rule (400 for a malformed request,
/// 422 for a business rule about its values, 404 for what does not exist), and changes nothing.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string UnknownPerson = "PER-0000000000";

    private TestSilo _silo = null!;
    private CustomerCare _care = null!;
    private string _premiseId = null!;
    private string _accountId = null!;
    private string _fieldActivityId = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync(Store.Sqlite);
        _care = await CustomerCare.SignInAsync(_silo);
        _premiseId = (await _care.CreatePremiseAsync("1 Input Street", "62701", "Electric")).Id;
        _accountId = (await _care.CreateCustomerAsync("Ora Input")).Account.Id;
        var sa = (await _care.StartAsync(_accountId, _premiseId, new DateOnly(2026, 3, 3), ["Electric"])).ServiceAgreements[0].Id;
        _fieldActivityId = (await Polling.UntilAsync(() => _care.FieldActivitiesAsync($"serviceAgreementId={sa}"), f => f.Count == 1, "the start field activity"))[0].Id;
    }

    public async Task DisposeAsync()
    {
        _care.Dispose();
        await _silo.DisposeAsync();
    }

    public static TheoryData<string, string, string, HttpStatusCode, string> Cases => new()
    {
        // method, path, body, status, field named
        { "POST", "/api/persons", "{\"name\": \"Unclosed\"", HttpStatusCode.BadRequest, "body" },
        { "POST", "/api/persons", "{}", HttpStatusCode.BadRequest, "name" },
        { "POST", "/api/persons", "{\"name\": 5}", HttpStatusCode.BadRequest, "name" },
        { "POST", "/api/persons", "{\"name\": \"Pat\", \"shoeSize\": 44}", HttpStatusCode.BadRequest, "shoeSize" },
        { "POST", "/api/persons", "{\"name\": \"  \"}", HttpStatusCode.UnprocessableEntity, "name" },
        { "POST", "/api/persons", "{\"name\": \"Pat\", \"email\": \"not-an-address\"}", HttpStatusCode.UnprocessableEntity, "email" },
        { "POST", "/api/persons", "{\"name\": \"Pat\", \"phone\": \"call me\"}", HttpStatusCode.UnprocessableEntity, "phone" },
        { "POST", "/api/persons", "{\"name\": \"Pat\", \"lifeSupport\": \"yes\"}", HttpStatusCode.BadRequest, "lifeSupport" },
        { "POST", "/api/accounts", "{\"mainCustomerId\": \"PER-12\", \"customerClass\": \"Residential\"}", HttpStatusCode.BadRequest, "mainCustomerId" },
        { "POST", "/api/accounts", "{\"mainCustomerId\": \"" + UnknownPerson + "\", \"customerClass\": \"Royal\"}", HttpStatusCode.BadRequest, "customerClass" },
        { "POST", "/api/accounts", "{\"mainCustomerId\": \"" + UnknownPerson + "\", \"customerClass\": 1}", HttpStatusCode.BadRequest, "customerClass" },
        { "POST", "/api/accounts", "{\"customerClass\": \"Residential\"}", HttpStatusCode.BadRequest, "mainCustomerId" },
        { "POST", "/api/premises", "{\"servicePoints\": [{\"serviceType\": \"Electric\"}]}", HttpStatusCode.BadRequest, "address" },
        { "POST", "/api/premises", "{\"address\": {\"line1\": \"1 A St\", \"city\": \"X\", \"state\": \"IL\"}, \"servicePoints\": [{\"serviceType\": \"Electric\"}]}", HttpStatusCode.BadRequest, "address.postalCode" },
        { "POST", "/api/premises", "{\"address\": {\"line1\": \"1 A St\", \"city\": \"X\", \"state\": \"IL\", \"postalCode\": \"62701\"}, \"servicePoints\": []}", HttpStatusCode.BadRequest, "servicePoints" },
        { "POST", "/api/premises", "{\"address\": {\"line1\": \"1 A St\", \"city\": \"X\", \"state\": \"IL\", \"postalCode\": \"62701\"}, \"servicePoints\": [{\"serviceType\": \"Steam\"}]}", HttpStatusCode.BadRequest, "servicePoints[0].serviceType" },
        { "POST", "/api/premises", "{\"address\": {\"line1\": \"1 A St\", \"city\": \"X\", \"state\": \"IL\", \"postalCode\": \"62701\"}, \"servicePoints\": [{\"serviceType\": \"Gas\"}, {\"serviceType\": \"Gas\"}]}", HttpStatusCode.UnprocessableEntity, "servicePoints" },
        { "POST", "/api/start-service", "{\"accountId\": \"$account\", \"premiseId\": \"$premise\", \"startDate\": \"2026-13-45\", \"serviceTypes\": [\"Electric\"]}", HttpStatusCode.BadRequest, "startDate" },
        { "POST", "/api/start-service", "{\"accountId\": \"$account\", \"premiseId\": \"$premise\", \"startDate\": \"03/10/2026\", \"serviceTypes\": [\"Electric\"]}", HttpStatusCode.BadRequest, "startDate" },
        { "POST", "/api/start-service", "{\"accountId\": \"$account\", \"premiseId\": \"$premise\", \"startDate\": \"2026-03-20\", \"serviceTypes\": []}", HttpStatusCode.BadRequest, "serviceTypes" },
        { "POST", "/api/start-service", "{\"accountId\": \"$account\", \"premiseId\": \"$premise\", \"startDate\": \"2025-12-01\", \"serviceTypes\": [\"Electric\"]}", HttpStatusCode.UnprocessableEntity, "startDate" },
        { "POST", "/api/start-service", "{\"accountId\": \"$account\", \"premiseId\": \"$premise\", \"startDate\": \"2026-03-20\", \"serviceTypes\": [\"Water\"]}", HttpStatusCode.UnprocessableEntity, "serviceTypes" },
        { "POST", "/api/start-service", "{\"accountId\": \"$account\", \"premiseId\": \"PRM-0000000000\", \"startDate\": \"2026-03-20\", \"serviceTypes\": [\"Electric\"]}", HttpStatusCode.NotFound, "" },
        { "POST", "/api/stop-service", "{\"accountId\": \"$account\", \"premiseId\": \"$premise\"}", HttpStatusCode.BadRequest, "stopDate" },
        { "POST", "/api/transfer-service", "{\"accountId\": \"$account\", \"fromPremiseId\": \"$premise\", \"toPremiseId\": \"$premise\", \"date\": \"2026-03-20\"}", HttpStatusCode.BadRequest, "toPremiseId" },
        { "POST", "/api/field-activities/$fa/complete", "{\"read\": -5, \"completedOn\": \"2026-03-02\"}", HttpStatusCode.UnprocessableEntity, "read" },
        { "POST", "/api/field-activities/$fa/complete", "{\"read\": 5, \"completedOn\": \"2026-03-09\"}", HttpStatusCode.UnprocessableEntity, "completedOn" },
        { "POST", "/api/field-activities/$fa/complete", "{\"read\": \"lots\", \"completedOn\": \"2026-03-02\"}", HttpStatusCode.BadRequest, "read" },
        { "POST", "/api/todos/TD-nothing-here/assign", "{}", HttpStatusCode.BadRequest, "user" },
        { "GET", "/api/persons/not-an-id", "", HttpStatusCode.NotFound, "" },
        { "GET", "/api/persons/" + UnknownPerson, "", HttpStatusCode.NotFound, "" },
        { "GET", "/api/search?q=", "", HttpStatusCode.BadRequest, "q" },
        { "GET", "/api/events?after=-1", "", HttpStatusCode.BadRequest, "after" },
        { "GET", "/api/events?limit=100000", "", HttpStatusCode.BadRequest, "limit" },
        { "GET", "/api/field-activities?premiseId=nope", "", HttpStatusCode.BadRequest, "premiseId" },
        { "PATCH", "/api/persons/" + UnknownPerson, "{\"name\": \"No Version\"}", HttpStatusCode.BadRequest, "version" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_GetsAProblemNamingTheField_AndChangesNothing(string method, string path, string body, HttpStatusCode status, string field)
    {
        var before = (await _care.EventsAsync(0)).Events.Count;
        var problem = await _care.Csr.ProblemAsync(new HttpMethod(method), Fill(path), body.Length == 0 ? null : Fill(body), status);
        Assert.Equal((int)status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        if (field.Length > 0)
        {
            Assert.NotEmpty(problem.ErrorsOf(field));
        }

        Assert.Equal(before, (await _care.EventsAsync(0)).Events.Count);
    }

    [Fact]
    public async Task AMalformedIdempotencyKey_IsRefused()
    {
        var problem = await _care.Csr.ProblemAsync(HttpMethod.Post, "/api/persons", new { name = "Key Person" }, HttpStatusCode.BadRequest, "not a key!");
        Assert.NotEmpty(problem.ErrorsOf("Idempotency-Key"));
    }

    [Fact]
    public async Task ABodyThatIsNotJson_IsUnsupportedMediaType()
    {
        using var content = new StringContent("name=Pat");
        using var response = await _care.Csr.Http.PostAsync("/api/persons", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MovingTheClockBackwards_IsRefused()
    {
        var clock = await _care.Admin.GetAsync<ClockResponse>("/api/admin/clock");
        var problem = await _care.Admin.ProblemAsync(HttpMethod.Post, "/api/admin/clock", new { now = clock.Now.AddDays(-1) }, HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(problem.ErrorsOf("now"));
        Assert.Equal(clock.Now, (await _care.Admin.GetAsync<ClockResponse>("/api/admin/clock")).Now);
    }

    private string Fill(string text) => text.Replace("$account", _accountId, StringComparison.Ordinal)
        .Replace("$premise", _premiseId, StringComparison.Ordinal)
        .Replace("$fa", _fieldActivityId, StringComparison.Ordinal);
}
