using System.Net.Http.Headers;
using System.Net.Http.Json;
using Actors.Runtime.Tests.Infrastructure;
using Actors.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actors.Api.Tests.Infrastructure;

public enum Store
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A real silo, built exactly as the executable builds it (<see cref="SiloApp.Build"/>), listening on a free loopback
/// port, on SQLite (a temporary file) or on a database of the shared test PostgreSQL. Business time runs on the
/// manual clock, moved only through the API. <see cref="RestartAsync"/> stops it and starts a new one on the same store
/// with the clock where it was.
/// </summary>
public sealed class TestSilo : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public const string SigningKey = "test-signing-key-of-at-least-32-characters";

    private readonly Store _store;
    private readonly string _storeAddress;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private WebApplication? _app;

    private TestSilo(Store store, string storeAddress, IReadOnlyDictionary<string, string?> settings)
    {
        _store = store;
        _storeAddress = storeAddress;
        _settings = settings;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The silo is not running.");

    /// <summary>Starts a silo on a fresh store. <paramref name="settings"/> override the test defaults (e.g. Utility:*).</summary>
    public static async Task<TestSilo> StartAsync(Store store, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var address = store == Store.Postgres
            ? await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync()
            : Path.Combine(Directory.CreateTempSubdirectory("actors-api-").FullName, "actors.db");
        var silo = new TestSilo(store, address, settings ?? new Dictionary<string, string?>());
        await silo.RunAsync(Start);
        return silo;
    }

    /// <summary>A client signed in as the test CSR (or another configured user).</summary>
    public async Task<ApiClient> SignInAsync(string username = "csr")
    {
        var client = Anonymous();
        var response = await client.Http.PostAsJsonAsync("/api/auth/token", new { username, password = username + "-pass" });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenBody>())!;
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    public ApiClient Anonymous() => new(new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) });

    /// <summary>Stops the silo gracefully and starts a new one on the same store, the clock where it was.</summary>
    public async Task RestartAsync()
    {
        var now = Services.GetRequiredService<Actors.Api.Clock.BusinessClock>().Time.GetUtcNow();
        await StopAsync();
        await RunAsync(now);
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_store == Store.Sqlite)
        {
            Directory.Delete(Path.GetDirectoryName(_storeAddress)!, recursive: true);
        }
    }

    private async Task RunAsync(DateTimeOffset clock)
    {
        var settings = Settings(clock);
        settings["urls"] = "http://127.0.0.1:0";
        settings["Storage:Provider"] = _store.ToString();
        settings["Storage:Sqlite:Path"] = _store == Store.Sqlite ? _storeAddress : null;
        settings["ConnectionStrings:Postgres"] = _store == Store.Postgres ? _storeAddress : null;
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        var app = SiloApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
        });
        await app.StartAsync();
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address);
    }

    /// <summary>What every test silo runs with, in process or as a process: manual clock, test users, no demo data.</summary>
    internal static Dictionary<string, string?> Settings(DateTimeOffset clock) => new()
    {
        ["Clock:Mode"] = "Manual",
        ["Clock:Start"] = clock.ToString("O"),
        ["Demo:Seed"] = "false",
        ["Auth:SigningKey"] = SigningKey,
        ["Auth:Users:0:Username"] = "csr",
        ["Auth:Users:0:Password"] = "csr-pass",
        ["Auth:Users:0:Roles:0"] = "CSR",
        ["Auth:Users:1:Username"] = "admin",
        ["Auth:Users:1:Password"] = "admin-pass",
        ["Auth:Users:1:Roles:0"] = "Admin",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private sealed record TokenBody(string AccessToken);
}
