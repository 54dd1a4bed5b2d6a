using Actors.Runtime.Execution;
using Actors.Runtime.Storage;

namespace Actors.Runtime.Reminders;

/// <summary>
/// The reminder operations of one activation. Changes are buffered in the turn and committed with its next state
/// write, or at the end of the turn: a reminder exists if and only if the turn that set it succeeded.
/// </summary>
/// <remarks>A view over the activation, made for each use: an idle activation holds nothing for its reminders.</remarks>
internal readonly struct ActivationReminders(Activation activation)
{
    public Task<IGrainReminder> RegisterOrUpdateAsync(string name, TimeSpan dueTime, TimeSpan period, MissedTickPolicy policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        var dueAt = activation.Runtime.Time.GetUtcNow() + dueTime;
        return Task.FromResult<IGrainReminder>(Buffer(new ReminderOperation(ReminderOperationKind.Upsert, name, dueAt, period, policy)));
    }

    public Task<IGrainReminder> RegisterOneShotAsync(string name, DateTimeOffset dueAt, MissedTickPolicy policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Task.FromResult<IGrainReminder>(Buffer(new ReminderOperation(ReminderOperationKind.Upsert, name, dueAt.ToUniversalTime(), null, policy)));
    }

    public Task UnregisterAsync(string name)
    {
        EnsureInTurn();
        activation.BufferReminder(ReminderOperation.Delete(name));
        return Task.CompletedTask;
    }

    public async Task<IGrainReminder?> GetAsync(string name)
    {
        EnsureInTurn();
        if (activation.TryGetPendingReminder(name, out var pending))
        {
            return pending.Kind == ReminderOperationKind.Delete ? null : ToReminder(pending);
        }

        var stored = await activation.Runtime.Storage.ReadReminderAsync(activation.Id, name, CancellationToken.None);
        return stored is null ? null : new GrainReminder(stored.Name, stored.DueAt, stored.Period, stored.Policy);
    }

    public async Task<IReadOnlyList<IGrainReminder>> GetAllAsync()
    {
        EnsureInTurn();
        var stored = await activation.Runtime.Storage.ReadRemindersAsync(activation.Id, CancellationToken.None);
        var byName = stored.ToDictionary(r => r.Name, r => (IGrainReminder)new GrainReminder(r.Name, r.DueAt, r.Period, r.Policy), StringComparer.Ordinal);
        foreach (var pending in activation.PendingReminders)
        {
            if (pending.Kind == ReminderOperationKind.Delete)
            {
                byName.Remove(pending.Name);
            }
            else
            {
                byName[pending.Name] = ToReminder(pending);
            }
        }

        return [.. byName.Values.OrderBy(r => r.DueAt)];
    }

    private GrainReminder Buffer(ReminderOperation operation)
    {
        EnsureInTurn();
        activation.BufferReminder(operation);
        return ToReminder(operation);
    }

    private static GrainReminder ToReminder(ReminderOperation operation) =>
        new(operation.Name, operation.DueAt, operation.Period, operation.Policy);

    private void EnsureInTurn()
    {
        if (!ReferenceEquals(RuntimeContext.Current, activation))
        {
            throw new InvalidOperationException(
                $"Reminders of {activation.Id} can only be changed from the grain's own turns: they commit with its state.");
        }
    }
}
