using Actors.Runtime.Storage;
using Actors.Runtime.Tests.Infrastructure;

namespace Actors.Runtime.Tests.Reminders;

public abstract class ReminderTests(StoreKind kind) : NodeTestBase(kind)
{
    [Fact]
    public async Task PeriodicReminder_IsDeliveredOncePerTick()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IReminderGrain>("periodic");
        await grain.PeriodicAsync("poll", TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), MissedTickPolicy.Skip);

        for (var tick = 1; tick <= 3; tick++)
        {
            Clock.Advance(TimeSpan.FromMinutes(10));
            var expected = tick;
            await Probe.WaitUntilAsync(() => Probe.Get("delivered:periodic:poll") == expected, $"tick {expected}");
        }

        var reminders = node.Get<Actors.Runtime.Reminders.ReminderService>();
        await Polling.UntilAsync(() => reminders.Settled == 3, "the third tick to be re-armed");
        Assert.Equal(3, await grain.DeliveriesAsync("poll"));
        Assert.Equal(
            [Start.AddMinutes(10), Start.AddMinutes(20), Start.AddMinutes(30)],
            Probe.Entries("tick:periodic:poll").Select(DateTimeOffset.Parse));
        var next = await grain.GetReminderAsync("poll");
        Assert.Equal(Start.AddMinutes(40), next!.DueAt);
    }

    [Fact]
    public async Task OneShotReminder_FiresAtItsInstant_ThenIsGone()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IReminderGrain>("once");
        await grain.OneShotAsync("activate", Start.AddDays(2), MissedTickPolicy.FireOnce);

        Clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, Probe.Get("delivered:once:activate"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Probe.WaitUntilAsync(() => Probe.Get("delivered:once:activate") == 1, "the one-shot reminder");

        Assert.Null(await grain.GetReminderAsync("activate"));
        Assert.Null(await node.Get<IStorageProvider>().ReadReminderAsync(new GrainId("reminder", "once"), "activate", CancellationToken.None));
    }

    [Fact]
    public async Task ReminderDueSoonerThanTheLoopSleepsUntil_WakesIt_AndFiresOnTime()
    {
        // No poll within the test: only the change itself can make the loop look again.
        var node = await StartNodeAsync(o => o.ReminderPollInterval = TimeSpan.FromMinutes(1));
        var grain = node.Grains.GetGrain<IReminderGrain>("sooner");
        var reminders = node.Get<Actors.Runtime.Reminders.ReminderService>();
        await grain.OneShotAsync("later", Start.AddDays(2), MissedTickPolicy.FireOnce);
        await Polling.UntilAsync(() => Task.FromResult(reminders.SleepingUntil), until => until == Start.AddDays(2), "the loop to sleep until the later reminder");

        var looks = reminders.Looks;

        await grain.OneShotAsync("sooner", Start.AddHours(1), MissedTickPolicy.FireOnce);
        await Polling.UntilAsync(() => Task.FromResult(reminders.SleepingUntil), until => until == Start.AddHours(1), "the loop to sleep until the sooner reminder");

        // The commit told the loop the time: it moved its timer without asking storage again.
        Assert.Equal(looks, reminders.Looks);
        Clock.Advance(TimeSpan.FromHours(1));

        await Probe.WaitUntilAsync(() => Probe.Get("delivered:sooner:sooner") == 1, "the sooner reminder at its instant");
        Assert.Equal(0, Probe.Get("delivered:sooner:later"));
    }

    [Fact]
    public async Task ReminderMovedByACommitInFlight_IsSeenMovedByItsTurn()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IReminderGrain>("in-flight");
        await grain.OneShotAsync("r", Start.AddDays(2), MissedTickPolicy.FireOnce);

        // The write carrying the move is still in flight when the turn asks: it must see the move, not the stored time.
        Assert.Equal(Start.AddDays(1), await grain.MoveWhileWritingAsync("r", Start.AddDays(1)));
        Assert.Equal(Start.AddDays(1), (await grain.GetReminderAsync("r"))!.DueAt);
    }

    [Fact]
    public async Task ReminderSetByAFailedTurn_DoesNotExist()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IReminderGrain>("failed-turn");

        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.OneShotThenFailAsync("r", Start.AddMinutes(1)));

        Assert.Null(await grain.GetReminderAsync("r"));
    }

    [Fact]
    public async Task AfterAnOutage_SkipDropsMissedTicks_FireOnceDeliversOne()
    {
        var node = await StartNodeAsync();
        await node.Grains.GetGrain<IReminderGrain>("skip").PeriodicAsync("tick", TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), MissedTickPolicy.Skip);
        await node.Grains.GetGrain<IReminderGrain>("fire").PeriodicAsync("tick", TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), MissedTickPolicy.FireOnce);
        await node.Grains.GetGrain<IReminderGrain>("skip").OneShotAsync("once", Start.AddMinutes(5), MissedTickPolicy.Skip);
        await node.Grains.GetGrain<IReminderGrain>("fire").OneShotAsync("once", Start.AddMinutes(5), MissedTickPolicy.FireOnce);
        await node.StopAsync();

        // No node is up while three ticks and both one-shots fall due.
        Clock.Advance(TimeSpan.FromMinutes(35));
        var restarted = await StartNodeAsync();

        await Probe.WaitUntilAsync(() => Probe.Get("delivered:fire:tick") == 1 && Probe.Get("delivered:fire:once") == 1, "the FireOnce reminders to be delivered once on recovery");
        var skip = restarted.Grains.GetGrain<IReminderGrain>("skip");
        var reminders = restarted.Get<Actors.Runtime.Reminders.ReminderService>();
        await Polling.UntilAsync(() => reminders.Settled == 4, "all four due reminders to be settled");
        Assert.Null(await skip.GetReminderAsync("once"));
        Assert.Equal(Start.AddMinutes(40), (await skip.GetReminderAsync("tick"))!.DueAt);
        Assert.Equal(0, Probe.Get("delivered:skip:tick"));
        Assert.Equal(0, Probe.Get("delivered:skip:once"));

        Clock.Advance(TimeSpan.FromMinutes(5));
        await Probe.WaitUntilAsync(() => Probe.Get("delivered:skip:tick") == 1 && Probe.Get("delivered:fire:tick") == 2, "both periodic reminders at their next tick");
        Assert.Equal(1, Probe.Get("delivered:fire:once"));
    }

    [Fact]
    public async Task ClaimLeftByADeadNode_Expires_AndTheReminderIsDeliveredAgain()
    {
        var claim = TimeSpan.FromMilliseconds(500);
        var node = await StartNodeAsync(o => o.ReminderClaimDuration = claim);
        var grain = node.Grains.GetGrain<IReminderGrain>("orphan");
        await grain.OneShotAsync("due", Start.AddMinutes(1), MissedTickPolicy.FireOnce);
        var storage = node.Get<IStorageProvider>();
        var directory = node.Get<Actors.Runtime.Cluster.PartitionDirectory>();

        // A node that then dies claims the reminder first.
        var claimed = await storage.ClaimDueRemindersAsync("dead-node", directory.LocalPartitions, Start.AddMinutes(1), claim, 10, CancellationToken.None);
        Assert.Single(claimed);
        Clock.Advance(TimeSpan.FromMinutes(1));

        await Probe.WaitUntilAsync(() => Probe.Get("delivered:orphan:due") == 1, "the reminder to be delivered after the dead node's claim expired");
        Assert.Equal(1, await grain.DeliveriesAsync("due"));
    }

    [Fact]
    public async Task NextBatch_IsClaimedAndDelivered_WhileABatchWaitsForItsSlowestDelivery()
    {
        // The held delivery must stay held until released: a call timeout far beyond the test.
        var node = await StartNodeAsync(o =>
        {
            o.ReminderBatchSize = 2;
            o.CallTimeout = TimeSpan.FromMinutes(10);
        });
        await node.Grains.GetGrain<IReminderGrain>("slow").OneShotAsync("held", Start.AddMinutes(1), MissedTickPolicy.FireOnce);
        for (var i = 1; i <= 3; i++)
        {
            await node.Grains.GetGrain<IReminderGrain>($"quick-{i}").OneShotAsync("go", Start.AddMinutes(1).AddSeconds(i), MissedTickPolicy.FireOnce);
        }

        Probe.Increment("block:held");
        Clock.Advance(TimeSpan.FromMinutes(2));

        // Claims go in due order, two at a time: the held reminder and quick-1 first, then quick-2 and quick-3, which
        // are delivered while the first batch still waits for the held one.
        await Probe.WaitUntilAsync(() => Probe.Get("delivered:quick-3:go") == 1 && Probe.Get("delivered:quick-2:go") == 1, "the second batch, with the first still in flight");
        Assert.Equal(1, Probe.Get("blocked:held"));
        Assert.Equal(0, Probe.Get("delivered:slow:held"));

        Probe.Open("release:held");
        await Probe.WaitUntilAsync(() => Probe.Get("delivered:slow:held") == 1, "the held delivery to finish");
        var reminders = node.Get<Actors.Runtime.Reminders.ReminderService>();
        await Polling.UntilAsync(() => reminders.Settled == 4, "every delivery's outcome to be written back");
    }

    [Fact]
    public async Task Unregister_DuringDelivery_BeatsTheStaleReArm()
    {
        var node = await StartNodeAsync();
        var grain = node.Grains.GetGrain<IReminderGrain>("raced");
        await grain.PeriodicAsync("blocking", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), MissedTickPolicy.Skip);
        Probe.Increment("block:blocking");

        Clock.Advance(TimeSpan.FromMinutes(1));
        await Probe.WaitUntilAsync(() => Probe.Get("blocked:blocking") == 1, "the delivery to be in flight");

        // The grain is busy with the tick; its reminder is removed through storage as another turn would.
        var storage = node.Get<IStorageProvider>();
        var id = new GrainId("reminder", "raced");
        var directory = node.Get<Actors.Runtime.Cluster.PartitionDirectory>();
        Assert.True(directory.TryGetLocalLease(Partitioner.GetPartition(id, directory.PartitionCount), out var lease));
        var removed = await storage.CommitAsync([new GrainCommit(id, lease, [], [], [ReminderOperation.Delete("blocking")])], CancellationToken.None);
        Assert.Equal(CommitStatus.Committed, removed[0].Status);

        Probe.Open("release:blocking");
        await Probe.WaitUntilAsync(() => Probe.Get("delivered:raced:blocking") == 1, "the in-flight delivery to finish");
        var reminders = node.Get<Actors.Runtime.Reminders.ReminderService>();
        await Polling.UntilAsync(() => reminders.Settled == 1, "the delivery's outcome to be written back");

        Assert.Null(await storage.ReadReminderAsync(id, "blocking", CancellationToken.None));
    }
}

public sealed class SqliteReminderTests() : ReminderTests(StoreKind.Sqlite);

[Collection(PostgresCollection.Name)]
public sealed class PostgresReminderTests() : ReminderTests(StoreKind.Postgres);
