namespace Actors.Runtime.Tests.Infrastructure;

public sealed class ReminderState
{
    public Dictionary<string, int> Deliveries { get; set; } = [];
}

public interface IReminderGrain : IGrainWithStringKey, IRemindable
{
    Task PeriodicAsync(string name, TimeSpan dueTime, TimeSpan period, MissedTickPolicy policy);

    Task OneShotAsync(string name, DateTimeOffset dueAt, MissedTickPolicy policy);

    Task UnregisterAsync(string name);

    Task<IGrainReminder?> GetReminderAsync(string name);

    Task<int> DeliveriesAsync(string name);

    /// <summary>Registers a one-shot reminder and then fails: the reminder must not exist afterwards.</summary>
    Task OneShotThenFailAsync(string name, DateTimeOffset dueAt);

    /// <summary>Moves a reminder, starts a state write that carries the change, and answers the due time the turn sees while that write is in flight.</summary>
    Task<DateTimeOffset?> MoveWhileWritingAsync(string name, DateTimeOffset dueAt);
}

/// <summary>
/// Counts deliveries in its persisted state and in the probe. A one-shot reminder's effect is applied exactly once:
/// the delivery count and the unregister commit in one transaction.
/// </summary>
public sealed class ReminderGrain([PersistentState("reminders")] IPersistentState<ReminderState> state, Probe probe) : Grain, IReminderGrain
{
    public async Task PeriodicAsync(string name, TimeSpan dueTime, TimeSpan period, MissedTickPolicy policy) =>
        await RegisterOrUpdateReminder(name, dueTime, period, policy);

    public async Task OneShotAsync(string name, DateTimeOffset dueAt, MissedTickPolicy policy) =>
        await RegisterOrUpdateReminder(name, dueAt, policy);

    public async Task UnregisterAsync(string name)
    {
        if (await GetReminder(name) is { } reminder)
        {
            await UnregisterReminder(reminder);
        }
    }

    public Task<IGrainReminder?> GetReminderAsync(string name) => GetReminder(name);

    public Task<int> DeliveriesAsync(string name) => Task.FromResult(state.State.Deliveries.GetValueOrDefault(name));

    public async Task OneShotThenFailAsync(string name, DateTimeOffset dueAt)
    {
        await RegisterOrUpdateReminder(name, dueAt, MissedTickPolicy.FireOnce);
        throw new InvalidOperationException("the turn failed after registering");
    }

    public async Task<DateTimeOffset?> MoveWhileWritingAsync(string name, DateTimeOffset dueAt)
    {
        await RegisterOrUpdateReminder(name, dueAt, MissedTickPolicy.FireOnce);
        var write = state.WriteStateAsync();
        var seen = await GetReminder(name);
        await write;
        return seen?.DueAt;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        probe.Log($"tick:{this.GetPrimaryKeyString()}:{reminderName}", status.CurrentTickTime.ToString("O"));
        if (probe.Get($"block:{reminderName}") > 0)
        {
            probe.Increment($"blocked:{reminderName}");
            await GrainFactory.GetGrain<IOverlapGrain>("gate-holder").ReadAsync($"release:{reminderName}");
        }

        state.State.Deliveries[reminderName] = state.State.Deliveries.GetValueOrDefault(reminderName) + 1;
        if (status.Period == TimeSpan.Zero && await GetReminder(reminderName) is { } reminder && reminder.DueAt == status.CurrentTickTime)
        {
            await UnregisterReminder(reminder);
        }

        await state.WriteStateAsync();
        probe.Increment($"delivered:{this.GetPrimaryKeyString()}:{reminderName}");
    }
}

public sealed record OrderPlaced(string OrderId, int Lines);

public interface IOrderProducerGrain : IGrainWithStringKey
{
    Task PlaceAsync(string customer, string orderId, int lines);

    /// <summary>Places several orders in one commit ("customer:orderId" each), so they reach the log together.</summary>
    Task PlaceTogetherAsync(IReadOnlyList<string> placements);
}

public sealed class OrderProducerGrain([PersistentState("orders")] IPersistentState<CounterState> state) : Grain, IOrderProducerGrain
{
    public async Task PlaceAsync(string customer, string orderId, int lines)
    {
        state.State.Value++;
        await GetStreamProvider("outbox").GetStream<OrderPlaced>(StreamId.Create("orders", customer)).OnNextAsync(new OrderPlaced(orderId, lines));
        await state.WriteStateAsync();
    }

    public async Task PlaceTogetherAsync(IReadOnlyList<string> placements)
    {
        foreach (var placement in placements)
        {
            var (customer, orderId) = (placement.Split(':')[0], placement.Split(':')[1]);
            state.State.Value++;
            await GetStreamProvider("outbox").GetStream<OrderPlaced>(StreamId.Create("orders", customer)).OnNextAsync(new OrderPlaced(orderId, 1));
        }

        await state.WriteStateAsync();
    }
}

public interface IOrderHistoryGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<string>> OrdersAsync();
}

/// <summary>
/// Receives every event of "orders/{its key}" through an implicit subscription. An order whose id starts with "held-"
/// is handled once the probe's gate of that id opens.
/// </summary>
[ImplicitStreamSubscription("orders")]
public sealed class OrderHistoryGrain(Probe probe) : Grain, IOrderHistoryGrain
{
    private readonly List<string> _orders = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await GetStreamProvider("outbox").GetStream<OrderPlaced>(StreamId.Create("orders", this.GetPrimaryKeyString())).SubscribeAsync(async (order, token) =>
        {
            if (order.OrderId.StartsWith("held-", StringComparison.Ordinal))
            {
                await probe.Gate(order.OrderId);
            }

            _orders.Add(order.OrderId);
            probe.Log($"orders:{this.GetPrimaryKeyString()}", $"{order.OrderId}@{token.StreamSequenceNumber}");
        });
    }

    public Task<IReadOnlyList<string>> OrdersAsync() => Task.FromResult<IReadOnlyList<string>>([.. _orders]);
}

public interface ITimerGrain : IGrainWithStringKey
{
    Task StartAsync(TimeSpan period);

    Task StopAsync();

    /// <summary>A turn of its own: when it returns, every turn queued before it (a tick, and its timer's re-arm) is done.</summary>
    Task PingAsync();
}

public sealed class TimerGrain(Probe probe) : Grain, ITimerGrain
{
    private IGrainTimer? _timer;

    public Task StartAsync(TimeSpan period)
    {
        _timer = RegisterGrainTimer(_ =>
        {
            probe.Increment($"timer:{this.GetPrimaryKeyString()}");
            return Task.CompletedTask;
        }, period, period);
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public Task PingAsync() => Task.CompletedTask;
}
