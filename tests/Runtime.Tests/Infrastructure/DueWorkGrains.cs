namespace Actors.Runtime.Tests.Infrastructure;

public sealed record WorkDone(string Task);

public sealed record WorkLogged(string Task);

public sealed class WorkState
{
    public List<string> Tasks { get; set; } = [];
}

public interface IDueWorkGrain : IGrainWithStringKey, IRemindable
{
    Task ScheduleAsync(string task, DateTimeOffset dueAt);

    Task<IReadOnlyList<string>> DoneAsync();
}

/// <summary>
/// Does a task when its one-shot reminder fires: records it and raises <see cref="WorkDone"/> on "work/{key}" in one
/// commit. While the probe's "hold:{task}" counter is set, the handler first waits for the gate "release:{task}".
/// </summary>
public sealed class DueWorkGrain([PersistentState("work")] IPersistentState<WorkState> state, Probe probe) : Grain, IDueWorkGrain
{
    public async Task ScheduleAsync(string task, DateTimeOffset dueAt) => await RegisterOrUpdateReminder(task, dueAt, MissedTickPolicy.FireOnce);

    public Task<IReadOnlyList<string>> DoneAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Tasks]);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (probe.Get($"hold:{reminderName}") > 0)
        {
            probe.Increment($"held:{reminderName}");
            await probe.Gate($"release:{reminderName}");
        }

        state.State.Tasks.Add(reminderName);
        await GetStreamProvider("outbox").GetStream<WorkDone>(StreamId.Create("work", this.GetPrimaryKeyString())).OnNextAsync(new WorkDone(reminderName));
        await state.WriteStateAsync();
    }
}

public interface IWorkLogGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<string>> LoggedAsync();
}

/// <summary>
/// Receives "work/{its key}" through an implicit subscription, records each task and raises <see cref="WorkLogged"/>
/// on "worklog/{its key}": handling one event commits another.
/// </summary>
[ImplicitStreamSubscription("work")]
public sealed class WorkLogGrain([PersistentState("log")] IPersistentState<WorkState> state) : Grain, IWorkLogGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        await GetStreamProvider("outbox").GetStream<WorkDone>(StreamId.Create("work", key)).SubscribeAsync(async (done, _) =>
        {
            state.State.Tasks.Add(done.Task);
            await GetStreamProvider("outbox").GetStream<WorkLogged>(StreamId.Create("worklog", key)).OnNextAsync(new WorkLogged(done.Task));
            await state.WriteStateAsync();
        });
    }

    public Task<IReadOnlyList<string>> LoggedAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Tasks]);
}
