using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Tests.Hosting;

public abstract class QuiescenceTests(StoreKind kind) : NodeTestBase(kind)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task WaitForQuiescence_AfterTheClockPassesSeveralReminders_ReturnsTrueWithEveryEffectObservable()
    {
        var node = await StartQuiescenceNodeAsync();
        var quiescence = node.Get<IRuntimeQuiescence>();
        var storage = node.Get<IStorageProvider>();
        var replayLog = ReplayConsumer.LogKey(node.Get<INodeStatus>().NodeId);
        await Work(node, "alice").ScheduleAsync("read-meter", Start.AddMinutes(1));
        await Work(node, "alice").ScheduleAsync("send-bill", Start.AddMinutes(2));
        await Work(node, "bob").ScheduleAsync("read-meter", Start.AddMinutes(3));
        await Work(node, "carol").ScheduleAsync("close-account", Start.AddMinutes(5));
        await Work(node, "bob").ScheduleAsync("follow-up", Start.AddHours(1));

        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await quiescence.WaitForQuiescenceAsync(Generous, CancellationToken.None));

        // Read at once, without waiting: quiescence means all of it has happened.
        Assert.Equal(["read-meter", "send-bill"], (await Work(node, "alice").DoneAsync()).Order());
        Assert.Equal(["read-meter"], await Work(node, "bob").DoneAsync());
        Assert.Equal(["close-account"], await Work(node, "carol").DoneAsync());
        Assert.Equal(["read-meter", "send-bill"], (await Log(node, "alice").LoggedAsync()).Order());
        Assert.Equal(["read-meter"], await Log(node, "bob").LoggedAsync());
        Assert.Equal(["close-account"], await Log(node, "carol").LoggedAsync());
        Assert.Equal(
            ["work/alice#1", "work/alice#2", "work/bob#1", "work/carol#1", "worklog/alice#1", "worklog/alice#2", "worklog/bob#1", "worklog/carol#1"],
            Probe.Entries("audit").Order());
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8"], Probe.Entries(replayLog));
        Assert.True(await storage.AnyDueRemindersAsync(Start.AddHours(1), CancellationToken.None));

        Clock.Advance(TimeSpan.FromMinutes(55));

        Assert.True(await quiescence.WaitForQuiescenceAsync(Generous, CancellationToken.None));
        Assert.Equal(["read-meter", "follow-up"], await Work(node, "bob").DoneAsync());
        Assert.Equal(["read-meter", "follow-up"], await Log(node, "bob").LoggedAsync());
        Assert.Equal(["work/bob#2", "worklog/bob#2"], Probe.Entries("audit").Skip(8).Order());
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], Probe.Entries(replayLog));
        Assert.False(await storage.AnyDueRemindersAsync(DateTimeOffset.MaxValue, CancellationToken.None));
    }

    [Fact]
    public async Task WaitForQuiescence_WhileAReminderHandlerIsHeld_ReturnsFalse_AndTrueOnceItIsReleased()
    {
        var node = await StartQuiescenceNodeAsync();
        var quiescence = node.Get<IRuntimeQuiescence>();
        await Work(node, "dave").ScheduleAsync("slow", Start.AddMinutes(1));
        Probe.Increment("hold:slow");

        Clock.Advance(TimeSpan.FromMinutes(1));
        await Probe.WaitUntilAsync(() => Probe.Get("held:slow") == 1, "the reminder handler to be held at its gate");

        Assert.False(await quiescence.WaitForQuiescenceAsync(Short, CancellationToken.None));
        Assert.Empty(await Log(node, "dave").LoggedAsync());

        Probe.Open("release:slow");

        Assert.True(await quiescence.WaitForQuiescenceAsync(Generous, CancellationToken.None));
        Assert.Equal(["slow"], await Work(node, "dave").DoneAsync());
        Assert.Equal(["slow"], await Log(node, "dave").LoggedAsync());
        Assert.Equal(["work/dave#1", "worklog/dave#1"], Probe.Entries("audit").Order());
    }

    [Theory]
    [InlineData("audit")]
    [InlineData("replay")]
    public async Task WaitForQuiescence_WhileAConsumerIsHeld_ReturnsFalse_AndTrueOnceItCaughtUp(string consumer)
    {
        var node = await StartQuiescenceNodeAsync();
        var quiescence = node.Get<IRuntimeQuiescence>();
        var replayLog = ReplayConsumer.LogKey(node.Get<INodeStatus>().NodeId);
        Probe.Increment($"hold:{consumer}");

        await node.Grains.GetGrain<ICounterGrain>("consumed").IncrementAndRaiseAsync(false, false);
        await Probe.WaitUntilAsync(() => Probe.Get($"held:{consumer}") == 1, $"the {consumer} consumer to be held at its gate");

        Assert.False(await quiescence.WaitForQuiescenceAsync(Short, CancellationToken.None));

        Probe.Open($"release:{consumer}");

        Assert.True(await quiescence.WaitForQuiescenceAsync(Generous, CancellationToken.None));
        Assert.Equal(["counter/consumed#1"], Probe.Entries("audit"));
        Assert.Equal(["1"], Probe.Entries(replayLog));
    }

    private Task<TestNode> StartQuiescenceNodeAsync() =>
        StartNodeAsync(services: s => s.AddOutboxConsumer<AuditConsumer>().AddOutboxConsumer<ReplayConsumer>());

    private static IDueWorkGrain Work(TestNode node, string key) => node.Grains.GetGrain<IDueWorkGrain>(key);

    private static IWorkLogGrain Log(TestNode node, string key) => node.Grains.GetGrain<IWorkLogGrain>(key);
}

public sealed class SqliteQuiescenceTests() : QuiescenceTests(StoreKind.Sqlite);

[Collection(PostgresCollection.Name)]
public sealed class PostgresQuiescenceTests() : QuiescenceTests(StoreKind.Postgres);
