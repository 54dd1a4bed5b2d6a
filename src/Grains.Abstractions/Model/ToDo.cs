namespace Actors.Grains.Abstractions;

/// <summary>What a To Do entry is about: an entity kind and its id.</summary>
public sealed record ToDoSubject(string Kind, string Id)
{
    public static ToDoSubject ServiceAgreement(ServiceAgreementId id) => new("ServiceAgreement", id.Value);
}

/// <summary>Creates a To Do entry.</summary>
/// <param name="Role">The role whose queue it lands in; the configured default ("CSR") when null.</param>
/// <param name="AccountId">The account it concerns, so the account's alerts can count it.</param>
public sealed record CreateToDo(
    ToDoType Type,
    ToDoSubject Subject,
    string Message,
    string? Role = null,
    ToDoPriority Priority = ToDoPriority.Normal,
    AccountId? AccountId = null);

/// <summary>A To Do entry as read.</summary>
/// <param name="AssignedTo">The user working it (status BeingWorked).</param>
/// <param name="Resolution">How it was completed: a user's comment, or the cause that cleared.</param>
public sealed record ToDoSnapshot(
    ToDoId Id,
    ToDoType Type,
    string Role,
    ToDoPriority Priority,
    ToDoSubject Subject,
    AccountId? AccountId,
    string Message,
    ToDoStatus Status,
    string? AssignedTo,
    string? Resolution,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    string? CompletedBy);
