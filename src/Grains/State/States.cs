using Actors.Grains.Abstractions;

namespace Actors.Grains.State;

// Grain states: mutable classes with parameterless constructors, stored as JSON (web defaults, enums as strings).
// They are the grains' private shape; snapshots and events are the public one.

public sealed class PersonState
{
    public bool Created { get; set; }

    public string Name { get; set; } = string.Empty;

    public string? Phone { get; set; }

    public string? Email { get; set; }

    public bool LifeSupport { get; set; }

    public List<AccountId> Accounts { get; set; } = [];

    public int Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class AccountState
{
    public bool Created { get; set; }

    public CustomerClass CustomerClass { get; set; }

    public List<AccountPerson> Persons { get; set; } = [];

    public List<ServiceAgreementSummary> ServiceAgreements { get; set; } = [];

    public bool FinalBillRequired { get; set; }

    public int Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Start and transfer requests by request id (the Idempotency-Key), so a retry finds its own work.</summary>
    public Dictionary<string, StartRequestRecord> Requests { get; set; } = new(StringComparer.Ordinal);
}

public sealed class StartRequestRecord
{
    /// <summary>What the request asked for; a request id reused for anything else is refused.</summary>
    public string Fingerprint { get; set; } = string.Empty;

    public PremiseId PremiseId { get; set; }

    public DateOnly StartDate { get; set; }

    public List<ServiceType> ServiceTypes { get; set; } = [];

    public bool StopCurrentOccupants { get; set; }

    /// <summary>For a transfer: the premise service moved away from, and the SAs stopped there.</summary>
    public PremiseId? TransferFromPremiseId { get; set; }

    public List<ServiceAgreementId> TransferStopped { get; set; } = [];

    public List<ServiceAgreementId> ServiceAgreementIds { get; set; } = [];

    public List<ServiceAgreementId> StoppedOccupants { get; set; } = [];

    public bool Completed { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class PremiseState
{
    public bool Created { get; set; }

    public Address? Address { get; set; }

    public PremiseId? ParentPremiseId { get; set; }

    public List<PremiseId> Children { get; set; } = [];

    public bool LifeSupport { get; set; }

    public List<ServicePointState> ServicePoints { get; set; } = [];

    /// <summary>Reservations by SA id, so a retried start gets the same answer.</summary>
    public Dictionary<ServiceAgreementId, ReservedService> Reservations { get; set; } = [];

    /// <summary>Pending field activities on the premise's service points, for back-to-back pairing.</summary>
    public List<PendingFieldActivity> FieldActivities { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class ServicePointState
{
    public ServicePointId Id { get; set; }

    public ServiceType ServiceType { get; set; }

    public string? MeterId { get; set; }

    public bool Metered { get; set; }

    public List<ServicePointOccupancy> Occupancy { get; set; } = [];
}

public sealed class PendingFieldActivity
{
    public FieldActivityId Id { get; set; }

    public ServicePointId ServicePointId { get; set; }

    public FieldActivityKind Kind { get; set; }

    public DateOnly ScheduledDate { get; set; }

    public FieldActivityId? Partner { get; set; }
}

public sealed class ServiceAgreementState
{
    public bool Created { get; set; }

    public AccountId AccountId { get; set; }

    public PremiseId PremiseId { get; set; }

    public ServicePointId ServicePointId { get; set; }

    public ServiceType ServiceType { get; set; }

    public bool Metered { get; set; }

    public string RequestId { get; set; } = string.Empty;

    public ServiceAgreementStatus Status { get; set; }

    public DateOnly StartDate { get; set; }

    public DateOnly? StopDate { get; set; }

    public decimal? StartRead { get; set; }

    public DateOnly? StartReadOn { get; set; }

    public decimal? StopRead { get; set; }

    public DateOnly? StopReadOn { get; set; }

    public FieldActivityId? StartFieldActivityId { get; set; }

    public FieldActivityStatus? StartFieldActivityStatus { get; set; }

    public FieldActivityId? StopFieldActivityId { get; set; }

    public FieldActivityStatus? StopFieldActivityStatus { get; set; }

    /// <summary>How many stops were withdrawn after their field activity was done: each later stop needs a fresh one.</summary>
    public int StopCycle { get; set; }

    /// <summary>The date the stop field activity was created for (a moved stop date reschedules it).</summary>
    public DateOnly? StopFieldActivityDate { get; set; }

    public ServiceAgreementId? ReciprocalStopOf { get; set; }

    /// <summary>Set once the reciprocal stop was withdrawn after this SA was canceled.</summary>
    public bool ReciprocalStopWithdrawn { get; set; }

    public ServiceAgreementId? StopRequestedBy { get; set; }

    public List<SystemToDo> ToDos { get; set; } = [];

    public List<FinancialTransactionInfo> FinancialTransactions { get; set; } = [];

    public long Revision { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }

    public DateTimeOffset? StoppedAt { get; set; }

    public DateTimeOffset? CanceledAt { get; set; }
}

/// <summary>A To Do the SA raised, and whether it has told the To Do that its cause cleared.</summary>
public sealed class SystemToDo
{
    public ToDoId Id { get; set; }

    public ToDoType Type { get; set; }

    public bool Resolved { get; set; }
}

public sealed class FieldActivityState
{
    public bool Created { get; set; }

    public ServiceAgreementId ServiceAgreementId { get; set; }

    public AccountId AccountId { get; set; }

    public PremiseId PremiseId { get; set; }

    public ServicePointId ServicePointId { get; set; }

    public FieldActivityKind Kind { get; set; }

    public DateOnly ScheduledDate { get; set; }

    public FieldActivityStatus Status { get; set; }

    public decimal? Read { get; set; }

    public DateOnly? CompletedOn { get; set; }

    /// <summary>The partner whose completion completed this one (null when completed directly).</summary>
    public FieldActivityId? CompletedWith { get; set; }

    public FieldActivityId? Partner { get; set; }

    /// <summary>The partner is known to be complete (it was told, or it told us), so the follow-up leaves it alone.</summary>
    public bool PartnerComplete { get; set; }

    /// <summary>A CSR canceled it (the SA must hear of it); a withdrawal by the SA itself is not reported back.</summary>
    public bool CanceledByUser { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class ToDoState
{
    public bool Created { get; set; }

    public ToDoType Type { get; set; }

    public string Role { get; set; } = string.Empty;

    public ToDoPriority Priority { get; set; }

    public ToDoSubject? Subject { get; set; }

    public AccountId? AccountId { get; set; }

    public string Message { get; set; } = string.Empty;

    public ToDoStatus Status { get; set; }

    public string? AssignedTo { get; set; }

    public string? Resolution { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? CompletedBy { get; set; }
}
