namespace Actors.Runtime;

public enum DeactivationReasonCode
{
    None,
    ApplicationRequested,
    ActivationIdle,
    InconsistentState,
    LeaseLost,
    ShuttingDown,
    ActivationFailed,
}

/// <summary>Why an activation is being deactivated.</summary>
public readonly record struct DeactivationReason(DeactivationReasonCode ReasonCode, string Description)
{
    public override string ToString() => $"{ReasonCode}: {Description}";
}
