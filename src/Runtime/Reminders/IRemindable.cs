namespace Actors.Runtime;

/// <summary>Implemented by grains that receive reminders. Delivery is at least once: handlers are idempotent.</summary>
public interface IRemindable : IGrain
{
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>About one reminder tick (Orleans also has FirstTickTime; it is not stored here).</summary>
/// <param name="Period">The period, or <see cref="TimeSpan.Zero"/> for a one-shot reminder.</param>
/// <param name="CurrentTickTime">The due time of the tick being delivered (business time).</param>
public readonly record struct TickStatus(TimeSpan Period, DateTimeOffset CurrentTickTime);

/// <summary>A registered reminder.</summary>
public interface IGrainReminder
{
    string ReminderName { get; }

    DateTimeOffset DueAt { get; }

    TimeSpan? Period { get; }

    MissedTickPolicy Policy { get; }
}

internal sealed record GrainReminder(string ReminderName, DateTimeOffset DueAt, TimeSpan? Period, MissedTickPolicy Policy) : IGrainReminder;
