using Actors.Runtime.Execution;

namespace Actors.Runtime;

/// <summary>
/// Base class of grain implementations, shaped like Orleans' <c>Grain</c>. One activation of a grain exists in the
/// cluster; its requests run one at a time unless the class is <see cref="ReentrantAttribute">[Reentrant]</see>.
/// </summary>
public abstract class Grain
{
    private Activation? _activation;

    internal Activation Activation =>
        _activation ?? throw new InvalidOperationException("The grain is not attached to an activation: grains are created by the runtime, not with 'new'.");

    /// <summary>Creates references to other grains.</summary>
    protected IGrainFactory GrainFactory => Activation.Runtime.GrainFactory;

    /// <summary>The grain's identity.</summary>
    public GrainId GrainId => Activation.Id;

    internal void Attach(Activation activation) => _activation = activation;

    /// <summary>Called after the grain's persistent states were read and before its first request.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called before the activation is removed (idle, requested, shutting down). Not called when the node loses its lease.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current request completes.</summary>
    protected void DeactivateOnIdle() =>
        Activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle"));

    /// <summary>
    /// Starts a timer whose ticks run as turns of this activation (they never overlap a request). A tick is not
    /// scheduled again until the previous one finished. Timers end with the activation; use reminders for
    /// anything that must survive it.
    /// </summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Activation.RegisterTimer(callback, dueTime, period);
    }

    /// <summary>
    /// Registers or updates a periodic reminder (Orleans semantics: missed ticks are skipped). Durable: it commits
    /// with the turn's next state write, or at the end of the turn.
    /// </summary>
    protected Task<IGrainReminder> RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        Activation.Reminders.RegisterOrUpdateAsync(reminderName, dueTime, period, MissedTickPolicy.Skip);

    /// <summary>Registers or updates a periodic reminder with an explicit missed-tick policy.</summary>
    protected Task<IGrainReminder> RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period, MissedTickPolicy policy) =>
        Activation.Reminders.RegisterOrUpdateAsync(reminderName, dueTime, period, policy);

    /// <summary>
    /// Registers or updates a one-shot reminder at an absolute instant (beyond Orleans). Business reminders use
    /// <see cref="MissedTickPolicy.FireOnce"/>: a tick that fell due during an outage is delivered on recovery.
    /// </summary>
    protected Task<IGrainReminder> RegisterOrUpdateReminder(string reminderName, DateTimeOffset dueAt, MissedTickPolicy policy = MissedTickPolicy.FireOnce) =>
        Activation.Reminders.RegisterOneShotAsync(reminderName, dueAt, policy);

    /// <summary>Removes a reminder; it commits with the turn's next state write, or at the end of the turn.</summary>
    protected Task UnregisterReminder(IGrainReminder reminder)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        return Activation.Reminders.UnregisterAsync(reminder.ReminderName);
    }

    /// <summary>The reminder of that name, or null.</summary>
    protected Task<IGrainReminder?> GetReminder(string reminderName) => Activation.Reminders.GetAsync(reminderName);

    /// <summary>The grain's reminders.</summary>
    protected Task<IReadOnlyList<IGrainReminder>> GetReminders() => Activation.Reminders.GetAllAsync();

    /// <summary>The stream provider of that name (the runtime has one: the outbox).</summary>
    protected IStreamProvider GetStreamProvider(string name) => Activation.Runtime.GetStreamProvider(name);
}

/// <summary>A timer started by <see cref="Grain.RegisterGrainTimer"/>.</summary>
public interface IGrainTimer : IDisposable
{
    void Change(TimeSpan dueTime, TimeSpan period);
}
