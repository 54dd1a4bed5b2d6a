namespace Actors.Runtime.Execution;

/// <summary>
/// The activation whose turn is running on the current thread, if any: the one whose scheduler is draining here, as
/// Orleans' RuntimeContext is the activation of the scheduler's running work item. Grain code runs on its activation's
/// scheduler (its awaits come back to it), so this names the grain in every part of a turn; code the grain sends off
/// its scheduler (Task.Run, ConfigureAwait(false)) is not the grain's turn and sees none.
/// </summary>
internal static class RuntimeContext
{
    public static Activation? Current => ActivationTaskScheduler.RunningActivation;
}
