using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Actors.Runtime.Execution;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Cluster;

/// <summary>A grain call sent to the node that owns the grain's partition: the method by key, the arguments as JSON.</summary>
internal sealed record RemoteCallRequest(string GrainType, string Key, string Method, IReadOnlyList<JsonElement> Arguments);

/// <summary>
/// The owner's answer: the result (null for a method without one), the exception the grain threw, or
/// <see cref="NotOwner"/> when the partition is no longer held there (ownership moved: the caller looks again).
/// </summary>
internal sealed record RemoteCallResponse(JsonElement? Result, RemoteError? Error, bool NotOwner = false);

/// <summary>An exception crossing nodes: its type, message and simple public properties (e.g. a domain error's code and field).</summary>
internal sealed record RemoteError(string Type, string Message, IReadOnlyDictionary<string, JsonElement>? Properties);

/// <summary>Carries grain calls to other nodes. HTTP/2 between silos; tests may connect in-process nodes directly.</summary>
internal interface IGrainCallTransport
{
    Task<RemoteCallResponse> SendAsync(PartitionRoute route, RemoteCallRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Exceptions across nodes keep their type and what a caller acts on: the exception is rebuilt through the public
/// constructor whose parameters its message and properties can fill (so a DomainException keeps its code and field);
/// a type this node cannot rebuild arrives as <see cref="GrainException"/> with the original type name and message.
/// </summary>
internal static class RemoteErrors
{
    public static RemoteError Encode(Exception exception, JsonSerializerOptions options)
    {
        var properties = exception.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType != typeof(Exception) && p.CanRead && p.GetIndexParameters().Length == 0 && IsSimple(p.PropertyType))
            .ToDictionary(p => p.Name, p => JsonSerializer.SerializeToElement(p.GetValue(exception), p.PropertyType, options), StringComparer.OrdinalIgnoreCase);
        return new RemoteError(exception.GetType().AssemblyQualifiedName ?? exception.GetType().FullName!, exception.Message, properties);
    }

    public static Exception Decode(RemoteError error, JsonSerializerOptions options)
    {
        var type = Type.GetType(error.Type, throwOnError: false);
        if (type is not null && typeof(Exception).IsAssignableFrom(type))
        {
            var properties = error.Properties is null
                ? new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase)
                : new Dictionary<string, JsonElement>(error.Properties, StringComparer.OrdinalIgnoreCase);
            foreach (var constructor in type.GetConstructors().OrderByDescending(c => c.GetParameters().Length))
            {
                if (TryArguments(constructor, error.Message, properties, options) is { } arguments)
                {
                    return (Exception)constructor.Invoke(arguments);
                }
            }
        }

        return new GrainException(error.Type.Split(',')[0], error.Message);
    }

    private static object?[]? TryArguments(ConstructorInfo constructor, string message, Dictionary<string, JsonElement> properties, JsonSerializerOptions options)
    {
        var parameters = constructor.GetParameters();
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            if (parameter.Name == "message" && parameter.ParameterType == typeof(string))
            {
                arguments[i] = message;
            }
            else if (parameter.Name is { } name && properties.TryGetValue(name, out var value) && IsSimple(parameter.ParameterType))
            {
                arguments[i] = value.Deserialize(parameter.ParameterType, options);
            }
            else if (parameter.HasDefaultValue)
            {
                arguments[i] = parameter.DefaultValue;
            }
            else
            {
                return null;
            }
        }

        return arguments;
    }

    private static bool IsSimple(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(DateTimeOffset) || underlying == typeof(DateOnly) || underlying == typeof(TimeSpan) || underlying == typeof(Guid);
    }
}

/// <summary>Runs calls forwarded by other nodes on this node's activations.</summary>
internal sealed class RemoteCallDispatcher(ActorRuntime runtime)
{
    private readonly Lazy<IReadOnlyDictionary<string, GrainMethod>> _methods = new(() => runtime.Registry.Interfaces
        .SelectMany(i => i.GetMethods().Concat(i.GetInterfaces().SelectMany(b => b.GetMethods())))
        .Distinct()
        .Select(GrainMethod.For)
        .ToDictionary(m => m.Key, StringComparer.Ordinal));

    public async Task<RemoteCallResponse> DispatchAsync(RemoteCallRequest request, CancellationToken cancellationToken)
    {
        GrainMethod? method = null;
        var isDelivery = request.Method == ImplicitSubscriptionConsumer.DeliveryMethod;
        if (!runtime.Registry.TryGetForGrainType(request.GrainType, out var grainClass) || (!isDelivery && !_methods.Value.TryGetValue(request.Method, out method)))
        {
            return Failed(new InvalidOperationException($"Node {runtime.Directory.NodeId} does not know the grain method {request.GrainType}.{request.Method}: are all silos running the same version?"));
        }

        var grainId = new GrainId(request.GrainType, request.Key);
        var partition = Partitioner.GetPartition(grainId, runtime.Directory.PartitionCount);
        if (!runtime.Directory.IsLocal(partition))
        {
            return new RemoteCallResponse(null, null, NotOwner: true);
        }

        try
        {
            if (isDelivery)
            {
                var stored = request.Arguments[0].Deserialize<StoredEvent>(runtime.JsonOptions)!;
                await ImplicitSubscriptionConsumer.DeliverAsync(runtime, grainClass, grainId, stored, runtime.Logger, cancellationToken);
                return new RemoteCallResponse(null, null);
            }

            return new RemoteCallResponse(await method!.DispatchAsync(runtime, grainClass, grainId, request.Arguments, cancellationToken), null);
        }
        catch (GrainUnavailableException) when (!runtime.Directory.IsLocal(partition))
        {
            return new RemoteCallResponse(null, null, NotOwner: true);
        }
        catch (Exception ex)
        {
            return Failed(ex);
        }
    }

    private RemoteCallResponse Failed(Exception exception) => new(null, RemoteErrors.Encode(exception, runtime.JsonOptions));
}

/// <summary>
/// Forwards grain calls over HTTP/2 (cleartext, prior knowledge) to the owner's internal endpoint, with the cluster
/// secret. A node that does not answer (dead, frozen, unreachable) fails the call with a
/// <see cref="GrainUnavailableException"/> that says the call is safe to retry.
/// </summary>
internal sealed class HttpGrainCallTransport : IGrainCallTransport, IDisposable
{
    public const string Path = "/internal/grain-calls";
    public const string SecretHeader = "X-Cluster-Secret";

    private readonly HttpClient _http;
    private readonly ActorRuntimeOptions _options;
    private readonly JsonSerializerOptions _json;

    public HttpGrainCallTransport(IOptions<ActorRuntimeOptions> options, JsonSerializerOptions json)
    {
        _options = options.Value;
        _json = json;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(3),
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<RemoteCallResponse> SendAsync(PartitionRoute route, RemoteCallRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CallTimeout + TimeSpan.FromSeconds(5));
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(route.Address!), Path))
        {
            Content = JsonContent.Create(request, options: _json),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Headers.Add(SecretHeader, _options.ClusterSecret);
        try
        {
            using var response = await _http.SendAsync(message, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(timeout.Token);
                throw Unavailable(route, request, $"it answered {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}", null);
            }

            return await response.Content.ReadFromJsonAsync<RemoteCallResponse>(_json, timeout.Token)
                ?? throw Unavailable(route, request, "it answered nothing", null);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // Nothing was sent: the node is gone or not listening any more. The caller may look for the new owner.
            throw new NodeUnreachableException(route.NodeId!, Unavailable(route, request, ex.Message, ex));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Unavailable(route, request, ex.Message, ex);
        }
    }

    public void Dispose() => _http.Dispose();

    private static GrainUnavailableException Unavailable(PartitionRoute route, RemoteCallRequest request, string why, Exception? inner) => new(
        $"Node {route.NodeId} ({route.Address}) did not complete the call {request.Method} on grain {request.GrainType}/{request.Key}: {why}. "
        + "It may have failed while handling it; the call is safe to retry (API requests with the same Idempotency-Key).",
        inner);
}

public static class ClusterEndpoints
{
    /// <summary>
    /// Maps the endpoint other nodes forward grain calls to (<c>POST /internal/grain-calls</c>), authorised by the
    /// cluster secret (<c>Runtime:ClusterSecret</c>) rather than a user's token. Bind it to an internal address only.
    /// </summary>
    public static IEndpointConventionBuilder MapActorRuntimeEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.MapPost(HttpGrainCallTransport.Path, async (HttpContext context, CancellationToken cancellationToken) =>
        {
            var services = context.RequestServices;
            var options = services.GetRequiredService<IOptions<ActorRuntimeOptions>>().Value;
            var given = Encoding.UTF8.GetBytes(context.Request.Headers[HttpGrainCallTransport.SecretHeader].ToString());
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), SHA256.HashData(Encoding.UTF8.GetBytes(options.ClusterSecret))))
            {
                return Results.Unauthorized();
            }

            var json = services.GetRequiredService<JsonSerializerOptions>();
            var request = await context.Request.ReadFromJsonAsync<RemoteCallRequest>(json, cancellationToken);
            if (request is null)
            {
                return Results.BadRequest();
            }

            var response = await services.GetRequiredService<RemoteCallDispatcher>().DispatchAsync(request, cancellationToken);
            return Results.Json(response, json);
        }).AllowAnonymous().ExcludeFromDescription();
    }
}

/// <summary>A call could not even be sent to the node (connection refused): safe to route again once the directory knows more.</summary>
internal sealed class NodeUnreachableException(string nodeId, GrainUnavailableException unavailable) : Exception(unavailable.Message, unavailable)
{
    public string NodeId { get; } = nodeId;

    public GrainUnavailableException Unavailable { get; } = unavailable;
}
