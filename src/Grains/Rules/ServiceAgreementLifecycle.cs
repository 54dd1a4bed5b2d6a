using Actors.Grains.Abstractions;

namespace Actors.Grains.Rules;

/// <summary>What can be done to an SA.</summary>
public enum ServiceAgreementAction
{
    Activate,
    RequestStop,
    WithdrawStop,
    Finalize,
    Close,
    Reactivate,
    Cancel,
}

/// <summary>
/// The SA state machine:
/// <code>
/// PendingStart --Activate--> Active --RequestStop--> PendingStop --Finalize--> Stopped --Close--> Closed --Reactivate--> Reactivated --Close--> Closed
///                            Active &lt;--WithdrawStop-- PendingStop (RequestStop again moves the date)
/// PendingStart, Active, PendingStop --Cancel--> Canceled (final)
/// </code>
/// Whether an active SA may be canceled also depends on its financial transactions; the grain checks that.
/// </summary>
public static class ServiceAgreementLifecycle
{
    /// <summary>The status <paramref name="action"/> leads to from <paramref name="from"/>, or null when it is not allowed.</summary>
    public static ServiceAgreementStatus? Next(ServiceAgreementStatus from, ServiceAgreementAction action) => (from, action) switch
    {
        (ServiceAgreementStatus.PendingStart, ServiceAgreementAction.Activate) => ServiceAgreementStatus.Active,
        (ServiceAgreementStatus.Active, ServiceAgreementAction.RequestStop) => ServiceAgreementStatus.PendingStop,
        (ServiceAgreementStatus.PendingStop, ServiceAgreementAction.RequestStop) => ServiceAgreementStatus.PendingStop,
        (ServiceAgreementStatus.PendingStop, ServiceAgreementAction.WithdrawStop) => ServiceAgreementStatus.Active,
        (ServiceAgreementStatus.PendingStop, ServiceAgreementAction.Finalize) => ServiceAgreementStatus.Stopped,
        (ServiceAgreementStatus.Stopped, ServiceAgreementAction.Close) => ServiceAgreementStatus.Closed,
        (ServiceAgreementStatus.Reactivated, ServiceAgreementAction.Close) => ServiceAgreementStatus.Closed,
        (ServiceAgreementStatus.Closed, ServiceAgreementAction.Reactivate) => ServiceAgreementStatus.Reactivated,
        (ServiceAgreementStatus.PendingStart or ServiceAgreementStatus.Active or ServiceAgreementStatus.PendingStop, ServiceAgreementAction.Cancel) =>
            ServiceAgreementStatus.Canceled,
        _ => null,
    };

    public static bool IsAllowed(ServiceAgreementStatus from, ServiceAgreementAction action) => Next(from, action) is not null;

    /// <summary>The next status, or a <see cref="DomainErrorCode.IllegalTransition"/> naming the SA, its status and the action.</summary>
    public static ServiceAgreementStatus Transition(ServiceAgreementId id, ServiceAgreementStatus from, ServiceAgreementAction action) =>
        Next(from, action) ?? throw DomainException.IllegalTransition("Service agreement", id.Value, from.ToString(), Describe(action));

    /// <summary>Whether the SA is live for the rule "the last SA of the account stopped": it serves, or will.</summary>
    public static bool IsInService(ServiceAgreementStatus status) =>
        status is ServiceAgreementStatus.PendingStart or ServiceAgreementStatus.Active or ServiceAgreementStatus.PendingStop;

    private static string Describe(ServiceAgreementAction action) => action switch
    {
        ServiceAgreementAction.Activate => "activated",
        ServiceAgreementAction.RequestStop => "stopped (only an active or pending-stop SA can be; a pending start is canceled instead)",
        ServiceAgreementAction.WithdrawStop => "have a stop withdrawn (it is not pending stop)",
        ServiceAgreementAction.Finalize => "finalized",
        ServiceAgreementAction.Close => "closed",
        ServiceAgreementAction.Reactivate => "reactivated",
        _ => "canceled",
    };
}
