namespace Actors.Runtime.Tests.Infrastructure;

public sealed class CounterState
{
    public int Value { get; set; }

    public List<string> Applied { get; set; } = [];
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync();

    Task<int> GetAsync();

    /// <summary>Raises an event on the grain's stream, writes state, then throws when asked to.</summary>
    Task IncrementAndRaiseAsync(bool failAfterWrite, bool failBeforeWrite);

    Task<string?> GetEtagAsync();

    Task DeactivateAsync();

    Task<Guid> GetActivationIdAsync();
}

/// <summary>A persisted counter; raises an event on "counter/{key}" per increment.</summary>
public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state, Probe probe) : Grain, ICounterGrain
{
    private readonly Guid _activationId = Guid.NewGuid();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Increment($"activate:{this.GetPrimaryKeyString()}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Log($"deactivate:{this.GetPrimaryKeyString()}", reason.ReasonCode.ToString());
        return Task.CompletedTask;
    }

    public async Task<int> IncrementAsync()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Value);

    public async Task IncrementAndRaiseAsync(bool failAfterWrite, bool failBeforeWrite)
    {
        state.State.Value++;
        await GetStreamProvider("outbox").GetStream<CounterIncremented>(StreamId.Create("counter", this.GetPrimaryKeyString())).OnNextAsync(new CounterIncremented(state.State.Value));
        if (failBeforeWrite)
        {
            throw new InvalidOperationException("failed before write");
        }

        await state.WriteStateAsync();
        if (failAfterWrite)
        {
            await GetStreamProvider("outbox").GetStream<CounterIncremented>(StreamId.Create("counter", this.GetPrimaryKeyString())).OnNextAsync(new CounterIncremented(-1));
            throw new InvalidOperationException("failed after write");
        }
    }

    public Task<string?> GetEtagAsync() => Task.FromResult(state.Etag);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<Guid> GetActivationIdAsync() => Task.FromResult(_activationId);
}

public sealed record CounterIncremented(int Value);

public interface IOverlapGrain : IGrainWithStringKey
{
    Task WorkAsync();

    /// <summary>A read-only request that stays inside the grain until the probe's gate opens.</summary>
    [ReadOnly]
    Task<int> ReadAsync(string gate);

    /// <summary>A normal request that stays inside the grain until the probe's gate opens.</summary>
    Task<int> WaitAsync(string gate);

    Task<int> QueuedAsync(CancellationToken cancellationToken);
}

/// <summary>Measures how many of its turns run at once, and whether a write ever ran beside a read.</summary>
public class OverlapGrain(Probe probe) : Grain, IOverlapGrain
{
    private int _inside;
    private int _reading;

    public async Task WorkAsync()
    {
        var inside = Interlocked.Increment(ref _inside);
        probe.Max($"max-inside:{this.GetPrimaryKeyString()}", inside);
        if (Volatile.Read(ref _reading) > 0)
        {
            probe.Increment($"write-beside-read:{this.GetPrimaryKeyString()}");
        }

        await Task.Yield();
        await Task.Delay(1);
        Interlocked.Decrement(ref _inside);
        probe.Increment($"worked:{this.GetPrimaryKeyString()}");
    }

    public async Task<int> ReadAsync(string gate)
    {
        Interlocked.Increment(ref _reading);
        probe.Increment($"inside:{this.GetPrimaryKeyString()}");
        await probe.Gate(gate);
        Interlocked.Decrement(ref _reading);
        return 1;
    }

    public Task<int> QueuedAsync(CancellationToken cancellationToken)
    {
        probe.Increment($"inside:{this.GetPrimaryKeyString()}");
        return Task.FromResult(3);
    }

    public async Task<int> WaitAsync(string gate)
    {
        probe.Increment($"inside:{this.GetPrimaryKeyString()}");
        await probe.Gate(gate);
        return 2;
    }
}

public interface IReentrantOverlapGrain : IOverlapGrain;

[Reentrant]
public sealed class ReentrantOverlapGrain(Probe probe) : OverlapGrain(probe), IReentrantOverlapGrain;

public interface ICycleGrain : IGrainWithStringKey
{
    /// <summary>Calls the grain named <paramref name="next"/>, which calls back <paramref name="back"/>.</summary>
    Task<string> PingAsync(string? next, string? back);
}

public sealed class CycleGrain : Grain, ICycleGrain
{
    public async Task<string> PingAsync(string? next, string? back)
    {
        if (next is null)
        {
            return this.GetPrimaryKeyString();
        }

        return await GrainFactory.GetGrain<ICycleGrain>(next).PingAsync(back, null);
    }
}

public sealed class CustomerFacingException(string message) : Exception(message);

public interface IThrowingGrain : IGrainWithStringKey
{
    Task ThrowAsync(string message);

    ValueTask<int> ValueAsync(int value);

    Task<string> WaitForCancellationAsync(CancellationToken cancellationToken);
}

public sealed class ThrowingGrain(Probe probe) : Grain, IThrowingGrain
{
    public Task ThrowAsync(string message) => throw new CustomerFacingException(message);

    public ValueTask<int> ValueAsync(int value) => ValueTask.FromResult(value * 2);

    public async Task<string> WaitForCancellationAsync(CancellationToken cancellationToken)
    {
        probe.Increment($"awaiting-cancel:{this.GetPrimaryKeyString()}");
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return "not canceled";
        }
        catch (OperationCanceledException)
        {
            return "canceled";
        }
    }
}

public interface ITwoStateGrain : IGrainWithStringKey
{
    /// <summary>
    /// Raises 1, starts the write of its first state, raises 2, starts the write of its second state, raises 3, then
    /// awaits both writes: two commits in flight in one turn, and events raised around them.
    /// </summary>
    Task RaiseAroundTwoWritesAsync();
}

/// <summary>A grain with two persistent states, each written by its own commit; raises on "two/{key}".</summary>
public sealed class TwoStateGrain(
    [PersistentState("first")] IPersistentState<CounterState> first,
    [PersistentState("second")] IPersistentState<CounterState> second) : Grain, ITwoStateGrain
{
    public async Task RaiseAroundTwoWritesAsync()
    {
        var stream = GetStreamProvider("outbox").GetStream<CounterIncremented>(StreamId.Create("two", this.GetPrimaryKeyString()));
        await stream.OnNextAsync(new CounterIncremented(1));
        first.State.Value++;
        var firstWrite = first.WriteStateAsync();
        await stream.OnNextAsync(new CounterIncremented(2));
        second.State.Value++;
        var secondWrite = second.WriteStateAsync();
        await stream.OnNextAsync(new CounterIncremented(3));
        await Task.WhenAll(firstWrite, secondWrite);
    }
}

public interface ILingeringGrain : IGrainWithStringKey
{
    Task TouchAsync();
}

/// <summary>Its deactivation logs "lingering:{key}" and then waits for the gate "linger:{key}".</summary>
public sealed class LingeringGrain(Probe probe) : Grain, ILingeringGrain
{
    public Task TouchAsync() => Task.CompletedTask;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Log($"lingering:{this.GetPrimaryKeyString()}", reason.ReasonCode.ToString());
        await probe.Gate($"linger:{this.GetPrimaryKeyString()}");
    }
}
