using System.Text.Json;
using Actors.Grains.Abstractions;
using Actors.Runtime;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Actors.Api.Errors;

/// <summary>
/// The one place errors become problem details (RFC 9457): domain refusals by their code (404 unknown, 409 conflict,
/// stale version or illegal transition, 422 a rule about the request's own values), malformed requests 400 with the
/// field, an unavailable grain 503: also a write its silo's lost partition lease refused, which committed nothing and
/// reaches the partition's new owner when retried. Anything else is a 500 that says nothing about internals and is logged.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Map(exception);
        if (problem.Status >= StatusCodes.Status500InternalServerError && exception is not (GrainUnavailableException or LeaseLostException or TimeoutException))
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    internal static ProblemDetails Map(Exception exception) => exception switch
    {
        DomainException domain => FromDomain(domain),
        RequestValidationException invalid => Validation(invalid.Errors, "The request is not valid."),
        BadHttpRequestException bad => FromBadRequest(bad),
        GrainUnavailableException or LeaseLostException or TimeoutException => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Temporarily unavailable",
            Detail = exception.Message + " Retry the request with the same Idempotency-Key.",
        },
        _ => new ProblemDetails
        {
            Status = StatusCodes.Status500InternalServerError,
            Title = "Internal error",
            Detail = "The request failed inside the engine; it has been logged.",
        },
    };

    private static ProblemDetails FromDomain(DomainException exception)
    {
        var (status, title) = exception.Code switch
        {
            DomainErrorCode.NotFound => (StatusCodes.Status404NotFound, "Not found"),
            DomainErrorCode.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
            DomainErrorCode.StaleVersion => (StatusCodes.Status409Conflict, "Stale version"),
            DomainErrorCode.IllegalTransition => (StatusCodes.Status409Conflict, "Not allowed in this status"),
            _ => (StatusCodes.Status422UnprocessableEntity, "A business rule refused the request"),
        };
        var problem = new ProblemDetails { Status = status, Title = title, Detail = exception.Message };
        problem.Extensions["code"] = exception.Code.ToString();
        if (exception.Field is { } field)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [exception.Message] };
        }

        return problem;
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException json)
        {
            var field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return Validation(new Dictionary<string, string[]> { [field] = [Describe(json, field)] }, "The request body is not valid JSON for this request.");
        }

        return new ProblemDetails { Status = exception.StatusCode, Title = "Bad request", Detail = exception.Message };
    }

    /// <summary>System.Text.Json's message, without its path and position noise, which the field already says.</summary>
    private static string Describe(JsonException exception, string field)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return $"'{field}' is not a field of this request.";
        }

        if (message.Contains("could not be converted to ", StringComparison.Ordinal))
        {
            var type = message[(message.IndexOf("could not be converted to ", StringComparison.Ordinal) + 26)..].TrimEnd('.');
            return $"'{field}' has a value of the wrong type or format (expected {Friendly(type)}).";
        }

        return field == "body" ? $"The body is not valid JSON: {message}" : message;
    }

    /// <summary>The expected type in a client's words rather than .NET's.</summary>
    private static string Friendly(string type) => type switch
    {
        _ when type.Contains("DateOnly", StringComparison.Ordinal) => "a date, YYYY-MM-DD",
        _ when type.Contains("DateTimeOffset", StringComparison.Ordinal) => "an ISO-8601 instant",
        _ when type.Contains("Decimal", StringComparison.Ordinal) || type.Contains("Int", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("String", StringComparison.Ordinal) => "a string",
        _ when type.Contains("List", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) => "an array",
        _ => EnumNames(type) is { } names ? $"one of {names}" : "another shape",
    };

    private static string? EnumNames(string typeName)
    {
        var name = typeName.Replace("System.Nullable`1[", string.Empty, StringComparison.Ordinal).TrimEnd(']');
        var type = typeof(ServiceType).Assembly.GetType(name);
        return type is { IsEnum: true } ? string.Join(", ", Enum.GetNames(type)) : null;
    }

    private static ProblemDetails Validation(IReadOnlyDictionary<string, string[]> errors, string title)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = title,
            Detail = string.Join(" ", errors.SelectMany(e => e.Value)),
        };
        problem.Extensions["errors"] = errors;
        return problem;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
