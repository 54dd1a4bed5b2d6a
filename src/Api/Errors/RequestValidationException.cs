namespace Actors.Api.Errors;

/// <summary>
/// The request is malformed: a required field is missing, a value has the wrong shape. Answered with 400 and a
/// validation problem naming each field and its rule; nothing was changed.
/// </summary>
public sealed class RequestValidationException : Exception
{
    public RequestValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join(" ", errors.SelectMany(e => e.Value)))
    {
        Errors = errors;
    }

    public RequestValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public RequestValidationException()
        : this("request", "The request is not valid.")
    {
    }

    public RequestValidationException(string message)
        : this("request", message)
    {
    }

    public RequestValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = new Dictionary<string, string[]> { ["request"] = [message] };
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
