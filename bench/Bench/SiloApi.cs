using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Actors.Bench;

/// <summary>A person as created or changed: its id and the version the next change must name.</summary>
internal readonly record struct PersonRef(string Id, long Version);

/// <summary>
/// The customer-care API over HTTP as a CSR and an administrator use it: every call is one real request to the silo,
/// every creating POST carries an Idempotency-Key, and a refusal (any status other than the expected one) throws with
/// the problem details the silo answered.
/// </summary>
internal sealed class SiloApi : IDisposable
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue _csr;
    private readonly AuthenticationHeaderValue _admin;

    private SiloApi(HttpClient http, string csrToken, string adminToken)
    {
        _http = http;
        _csr = new AuthenticationHeaderValue("Bearer", csrToken);
        _admin = new AuthenticationHeaderValue("Bearer", adminToken);
        CsrToken = csrToken;
    }

    /// <summary>The CSR's bearer token, for the hub's access_token.</summary>
    public string CsrToken { get; }

    public Uri BaseAddress => _http.BaseAddress!;

    public static async Task<SiloApi> SignInAsync(Uri address, CancellationToken cancellationToken)
    {
        var http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            MaxConnectionsPerServer = int.MaxValue,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromMinutes(10),
        };
        try
        {
            var csr = await TokenAsync(http, SiloProcess.CsrUser, cancellationToken);
            var admin = await TokenAsync(http, SiloProcess.AdminUser, cancellationToken);
            return new SiloApi(http, csr, admin);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    public async Task<PersonRef> CreatePersonAsync(string key, string name, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(
            HttpMethod.Post, "/api/persons", $$"""{"name":{{Quote(name)}},"phone":"555-0100"}""", key, HttpStatusCode.Created, _csr, cancellationToken);
        return new PersonRef(document.RootElement.GetProperty("id").GetString()!, document.RootElement.GetProperty("version").GetInt64());
    }

    public async Task<PersonRef> SetPersonLifeSupportAsync(PersonRef person, bool lifeSupport, CancellationToken cancellationToken)
    {
        var body = $$"""{"version":{{person.Version.ToString(CultureInfo.InvariantCulture)}},"lifeSupport":{{(lifeSupport ? "true" : "false")}}}""";
        using var document = await SendAsync(HttpMethod.Patch, "/api/persons/" + person.Id, body, key: null, HttpStatusCode.OK, _csr, cancellationToken);
        return new PersonRef(person.Id, document.RootElement.GetProperty("version").GetInt64());
    }

    /// <summary>Reads a person (its grain is activated if it was not).</summary>
    public async Task GetPersonAsync(string id, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, "/api/persons/" + id, body: null, key: null, HttpStatusCode.OK, _csr, cancellationToken);
    }

    /// <summary>Reads an account with its persons and SAs.</summary>
    public async Task GetAccountAsync(string id, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, "/api/accounts/" + id, body: null, key: null, HttpStatusCode.OK, _csr, cancellationToken);
    }

    /// <summary>Reads a service agreement.</summary>
    public async Task GetServiceAgreementAsync(string id, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, "/api/service-agreements/" + id, body: null, key: null, HttpStatusCode.OK, _csr, cancellationToken);
    }

    public async Task<string> CreateAccountAsync(string key, string mainCustomerId, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(
            HttpMethod.Post, "/api/accounts", $$"""{"mainCustomerId":"{{mainCustomerId}}","customerClass":"Residential"}""", key, HttpStatusCode.Created, _csr, cancellationToken);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A premise with an electric and a gas service point, both unmetered: starting service on them needs no read.</summary>
    public async Task<string> CreatePremiseAsync(string key, int number, CancellationToken cancellationToken)
    {
        var body = $$"""
            {"address":{"line1":"{{number.ToString(CultureInfo.InvariantCulture)}} Benchmark Way","city":"Springfield","state":"IL","postalCode":"62701"},
             "servicePoints":[{"serviceType":"Electric","metered":false},{"serviceType":"Gas","metered":false}]}
            """;
        using var document = await SendAsync(HttpMethod.Post, "/api/premises", body, key, HttpStatusCode.Created, _csr, cancellationToken);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Starts electric and gas service: two pending-start SAs, whose ids are returned.</summary>
    public async Task<string[]> StartServiceAsync(string key, string accountId, string premiseId, DateOnly startDate, CancellationToken cancellationToken)
    {
        var body = $$"""
            {"accountId":"{{accountId}}","premiseId":"{{premiseId}}","startDate":"{{startDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}}","serviceTypes":["Electric","Gas"]}
            """;
        using var document = await SendAsync(HttpMethod.Post, "/api/start-service", body, key, HttpStatusCode.Created, _csr, cancellationToken);
        return [.. document.RootElement.GetProperty("serviceAgreements").EnumerateArray().Select(sa => sa.GetProperty("id").GetString()!)];
    }

    /// <summary>Moves the manual business clock; answers once the reminders it made due have run (settled) or the silo's settle timeout passed.</summary>
    public async Task<bool> MoveClockAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(
            HttpMethod.Post, "/api/admin/clock", $$"""{"now":"{{now.ToString("O", CultureInfo.InvariantCulture)}}"}""", key: null, HttpStatusCode.OK, _admin, cancellationToken);
        return document.RootElement.GetProperty("settled").GetBoolean();
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonDocument> SendAsync(
        HttpMethod method, string path, string? body, string? key, HttpStatusCode expected, AuthenticationHeaderValue authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = authorization;
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = s_json;
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new HttpRequestException(
                $"{method} {path} answered {(int)response.StatusCode} (expected {(int)expected}): {Encoding.UTF8.GetString(content)}", null, response.StatusCode);
        }

        return JsonDocument.Parse(content);
    }

    private static async Task<string> TokenAsync(HttpClient http, string username, CancellationToken cancellationToken)
    {
        using var content = new StringContent($$"""{"username":"{{username}}","password":"{{SiloProcess.Password}}"}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/auth/token", content, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return document.RootElement.GetProperty("accessToken").GetString()!;
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
