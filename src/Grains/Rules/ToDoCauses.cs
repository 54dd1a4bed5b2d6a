using Actors.Grains.Abstractions;

namespace Actors.Grains.Rules;

/// <summary>When the cause of a system-created To Do has cleared, so that the To Do completes itself.</summary>
public static class ToDoCauses
{
    public static bool IsCleared(ToDoType type, ServiceAgreementStatus status, DateOnly? stopDate, DateOnly today, int agedPendingDays) => type switch
    {
        ToDoType.ActivationException or ToDoType.AgedPendingStart => status != ServiceAgreementStatus.PendingStart,
        ToDoType.FinalizationException => status != ServiceAgreementStatus.PendingStop || stopDate is null || stopDate > today,
        ToDoType.AgedPendingStop => status != ServiceAgreementStatus.PendingStop || stopDate is null || today < stopDate.Value.AddDays(agedPendingDays),
        _ => false,
    };
}
