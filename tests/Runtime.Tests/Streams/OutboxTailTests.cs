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
    public async Task ThisNodesCommits_AreServedAsHandedOver_WithTheRaisedObjects_WithoutAStoreRead()
    {
        var counting = CountingStore.Wrap(_storage, handOver: true);
        var tail = new OutboxTail(counting.Store);
        var raised = new object();

        await AppendAsync(new OutgoingEvent("s", "e1", "{}") { Value = raised }, new OutgoingEvent("s", "e2", "{}"));
        await AppendAsync(new OutgoingEvent("s", "e3", "{}"));
        var events = await tail.ReadAsync(0, 500, await NotificationAsync(), Ct);

        Assert.Equal(["e1", "e2", "e3"], events.Select(e => e.Type));
        Assert.Same(raised, events[0].Value);
        Assert.Equal(0, counting.EventReads);
    }

    [Fact]
    public async Task RowsHandedOverOutOfOrder_OrAfterAGap_AreServedOnceTheRunIsWhole()
    {
        await AppendAsync("e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9");
        var rows = (await _storage.ReadEventsAsync(0, 10, null, Ct)).ToArray();
        var tail = new OutboxTail(_counting.Store);

        // Two commits handed over in the wrong order make one run.
        _counting.HandOver(rows[2..4]);
        _counting.HandOver(rows[0..2]);
        Assert.Equal(["e1", "e2", "e3", "e4"], (await tail.ReadAsync(0, 500, rows[3].Seq, Ct)).Select(e => e.Type));

        // Rows after a gap wait aside: the run ends before them until the gap is handed over too.
        _counting.HandOver(rows[5..6]);
        Assert.Equal(["e4"], (await tail.ReadAsync(rows[2].Seq, 500, rows[3].Seq, Ct)).Select(e => e.Type));
        _counting.HandOver(rows[4..5]);
        Assert.Equal(["e5", "e6"], (await tail.ReadAsync(rows[3].Seq, 500, rows[5].Seq, Ct)).Select(e => e.Type));

        // At the end of the run, with nothing known after it: an empty answer, no read.
        Assert.Empty(await tail.ReadAsync(rows[5].Seq, 500, rows[5].Seq, Ct));
        Assert.Equal(0, _counting.EventReads);

        // Rows no hand-over brought (another node's) are read from the store once a wake-up names what follows them,
        // and the read joins the rows waiting aside to the run.
        _counting.HandOver(rows[8..9]);
        Assert.Equal(["e7", "e8", "e9"], (await tail.ReadAsync(rows[5].Seq, 500, rows[8].Seq, Ct)).Select(e => e.Type));
        Assert.Equal(1, _counting.EventReads);
        Assert.Equal(rows.Select(e => e.Type), (await tail.ReadAsync(0, 500, rows[8].Seq, Ct)).Select(e => e.Type));
        Assert.Equal(1, _counting.EventReads);
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

    /// <summary>The last seq known committed now: what a consumer woken by the commits so far has seen.</summary>
    private Task<long> NotificationAsync() => _storage.WaitForEventsAsync(-1, TimeSpan.Zero, Ct);

    private Task AppendAsync(params string[] types) => AppendAsync([.. types.Select(type => new OutgoingEvent("s", type, "{}"))]);

    private async Task AppendAsync(params OutgoingEvent[] events)
    {
        var results = await _storage.CommitAsync([new GrainCommit(Writer, _lease, [], events, [])], Ct);
        Assert.Equal(CommitStatus.Committed, Assert.Single(results).Status);
    }

    /// <summary>
    /// Forwards every call to a real store and counts the outbox reads. Unless it hands over, the store's commits are
    /// not handed to the tail (as if another node made them); the test hands rows over itself.
    /// </summary>
    public class CountingStore : DispatchProxy
    {
        private IStorageProvider _inner = null!;
        private bool _handOver;
        private Action<IReadOnlyList<StoredEvent>>? _handler;
        private int _eventReads;

        public IStorageProvider Store => (IStorageProvider)(object)this;

        public int EventReads => Volatile.Read(ref _eventReads);

        public static CountingStore Wrap(IStorageProvider inner, bool handOver = false)
        {
            var proxy = DispatchProxy.Create<IStorageProvider, CountingStore>();
            var counting = (CountingStore)(object)proxy;
            counting._inner = inner;
            counting._handOver = handOver;
            return counting;
        }

        /// <summary>Hands <paramref name="rows"/> to the subscribers as if this node had just committed them.</summary>
        public void HandOver(IReadOnlyList<StoredEvent> rows) => _handler?.Invoke(rows);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IStorageProvider.ReadEventsAsync))
            {
                Interlocked.Increment(ref _eventReads);
            }

            if (!_handOver && targetMethod.Name == $"add_{nameof(IStorageProvider.EventsAppended)}")
            {
                _handler += (Action<IReadOnlyList<StoredEvent>>)args![0]!;
                return null;
            }

            return targetMethod.Invoke(_inner, args);
        }
    }
}
