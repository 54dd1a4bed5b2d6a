using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Actors.Api.Tests.Infrastructure;

/// <summary>An HTTP client of the API that checks status codes and reads JSON and problem details.</summary>
public sealed class ApiClient(HttpClient http) : IDisposable
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    public HttpClient Http { get; } = http;

    public async Task<T> GetAsync<T>(string path)
    {
        using var response = await Http.GetAsync(path);
        return await ReadAsync<T>(response, HttpStatusCode.OK);
    }

    public async Task<T> PostAsync<T>(string path, object body, HttpStatusCode expected = HttpStatusCode.OK, string? idempotencyKey = null)
    {
        using var response = await SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body, Json), idempotencyKey);
        return await ReadAsync<T>(response, expected);
    }

    public async Task<T> PatchAsync<T>(string path, object body)
    {
        using var response = await SendAsync(HttpMethod.Patch, path, JsonSerializer.Serialize(body, Json));
        return await ReadAsync<T>(response, HttpStatusCode.OK);
    }

    /// <summary>Sends <paramref name="json"/> as it is (malformed bodies included) and expects a problem.</summary>
    public async Task<Problem> ProblemAsync(HttpMethod method, string path, string? json, HttpStatusCode expected, string? idempotencyKey = null)
    {
        using var response = await SendAsync(method, path, json, idempotencyKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<Problem>(text, Json)!;
    }

    public Task<Problem> ProblemAsync(HttpMethod method, string path, object body, HttpStatusCode expected, string? idempotencyKey = null) =>
        ProblemAsync(method, path, JsonSerializer.Serialize(body, Json), expected, idempotencyKey);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Http.SendAsync(request);
    }

    public void Dispose() => Http.Dispose();

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, Json)!;
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}

/// <summary>A problem details body (RFC 9457) with the API's extensions.</summary>
public sealed record Problem(int Status, string Title, string? Detail, string? Code, Dictionary<string, string[]>? Errors)
{
    public string[] ErrorsOf(string field) =>
        Errors is not null && Errors.TryGetValue(field, out var messages) ? messages : throw new Xunit.Sdk.XunitException($"No error for '{field}' in: {Detail} ({string.Join(", ", Errors?.Keys.ToArray() ?? [])})");
}
