using Actors.Runtime;

namespace Actors.CrashHost;

public sealed class CrashState
{
    public int Written { get; set; }

    public int Reminded { get; set; }
}

public sealed record CrashWritten(int Written);

public sealed record CrashReminded(int Reminded);

public interface ICrashGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Writes state and sets a one-shot reminder at <paramref name="dueAt"/> in one commit.</summary>
    Task WriteAndRemindAsync(DateTimeOffset dueAt);

    Task<CrashState> GetAsync();
}

/// <summary>
/// The crash test's grain. Its reminder handler records the effect and removes the reminder in one commit, so a
/// delivery interrupted by a crash is redelivered and one that committed never is: exactly one effect.
/// </summary>
public sealed class CrashGrain([PersistentState("crash")] IPersistentState<CrashState> state) : Grain, ICrashGrain
{
    public async Task WriteAndRemindAsync(DateTimeOffset dueAt)
    {
        state.State.Written++;
        await RegisterOrUpdateReminder("effect", dueAt);
        await Stream.OnNextAsync(new CrashWritten(state.State.Written));
        await state.WriteStateAsync();
    }

    public Task<CrashState> GetAsync() => Task.FromResult(state.State);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (await GetReminder(reminderName) is not { } reminder)
        {
            return;
        }

        state.State.Reminded++;
        await UnregisterReminder(reminder);
        await Stream.OnNextAsync(new CrashReminded(state.State.Reminded));
        await state.WriteStateAsync();
    }

    private IAsyncStream<object> Stream => GetStreamProvider("outbox").GetStream<object>(StreamId.Create("crash", this.GetPrimaryKeyString()));
}
