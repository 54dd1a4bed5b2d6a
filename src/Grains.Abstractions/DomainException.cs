namespace Actors.Grains.Abstractions;

/// <summary>What kind of rule a request broke; the API maps it to a status code.</summary>
public enum DomainErrorCode
{
    /// <summary>The entity does not exist (404).</summary>
    NotFound,

    /// <summary>The request clashes with the current state of the world, e.g. an overlapping SA (409).</summary>
    Conflict,

    /// <summary>The caller's <c>version</c> is not the current one (409).</summary>
    StaleVersion,

    /// <summary>The request itself is malformed or breaks a rule about its own fields (422).</summary>
    Invalid,

    /// <summary>The entity's status does not allow the action (409).</summary>
    IllegalTransition,
}

/// <summary>A business rule refused a request. Thrown by grains, mapped to problem details by the API.</summary>
public sealed class DomainException : Exception
{
    public DomainException(DomainErrorCode code, string message, string? field = null)
        : base(message)
    {
        Code = code;
        Field = field;
    }

    public DomainException()
        : this(DomainErrorCode.Invalid, "The request was refused.")
    {
    }

    public DomainException(string message)
        : this(DomainErrorCode.Invalid, message)
    {
    }

    public DomainException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = DomainErrorCode.Invalid;
    }

    public DomainErrorCode Code { get; }

    /// <summary>The request field at fault (camelCase, as in the API), when there is one.</summary>
    public string? Field { get; }

    public static DomainException NotFound(string entity, string id) =>
        new(DomainErrorCode.NotFound, $"{entity} {id} does not exist.");

    public static DomainException Conflict(string message, string? field = null) =>
        new(DomainErrorCode.Conflict, message, field);

    public static DomainException StaleVersion(string entity, string id, long expected, long current) =>
        new(DomainErrorCode.StaleVersion, $"{entity} {id} is at version {current}, not {expected}: reload it and retry.", "version");

    public static DomainException Invalid(string field, string message) =>
        new(DomainErrorCode.Invalid, message, field);

    public static DomainException IllegalTransition(string entity, string id, string status, string action) =>
        new(DomainErrorCode.IllegalTransition, $"{entity} {id} is {status}: it cannot be {action}.");
}
