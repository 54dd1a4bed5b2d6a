using Actors.Runtime;

namespace Actors.Bench;

/// <summary>The persisted state of <see cref="BenchCounterGrain"/>.</summary>
public sealed class BenchCounterState
{
    public long Value { get; set; }
}

/// <summary>A persisted counter: each call is one durable state write.</summary>
public interface IBenchCounterGrain : IGrainWithStringKey
{
    /// <summary>Increments the counter and writes the state; returns the new value once it is durable.</summary>
    Task<long> IncrementAsync();
}

public sealed class BenchCounterGrain([PersistentState("counter")] IPersistentState<BenchCounterState> state) : Grain, IBenchCounterGrain
{
    public async Task<long> IncrementAsync()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }
}

/// <summary>A grain without state: a call costs only the runtime's own path.</summary>
public interface IPingGrain : IGrainWithStringKey
{
    /// <summary>Returns its argument plus one (an argument and a result, as real calls have).</summary>
    Task<int> PingAsync(int value);
}

public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> PingAsync(int value) => Task.FromResult(value + 1);
}
