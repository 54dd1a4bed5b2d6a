using System.Text.Json;

namespace Actors.Api.Contracts;

public sealed record CompleteFieldActivityRequest(decimal? Read, DateOnly? CompletedOn, string? Comment);

public sealed record FieldActivityResponse(
    string Id,
    string PremiseId,
    string ServicePointId,
    string ServiceAgreementId,
    string AccountId,
    FieldActivityKind Kind,
    DateOnly ScheduledDate,
    FieldActivityStatus Status,
    decimal? Read,
    DateOnly? CompletedOn,
    string? LinkedFieldActivityId,
    DateTimeOffset CreatedAt)
{
    public static FieldActivityResponse From(FieldActivitySnapshot f) => new(
        f.Id.Value,
        f.PremiseId.Value,
        f.ServicePointId.Value,
        f.ServiceAgreementId.Value,
        f.AccountId.Value,
        f.Kind,
        f.ScheduledDate,
        f.Status,
        f.Read,
        f.CompletedOn,
        f.LinkedFieldActivityId?.Value,
        f.CreatedAt);
}

public sealed record AssignToDoRequest(string? User, string? Comment);

public sealed record CompleteToDoRequest(string? Comment);

public sealed record ToDoSubjectResponse(string Kind, string Id);

public sealed record ToDoResponse(
    string Id,
    ToDoType Type,
    string Role,
    ToDoStatus Status,
    ToDoSubjectResponse Subject,
    string Message,
    DateTimeOffset CreatedAt,
    ToDoPriority Priority,
    string? AccountId,
    string? AssignedTo,
    string? Resolution,
    DateTimeOffset? CompletedAt,
    string? CompletedBy)
{
    public static ToDoResponse From(ToDoSnapshot t) => new(
        t.Id.Value,
        t.Type,
        t.Role,
        t.Status,
        new ToDoSubjectResponse(t.Subject.Kind, t.Subject.Id),
        t.Message,
        t.CreatedAt,
        t.Priority,
        t.AccountId?.Value,
        t.AssignedTo,
        t.Resolution,
        t.CompletedAt,
        t.CompletedBy);
}

public sealed record SearchResult(string? PersonId, string? Name, string? AccountId, string? PremiseId, string? Address);

public sealed record EventResponse(long Seq, string Stream, string Type, DateTimeOffset OccurredAt, JsonElement Data);

/// <param name="Last">The position to ask from next time (<c>after=</c>): the last event returned, or <c>after</c> when none was.</param>
public sealed record EventPage(IReadOnlyList<EventResponse> Events, long Last, bool HasMore);

/// <summary>One change in an entity's history: who, when, why and what.</summary>
public sealed record HistoryEntry(
    long Seq,
    string Type,
    DateTimeOffset OccurredAt,
    string Actor,
    string? Reason,
    string? Comment,
    JsonElement Changes);

public sealed record ClockResponse(DateTimeOffset Now, string Mode, bool Settled);

public sealed record SetClockRequest(DateTimeOffset? Now);

public sealed record TokenRequest(string? Username, string? Password);

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, string Username, IReadOnlyList<string> Roles);
