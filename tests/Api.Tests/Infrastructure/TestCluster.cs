using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Actors.Runtime.Tests.Infrastructure;
using Npgsql;

namespace Actors.Api.Tests.Infrastructure;

/// <summary>
/// Several silo processes on one PostgreSQL database, and a client that behaves like a load balancer with retries:
/// a request that finds its silo dead (connection refused or reset) or unavailable (503) goes to the next live silo,
/// with the same Idempotency-Key.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> _silos = [];
    private int _next;

    private TestCluster(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public IReadOnlyList<SiloProcess> Silos => _silos;

    public string CsrToken { get; private set; } = string.Empty;

    public string AdminToken { get; private set; } = string.Empty;

    public static async Task<TestCluster> StartAsync(int silos)
    {
        var cluster = new TestCluster(await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync());
        for (var i = 0; i < silos; i++)
        {
            await cluster.AddSiloAsync();
        }

        cluster.CsrToken = await cluster.TokenAsync("csr");
        cluster.AdminToken = await cluster.TokenAsync("admin");
        return cluster;
    }

    public async Task<SiloProcess> AddSiloAsync(string? name = null)
    {
        var silo = await SiloProcess.StartAsync(name ?? $"silo-{_silos.Count}", ConnectionString);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Waits until the partitions are spread over the live silos: all held, none by a silo beyond its fair share.</summary>
    public Task<Dictionary<string, int>> WaitUntilBalancedAsync(IReadOnlyCollection<string> liveSilos, TimeSpan? timeout = null)
    {
        var share = (64 + liveSilos.Count - 1) / liveSilos.Count;
        return Polling.UntilAsync(
            LeaseOwnersAsync,
            owners => owners.Values.Sum() == 64 && owners.Keys.All(liveSilos.Contains) && owners.Count == liveSilos.Count && owners.Values.All(c => c <= share),
            $"the 64 partitions to be spread over {string.Join(", ", liveSilos)} (at most {share} each)",
            timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>Partitions per owner, from the lease table (unexpired leases only).</summary>
    public async Task<Dictionary<string, int>> LeaseOwnersAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT owner_node, count(*) FROM partition_lease WHERE owner_node IS NOT NULL AND expires_at > clock_timestamp() GROUP BY owner_node", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var owners = new Dictionary<string, int>();
        while (await reader.ReadAsync())
        {
            owners[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        return owners;
    }

    /// <summary>Sends a request to the live silos in turn until one answers with something other than 502/503.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null, string? idempotencyKey = null, string? token = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        var failures = new List<string>();
        while (true)
        {
            var live = _silos.Where(s => !s.HasExited && !s.IsFrozen).ToList();
            var silo = live[Interlocked.Increment(ref _next) % live.Count];
            try
            {
                using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(45) };
                using var request = new HttpRequestMessage(method, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? CsrToken);
                if (body is not null)
                {
                    request.Content = new StringContent(JsonSerializer.Serialize(body, ApiClient.Json), Encoding.UTF8, "application/json");
                }

                if (idempotencyKey is not null)
                {
                    request.Headers.Add("Idempotency-Key", idempotencyKey);
                }

                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway))
                {
                    return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
                }

                failures.Add($"{silo.Name}: {(int)response.StatusCode} {text}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                // IOException: the silo died while its answer was being read ("Transport endpoint is not connected");
                // the request is sent again to another silo, with the same Idempotency-Key when it has one.
                failures.Add($"{silo.Name}: {ex.Message}");
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{method} {path} failed on every silo until the deadline: {string.Join(" | ", failures.TakeLast(10))}");
            }
        }
    }

    /// <summary>Sends and expects <paramref name="expected"/>, returning the body.</summary>
    public async Task<JsonElement> ExpectAsync(HttpStatusCode expected, HttpMethod method, string path, object? body = null, string? idempotencyKey = null, string? token = null)
    {
        var (status, json) = await SendAsync(method, path, body, idempotencyKey, token);
        Assert.True(status == expected, $"{method} {path}: expected {(int)expected}, got {(int)status}: {json}");
        return json;
    }

    /// <summary>A customer moving in: person, account, an unmetered electric premise, a start on <paramref name="startDate"/>. Returns the SA id.</summary>
    public async Task<(string AccountId, string ServiceAgreementId)> MoveInAsync(string key, DateOnly startDate)
    {
        var person = await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/persons", new { name = $"Customer {key}" }, $"{key}-person");
        var account = await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/accounts", new { mainCustomerId = Id(person), customerClass = "Residential" }, $"{key}-account");
        var premise = await ExpectAsync(
            HttpStatusCode.Created,
            HttpMethod.Post,
            "/api/premises",
            new { address = new { line1 = $"{key} Cluster Road", city = "Springfield", state = "IL", postalCode = "62701" }, servicePoints = new[] { new { serviceType = "Electric", metered = false } } },
            $"{key}-premise");
        var start = await ExpectAsync(
            HttpStatusCode.Created,
            HttpMethod.Post,
            "/api/start-service",
            new { accountId = Id(account), premiseId = Id(premise), startDate, serviceTypes = new[] { "Electric" } },
            $"{key}-start");
        return (Id(account), Id(start.GetProperty("serviceAgreements")[0]));
    }

    /// <summary>Moves the cluster's manual clock (through any silo) and waits for the reminders it made due.</summary>
    public async Task MoveClockAsync(DateTimeOffset now)
    {
        var clock = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/admin/clock", new { now }, token: AdminToken);
        if (!clock.GetProperty("settled").GetBoolean())
        {
            Assert.Fail($"the reminders due by {now:O} did not all run; still due: {await DueRemindersAsync(now)}; consumers: {await CheckpointsAsync()}");
        }
    }

    private async Task<string> DueRemindersAsync(DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT grain_type || '/' || grain_key || ':' || name || ' claimed by ' || coalesce(claimed_by, '-') || ' attempts ' || attempts FROM reminder WHERE due_at <= $1", connection);
        command.Parameters.AddWithValue(now);
        await using var reader = await command.ExecuteReaderAsync();
        var due = new List<string>();
        while (await reader.ReadAsync())
        {
            due.Add(reader.GetString(0));
        }

        return string.Join("; ", due);
    }

    private async Task<string> CheckpointsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(consumer || '=' || seq, ', ') || ' of ' || (SELECT max(seq) FROM outbox) FROM consumer_checkpoint", connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? string.Empty;
    }

    public async Task<int> CountEventsAsync(string stream, string type)
    {
        var page = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/events?after=0&limit=1000&stream={Uri.EscapeDataString(stream)}");
        return page.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("type").GetString() == type);
    }

    /// <summary>The silos' logged errors (each "fail:" or "crit:" entry with the lines of its exception), for failure messages.</summary>
    public string LoggedErrors() => string.Join(
        Environment.NewLine,
        _silos.SelectMany(s =>
        {
            var lines = s.Output.Split('\n');
            return lines.Select((line, i) => (line, i))
                .Where(l => l.line.Contains("fail:", StringComparison.Ordinal) || l.line.Contains("crit:", StringComparison.Ordinal))
                .Select(l => $"[{s.Name}] " + string.Join('\n', lines.Skip(l.i).Take(12)));
        }));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }

    public static string Id(JsonElement entity) => entity.GetProperty("id").GetString()!;

    private async Task<string> TokenAsync(string user)
    {
        using var http = new HttpClient { BaseAddress = _silos[0].BaseAddress };
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { username = user, password = user + "-pass" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}
