using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Actors.Api.Contracts;
using Actors.Api.Security;
using Actors.Api.Tests.Infrastructure;
using Actors.Runtime;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Actors.Api.Tests.Security;

public sealed class AuthenticationTests : IAsyncLifetime
{
    private static readonly HashSet<string> s_anonymous = ["/api/auth/token", "/health/live", "/health/ready", "/openapi/{documentName}.json"];

    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync(Store.Sqlite);

    public Task DisposeAsync() => _silo.DisposeAsync().AsTask();

    [Fact]
    public async Task EveryEndpoint_ButSignInHealthAndTheOpenApiDocument_RefusesARequestWithoutAToken()
    {
        var endpoints = _silo.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .ToList();
        Assert.Contains(endpoints, e => e.Pattern == "/api/start-service");
        using var anonymous = _silo.Anonymous();
        foreach (var (method, pattern) in endpoints.Where(e => !s_anonymous.Contains(e.Pattern)))
        {
            var path = pattern.Replace("{id}", "PER-0000000000", StringComparison.Ordinal).Replace("{personId}", "PER-0000000000", StringComparison.Ordinal);
            using var response = await anonymous.SendAsync(new HttpMethod(method), path, method == "GET" ? null : "{}");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {pattern} answered {(int)response.StatusCode} without a token");
        }

        using var health = await anonymous.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task SignIn_WithAWrongPasswordOrUnknownUser_IsRefused()
    {
        using var anonymous = _silo.Anonymous();
        foreach (var (username, password) in new[] { ("csr", "wrong"), ("nobody", "csr-pass"), ("csr", "") })
        {
            var problem = await anonymous.ProblemAsync(HttpMethod.Post, "/api/auth/token", new { username, password }, HttpStatusCode.Unauthorized);
            Assert.Equal("Sign-in failed", problem.Title);
        }

        var token = await anonymous.PostAsync<TokenResponse>("/api/auth/token", new { username = "csr", password = "csr-pass" });
        Assert.Equal(["CSR"], token.Roles);
        Assert.True(token.ExpiresAt > DateTimeOffset.UtcNow.AddHours(7));
    }

    [Fact]
    public async Task AForgedOrTamperedToken_IsRefused()
    {
        using var csr = await _silo.SignInAsync("csr");
        var token = csr.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        using (var ok = await csr.Http.GetAsync("/api/events?after=0&limit=1"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var payload = token[..token.IndexOf('.', StringComparison.Ordinal)];
        var otherKey = new TokenService(Options.Create(new AuthOptions { SigningKey = new string('x', 40) }));
        var forged = otherKey.Issue(new ApiUser { Username = "csr", Roles = ["Admin"] }).AccessToken;
        foreach (var bad in new[] { payload + ".AAAA", forged, "garbage", token + "x" })
        {
            using var client = _silo.Anonymous();
            client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bad);
            using var response = await client.Http.GetAsync("/api/events?after=0&limit=1");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public void ATokenPastItsLifetime_IsRefused_ByTheRealClockNotTheBusinessClock()
    {
        var realTime = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));
        var tokens = new TokenService(Options.Create(new AuthOptions { SigningKey = TestSilo.SigningKey, TokenLifetime = TimeSpan.FromHours(8) }), realTime);
        var issued = tokens.Issue(new ApiUser { Username = "csr", Roles = ["CSR"] });
        realTime.Advance(TimeSpan.FromHours(7));
        Assert.Equal("csr", tokens.Validate(issued.AccessToken, "Bearer")?.Identity?.Name);
        realTime.Advance(TimeSpan.FromHours(1));
        Assert.Null(tokens.Validate(issued.AccessToken, "Bearer"));
    }

    [Fact]
    public async Task TheClock_IsForAdministratorsOnly()
    {
        using var csr = await _silo.SignInAsync("csr");
        using var forbidden = await csr.Http.GetAsync("/api/admin/clock");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var admin = await _silo.SignInAsync("admin");
        var clock = await admin.GetAsync<ClockResponse>("/api/admin/clock");
        Assert.Equal((TestSilo.Start, "Manual"), (clock.Now, clock.Mode));
        var moved = await admin.PostAsync<ClockResponse>("/api/admin/clock", new { now = TestSilo.Start.AddHours(5) });
        Assert.Equal(TestSilo.Start.AddHours(5), moved.Now);
    }

    [Fact]
    public async Task WithTheSystemClock_TheClockEndpointsDoNotExist()
    {
        await using var silo = await TestSilo.StartAsync(Store.Sqlite, new Dictionary<string, string?> { ["Clock:Mode"] = "System" });
        using var admin = await silo.SignInAsync("admin");
        await admin.ProblemAsync(HttpMethod.Get, "/api/admin/clock", json: null, HttpStatusCode.NotFound);
        await admin.ProblemAsync(HttpMethod.Post, "/api/admin/clock", new { now = DateTimeOffset.UtcNow.AddDays(1) }, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheContract()
    {
        using var anonymous = _silo.Anonymous();
        var document = await anonymous.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[]
        {
            "/api/auth/token", "/api/persons", "/api/persons/{id}", "/api/accounts", "/api/accounts/{id}", "/api/premises", "/api/premises/{id}",
            "/api/start-service", "/api/stop-service", "/api/transfer-service", "/api/service-agreements/{id}", "/api/service-agreements/{id}/activate",
            "/api/service-agreements/{id}/stop", "/api/service-agreements/{id}/cancel", "/api/field-activities", "/api/field-activities/{id}/complete",
            "/api/todos", "/api/todos/{id}/assign", "/api/todos/{id}/complete", "/api/search", "/api/events", "/api/admin/clock",
            "/api/persons/{id}/history", "/api/accounts/{id}/history", "/api/premises/{id}/history", "/api/service-agreements/{id}/history",
        })
        {
            Assert.True(paths.Contains(path) || paths.Contains(path + "/"), $"the OpenAPI document lacks {path}");
        }
    }
}
