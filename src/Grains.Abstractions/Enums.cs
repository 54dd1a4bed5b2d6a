namespace Actors.Grains.Abstractions;

/// <summary>The kind of service a service point delivers and an SA bills.</summary>
public enum ServiceType
{
    Electric,
    Gas,
    Water,
}

/// <summary>
/// The SA lifecycle: PendingStart → Active → PendingStop → Stopped → Closed (balance zero), Closed → Reactivated
/// (a new financial transaction) → Closed; Canceled is final.
/// </summary>
public enum ServiceAgreementStatus
{
    PendingStart,
    Active,
    PendingStop,
    Stopped,
    Closed,
    Reactivated,
    Canceled,
}

public enum FieldActivityStatus
{
    Pending,
    Complete,
    Canceled,
}

/// <summary>What a field activity is for: reading (and turning on) at a start, reading (and turning off) at a stop.</summary>
public enum FieldActivityKind
{
    Start,
    Stop,
}

public enum ToDoStatus
{
    Open,
    BeingWorked,
    Complete,
}

/// <summary>Why a To Do entry exists.</summary>
public enum ToDoType
{
    /// <summary>The start date passed and the SA cannot activate (its start read is missing).</summary>
    ActivationException,

    /// <summary>The SA is still pending start some days after its start date.</summary>
    AgedPendingStart,

    /// <summary>The stop date passed and the SA cannot be stopped (its stop read is missing).</summary>
    FinalizationException,

    /// <summary>The SA is still pending stop some days after its stop date.</summary>
    AgedPendingStop,
}

public enum ToDoPriority
{
    Low,
    Normal,
    High,
}

/// <summary>Customer classes drive rates and collection rules.</summary>
public enum CustomerClass
{
    Residential,
    Commercial,
    Industrial,
}

/// <summary>A financial transaction on an SA (the subset the SA lifecycle needs).</summary>
public enum FinancialTransactionKind
{
    BillSegment,
    Payment,
    Adjustment,
}
