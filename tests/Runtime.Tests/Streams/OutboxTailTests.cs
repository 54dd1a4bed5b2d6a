using System.Reflection;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;
using Actors.Runtime.Tests.Infrastructure;

namespace Actors.Runtime.Tests.Streams;

/// <summary>The shared end of the log (<see cref="OutboxTail"/>) and a Cluster consumer's checkpoint writes, on a real SQLite store.</summary>
public sealed class OutboxTailTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly GrainId Writer = new("tail-writer", "w");

    private TestStore _store = null!;
    private IStorageProvider _storage = null!;
    private LeaseToken _lease;
    private CountingStore _counting = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind.Sqlite);
        _storage = _store.Open();
        await _storage.InitializeAsync(Ct);
        await _storage.EnsurePartitionsAsync(1, Ct);
        var lease = await _storage.TryAcquireLeaseAsync(0, "node", TimeSpan.FromHours(1), force: false, Ct);
        _lease = new LeaseToken("node", 0, lease!.Epoch);
        _counting = CountingStore.Wrap(_storage);
    }

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        _store.Dispose();
    }

    [Fact]
    public async Task ConsumersWokenByTheSameNotification_ShareOneStoreRead_AndItsSlices()
    {
        await AppendAsync("e1", "e2", "e3");
        var seen = await NotificationAsync();
        var tail = new OutboxTail(_counting.Store);

        var first = await tail.ReadAsync(0, 500, seen, Ct);
        var second = await tail.ReadAsync(0, 500, seen, Ct);
        var rest = await tail.ReadAsync(1, 500, seen - 1, Ct);

        Assert.Equal(["e1", "e2", "e3"], first.Select(e => e.Type));
        Assert.Equal(["e1", "e2", "e3"], second.Select(e => e.Type));
        Assert.Equal(["e2", "e3"], rest.Select(e => e.Type));
        Assert.Equal(["e2"], (await tail.ReadAsync(1, 1, seen, Ct)).Select(e => e.Type));
        Assert.Equal(1, _counting.EventReads);
    }

    [Fact]
    public async Task AConsumerWokenByALaterCommit_ReadsTheStoreAgain()
    {
        await AppendAsync("e1");
        var tail = new OutboxTail(_counting.Store);
        Assert.Equal(["e1"], (await tail.ReadAsync(0, 500, await NotificationAsync(), Ct)).Select(e => e.Type));

        await AppendAsync("e2");

        Assert.Equal(["e1", "e2"], (await tail.ReadAsync(0, 500, await NotificationAsync(), Ct)).Select(e => e.Type));
        Assert.Equal(2, _counting.EventReads);
    }

    [Fact]
    public async Task AConsumerBehindTheOthers_IsServedAFullBatchFromTheKeptEvents_WhateverItSawSince()
    {
        await AppendAsync("e1", "e2", "e3", "e4");
        var tail = new OutboxTail(_counting.Store);
        await tail.ReadAsync(0, 500, await NotificationAsync(), Ct);
        await AppendAsync("e5");

        Assert.Equal(["e2", "e3"], (await tail.ReadAsync(1, 2, await NotificationAsync(), Ct)).Select(e => e.Type));
        Assert.Equal(1, _counting.EventReads);

        // Up to the end of what is kept: only a read after the new commit may answer.
        Assert.Equal(["e3", "e4", "e5"], (await tail.ReadAsync(2, 500, await NotificationAsync(), Ct)).Select(e => e.Type));
        Assert.Equal(2, _counting.EventReads);
        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], (await tail.ReadAsync(0, 500, await NotificationAsync(), Ct)).Select(e => e.Type));
        Assert.Equal(2, _counting.EventReads);
    }

    [Fact]
    public async Task AConsumerPastTheKeptEvents_ReadsTheStore()
    {
        await AppendAsync("e1", "e2");
        var tail = new OutboxTail(_counting.Store);
        await tail.ReadAsync(0, 500, await NotificationAsync(), Ct);
        await AppendAsync("e3");

        Assert.Equal(["e3"], (await tail.ReadAsync(2, 500, await NotificationAsync(), Ct)).Select(e => e.Type));
        Assert.Equal(2, _counting.EventReads);
    }

    [Fact]
    public async Task Checkpoint_IsWrittenOncePerInterval_AndTheLatestOnFlush()
    {
        var checkpoint = new CheckpointWriter("projection", _storage, TimeSpan.FromHours(1));

        await checkpoint.AdvanceAsync(3, Ct);
        await checkpoint.AdvanceAsync(8, Ct);
        Assert.Equal(3, await _storage.ReadCheckpointAsync("projection", Ct));

        await checkpoint.FlushAsync(Ct);
        Assert.Equal(8, await _storage.ReadCheckpointAsync("projection", Ct));

        await checkpoint.AdvanceAsync(12, Ct);
        checkpoint.Forget();
        await checkpoint.FlushAsync(Ct);
        Assert.Equal(8, await _storage.ReadCheckpointAsync("projection", Ct));
    }

    [Fact]
    public async Task Checkpoint_WithAZeroInterval_IsWrittenAfterEveryBatch()
    {
        var checkpoint = new CheckpointWriter("projection", _storage, TimeSpan.Zero);

        await checkpoint.AdvanceAsync(3, Ct);
        Assert.Equal(3, await _storage.ReadCheckpointAsync("projection", Ct));
        await checkpoint.AdvanceAsync(8, Ct);
        Assert.Equal(8, await _storage.ReadCheckpointAsync("projection", Ct));
    }

    /// <summary>The notification version now: what a consumer woken by the commits so far has seen.</summary>
    private Task<long> NotificationAsync() => _storage.WaitForEventsAsync(-1, TimeSpan.Zero, Ct);

    private async Task AppendAsync(params string[] types)
    {
        var results = await _storage.CommitAsync(
            [new GrainCommit(Writer, _lease, [], [.. types.Select(type => new OutgoingEvent("s", type, "{}"))], [])],
            Ct);
        Assert.Equal(CommitStatus.Committed, Assert.Single(results).Status);
    }

    /// <summary>Forwards every call to a real store and counts the outbox reads.</summary>
    public class CountingStore : DispatchProxy
    {
        private IStorageProvider _inner = null!;
        private int _eventReads;

        public IStorageProvider Store => (IStorageProvider)(object)this;

        public int EventReads => Volatile.Read(ref _eventReads);

        public static CountingStore Wrap(IStorageProvider inner)
        {
            var proxy = DispatchProxy.Create<IStorageProvider, CountingStore>();
            var counting = (CountingStore)(object)proxy;
            counting._inner = inner;
            return counting;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IStorageProvider.ReadEventsAsync))
            {
                Interlocked.Increment(ref _eventReads);
            }

            return targetMethod.Invoke(_inner, args);
        }
    }
}
