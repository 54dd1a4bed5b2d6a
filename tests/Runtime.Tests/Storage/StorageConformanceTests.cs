using Actors.Runtime.Storage;
using Actors.Runtime.Tests.Infrastructure;

namespace Actors.Runtime.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IStorageProvider"/> must have. Each test gets a fresh, initialized store with
/// <see cref="PartitionCount"/> partitions. Both providers store payloads as text, so reads are held to be byte-exact.
/// </summary>
public abstract class StorageConformanceTests : IAsyncLifetime, IDisposable
{
    protected const int PartitionCount = 4;
    protected const string NodeA = "node-a";
    protected const string NodeB = "node-b";
    protected const string State = "profile";

    protected static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);

    /// <summary>Business time for reminders; independent of the store clock.</summary>
    protected static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));
    private readonly List<IStorageProvider> _providers = [];
    private readonly List<string> _locations = [];
    private readonly Dictionary<(string Node, int Partition), LeaseToken> _leases = [];

    protected IStorageProvider Store { get; private set; } = null!;

    /// <summary>Where <see cref="Store"/> lives: a file path or a connection string.</summary>
    protected string Location { get; private set; } = "";

    protected CancellationToken Ct => _timeout.Token;

    /// <summary>Creates a new, empty store and returns where it lives.</summary>
    protected abstract Task<string> CreateStoreAsync();

    /// <summary>Opens a provider on an existing store without initializing it.</summary>
    protected abstract IStorageProvider Open(string location);

    protected virtual Task DeleteStoreAsync(string location) => Task.CompletedTask;

    /// <summary>Makes sure <see cref="IStorageProvider.WaitForEventsAsync"/> can already be woken by a commit.</summary>
    protected virtual Task EnsureEventListenerReadyAsync() => Task.CompletedTask;

    /// <summary>The schema version this code migrates the store to.</summary>
    protected abstract int SchemaVersion { get; }

    public async Task InitializeAsync()
    {
        Location = await NewStoreAsync();
        Store = await OpenInitializedAsync(Location);
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        foreach (var location in _locations)
        {
            await DeleteStoreAsync(location);
        }
    }

    public void Dispose()
    {
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }

    // ---- schema --------------------------------------------------------------------------------------------

    [Fact]
    public async Task InitializeAsync_RunTwice_IsIdempotentAndRecordsSchemaVersion()
    {
        var store = Track(Open(await NewStoreAsync()));
        Assert.Equal(0, await store.GetSchemaVersionAsync(Ct));

        await store.InitializeAsync(Ct);
        Assert.Equal(SchemaVersion, await store.GetSchemaVersionAsync(Ct));
        await store.EnsurePartitionsAsync(PartitionCount, Ct);
        var grain = Grain("schema");
        var lease = await store.TryAcquireLeaseAsync(Partition(grain), NodeA, LongLease, force: false, Ct);
        var token = new LeaseToken(NodeA, Partition(grain), lease!.Epoch);
        var written = await store.CommitAsync([new GrainCommit(grain, token, [new StateOperation(State, null, Json(1))], [], [])], Ct);
        AssertCommitted(Assert.Single(written), 1);

        await store.InitializeAsync(Ct);

        Assert.Equal(SchemaVersion, await store.GetSchemaVersionAsync(Ct));
        var stored = await store.ReadStateAsync(grain, State, Ct);
        Assert.Equal((Json(1), 1L), (stored?.Payload, stored?.Version));
    }

    // ---- grain state ---------------------------------------------------------------------------------------

    [Fact]
    public async Task ReadState_NeverWritten_IsNull()
    {
        Assert.Null(await Store.ReadStateAsync(Grain("nothing"), State, Ct));
    }

    [Fact]
    public async Task Write_NewState_StartsAtVersionOneAndReadsBack()
    {
        var grain = Grain("new");

        var result = await WriteAsync(grain, State, null, Json(1));

        AssertCommitted(result, 1);
        var stored = await ReadAsync(grain, State);
        Assert.Equal(Json(1), stored.Payload);
        Assert.Equal(1, stored.Version);
        Assert.True(stored.RecordExists);
    }

    [Fact]
    public async Task CommitWithReads_TheReadsSeeWhatWasCommittedBefore_NotTheGroupsOwnWrites()
    {
        var (before, written, never) = (Grain("ride-before"), Grain("ride-written"), Grain("ride-never"));
        AssertCommitted(await WriteAsync(before, State, null, Json(1)), 1);

        var group = await Store.CommitAsync(
            [
                new GrainCommit(before, await LeaseAsync(before), [new StateOperation(State, 1, Json(2))], [], []),
                new GrainCommit(written, await LeaseAsync(written), [new StateOperation(State, null, Json(3))], [], []),
            ],
            [new StateKey(before, State), new StateKey(never, State), new StateKey(written, State)],
            Ct);

        Assert.Equal([(Json(1), 1L), null, null], PayloadsAndVersions(group.States));
        AssertCommitted(group.Commits[0], 2);
        AssertCommitted(group.Commits[1], 1);
        Assert.Equal((Json(2), 2L), await ReadPayloadAndVersionAsync(before, State));
        Assert.Equal((Json(3), 1L), await ReadPayloadAndVersionAsync(written, State));
    }

    [Fact]
    public async Task CommitWithReads_AUnitThatFailsItsCheck_LeavesTheReadsAnsweredAndTheOtherUnitsCommitted()
    {
        var (stale, good, read) = (Grain("ride-stale"), Grain("ride-good"), Grain("ride-read"));
        AssertCommitted(await WriteAsync(stale, State, null, Json(1)), 1);
        AssertCommitted(await WriteAsync(read, State, null, Json(4)), 1);

        var group = await Store.CommitAsync(
            [
                new GrainCommit(stale, await LeaseAsync(stale), [new StateOperation(State, 7, Json(2))], [], []),
                new GrainCommit(good, await LeaseAsync(good), [new StateOperation(State, null, Json(3))], [], []),
            ],
            [new StateKey(read, State)],
            Ct);

        Assert.Equal([(Json(4), 1L)], PayloadsAndVersions(group.States));
        AssertConflict(group.Commits[0], State, 1);
        AssertCommitted(group.Commits[1], 1);
        Assert.Equal((Json(3), 1L), await ReadPayloadAndVersionAsync(good, State));
    }

    [Fact]
    public async Task CommitWithReads_WithNoCommits_AnswersTheReads()
    {
        var grain = Grain("ride-alone");
        AssertCommitted(await WriteAsync(grain, State, null, Json(5)), 1);

        var group = await Store.CommitAsync([], [new StateKey(grain, State), new StateKey(Grain("ride-none"), State)], Ct);

        Assert.Empty(group.Commits);
        Assert.Equal([(Json(5), 1L), null], PayloadsAndVersions(group.States));
    }

    [Fact]
    public async Task ReadStates_AnswersEachKeyInOrder_AsASingleReadWould()
    {
        var (first, second, cleared) = (Grain("many-1"), Grain("many-2"), Grain("many-cleared"));
        AssertCommitted(await WriteAsync(first, State, null, Json(1)), 1);
        AssertCommitted(await WriteAsync(first, "other", null, Json(7)), 1);
        AssertCommitted(await WriteAsync(second, State, null, Json(2)), 1);
        AssertCommitted(await WriteAsync(second, State, 1, Json(3)), 2);
        AssertCommitted(await WriteAsync(cleared, State, null, Json(4)), 1);
        AssertCommitted(await WriteAsync(cleared, State, 1, null), 2);
        StateKey[] keys =
        [
            new(second, State), new(Grain("many-never"), State), new(first, "other"), new(cleared, State), new(first, State), new(second, State),
        ];

        var states = await Store.ReadStatesAsync(keys, Ct);

        Assert.Equal(keys.Length, states.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(await Store.ReadStateAsync(keys[i].Grain, keys[i].StateName, Ct), states[i]);
        }

        Assert.Equal([(Json(3), 2L), null, (Json(7), 1L), (null, 2L), (Json(1), 1L), (Json(3), 2L)], PayloadsAndVersions(states));
    }

    [Fact]
    public async Task Write_WithNoExpectedVersionWhenRowExists_IsConflict()
    {
        var grain = Grain("duplicate");
        AssertCommitted(await WriteAsync(grain, State, null, Json(1)), 1);

        var result = await WriteAsync(grain, State, null, Json(2));

        AssertConflict(result, State, 1);
        Assert.Equal((Json(1), 1L), await ReadPayloadAndVersionAsync(grain, State));
    }

    [Fact]
    public async Task Write_WithStaleVersion_IsConflict()
    {
        var grain = Grain("stale");
        AssertCommitted(await WriteAsync(grain, State, null, Json(1)), 1);
        AssertCommitted(await WriteAsync(grain, State, 1, Json(2)), 2);

        var result = await WriteAsync(grain, State, 1, Json(3));

        AssertConflict(result, State, 2);
        Assert.Equal((Json(2), 2L), await ReadPayloadAndVersionAsync(grain, State));
    }

    [Fact]
    public async Task Write_ExpectingVersionOfMissingRow_IsConflictWithNoStoredVersion()
    {
        var grain = Grain("missing");

        var result = await WriteAsync(grain, State, 3, Json(1));

        AssertConflict(result, State, null);
        Assert.Null(await Store.ReadStateAsync(grain, State, Ct));
    }

    [Fact]
    public async Task Write_ChangesVersionOnEveryWrite_EvenWithSamePayload()
    {
        var grain = Grain("versions");
        long? expected = null;
        var versions = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var result = await WriteAsync(grain, State, expected, Json(7));
            AssertCommitted(result, result.NewVersions.Single());
            expected = result.NewVersions.Single();
            versions.Add(expected.Value);
            Assert.Equal((Json(7), expected.Value), await ReadPayloadAndVersionAsync(grain, State));
        }

        Assert.Equal([1L, 2, 3, 4, 5], versions);
    }

    [Fact]
    public async Task Clear_BeforeAnyWrite_ThenWriteSucceeds()
    {
        var grain = Grain("clear-first");

        AssertCommitted(await WriteAsync(grain, State, null, null), 1);
        var cleared = await ReadAsync(grain, State);
        Assert.Null(cleared.Payload);
        Assert.False(cleared.RecordExists);
        Assert.Equal(1, cleared.Version);

        AssertCommitted(await WriteAsync(grain, State, 1, Json(1)), 2);
        Assert.Equal((Json(1), 2L), await ReadPayloadAndVersionAsync(grain, State));
    }

    [Fact]
    public async Task Clear_AfterWrite_KeepsVersionIncreasing()
    {
        var grain = Grain("clear-after");
        AssertCommitted(await WriteAsync(grain, State, null, Json(1)), 1);

        AssertCommitted(await WriteAsync(grain, State, 1, null), 2);

        Assert.Equal(((string?)null, 2L), await ReadPayloadAndVersionAsync(grain, State));
        AssertConflict(await WriteAsync(grain, State, 1, Json(2)), State, 2);
        AssertConflict(await WriteAsync(grain, State, null, Json(2)), State, 2);
        AssertCommitted(await WriteAsync(grain, State, 2, Json(3)), 3);
        Assert.Equal((Json(3), 3L), await ReadPayloadAndVersionAsync(grain, State));
    }

    [Fact]
    public async Task StateNames_OfOneGrain_AreIndependent()
    {
        var grain = Grain("names");
        AssertCommitted(await WriteAsync(grain, "a", null, Json(1)), 1);
        AssertCommitted(await WriteAsync(grain, "b", null, Json(10)), 1);
        AssertCommitted(await WriteAsync(grain, "a", 1, Json(2)), 2);

        AssertConflict(await WriteAsync(grain, "b", 2, Json(11)), "b", 1);
        var both = await CommitAsync(grain, [new StateOperation("a", 2, Json(3)), new StateOperation("b", 1, Json(12))]);

        AssertCommitted(both, 3, 2);
        Assert.Equal((Json(3), 3L), await ReadPayloadAndVersionAsync(grain, "a"));
        Assert.Equal((Json(12), 2L), await ReadPayloadAndVersionAsync(grain, "b"));
        Assert.Null(await Store.ReadStateAsync(grain, "c", Ct));
    }

    [Fact]
    public async Task WritesAndReads_OnManyGrainsInParallel_AreAllConsistent()
    {
        var grains = Enumerable.Range(0, 32).Select(i => Grain($"parallel-{i}")).ToList();
        foreach (var grain in grains)
        {
            await LeaseAsync(grain);
        }

        await Task.WhenAll(grains.Select(async grain =>
        {
            long? expected = null;
            for (var i = 1; i <= 5; i++)
            {
                var result = await WriteAsync(grain, State, expected, Json(i));
                AssertCommitted(result, i);
                expected = i;
                Assert.Equal((Json(i), (long)i), await ReadPayloadAndVersionAsync(grain, State));
            }
        }));

        foreach (var grain in grains)
        {
            Assert.Equal((Json(5), 5L), await ReadPayloadAndVersionAsync(grain, State));
        }
    }

    [Fact]
    public async Task ConcurrentFirstWrites_OfOneState_CommitExactlyOnce()
    {
        var grain = Grain("race-insert");
        await LeaseAsync(grain);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => WriteAsync(grain, State, null, Json(i))));

        var winner = Assert.Single(Enumerable.Range(0, 8), i => results[i].Status == CommitStatus.Committed);
        AssertCommitted(results[winner], 1);
        Assert.All(results.Where((_, i) => i != winner), result => AssertConflict(result, State, 1));
        Assert.Equal((Json(winner), 1L), await ReadPayloadAndVersionAsync(grain, State));
    }

    [Fact]
    public async Task ConcurrentWrites_ExpectingSameVersion_CommitExactlyOnce()
    {
        var grain = Grain("race-update");
        AssertCommitted(await WriteAsync(grain, State, null, Json(100)), 1);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => WriteAsync(grain, State, 1, Json(i))));

        var winner = Assert.Single(Enumerable.Range(0, 8), i => results[i].Status == CommitStatus.Committed);
        AssertCommitted(results[winner], 2);
        Assert.All(results.Where((_, i) => i != winner), result => AssertConflict(result, State, 2));
        Assert.Equal((Json(winner), 2L), await ReadPayloadAndVersionAsync(grain, State));
    }

    [Fact]
    public async Task Payloads_AreReadBackByteForByte()
    {
        // Key order, spacing and escapes as the serializer wrote them: a store that parses JSON would give them back changed.
        const string Written = "{\"zeta\":1,  \"alpha\":\"\\u00e9\",\"n\":1.50}";
        var grain = Grain("verbatim");
        AssertCommitted(await CommitAsync(grain, [new StateOperation(State, null, Written)], [new OutgoingEvent("s", "Verbatim", Written)], []), 1);

        Assert.Equal((Written, 1L), await ReadPayloadAndVersionAsync(grain, State));
        Assert.Equal(Written, Assert.Single(await Store.ReadEventsAsync(0, 10, null, Ct)).Payload);
    }

    [Fact]
    public async Task Everything_SurvivesReopeningTheStore()
    {
        var written = Grain("durable");
        var cleared = Grain("durable-cleared");
        AssertCommitted(
            await CommitAsync(written, [new StateOperation(State, null, Json(1))], [new OutgoingEvent("s", "Created", Json(1))], [Upsert("r", T0)]),
            1);
        AssertCommitted(await WriteAsync(cleared, State, null, Json(2)), 1);
        AssertCommitted(await WriteAsync(cleared, State, 1, null), 2);
        await Store.WriteCheckpointAsync("consumer", 1, Ct);
        var reminder = await Store.ReadReminderAsync(written, "r", Ct);
        var leases = await Store.ReadLeasesAsync(Ct);

        await ReopenAsync();

        Assert.Equal((Json(1), 1L), await ReadPayloadAndVersionAsync(written, State));
        Assert.Equal(((string?)null, 2L), await ReadPayloadAndVersionAsync(cleared, State));
        Assert.Equal([(1L, "s", 1L, "Created", Json(1))], Project(await Store.ReadEventsAsync(0, 10, null, Ct)));
        Assert.Equal(1, await Store.GetLastSequenceAsync(Ct));
        Assert.Equal(1, await Store.ReadCheckpointAsync("consumer", Ct));
        Assert.Equal(reminder, await Store.ReadReminderAsync(written, "r", Ct));
        Assert.Equal(leases, await Store.ReadLeasesAsync(Ct));
        AssertCommitted(await WriteAsync(written, State, 1, Json(3)), 2);
    }

    // ---- group commit and fencing ------------------------------------------------------------------------

    [Fact]
    public async Task Commit_EmptyGroup_ReturnsNoResults()
    {
        Assert.Empty(await Store.CommitAsync([], Ct));
    }

    [Fact]
    public async Task Commit_WithFailingUnitsInGroup_DiscardsOnlyThoseUnits()
    {
        var a = Grain("group-a");
        var b = Grain("group-b");
        var f = Grain("group-fenced");
        var c = Grain("group-c");
        AssertCommitted(await WriteAsync(b, "x", null, Json(1)), 1);
        var fencedLease = (await LeaseAsync(f)) with { NodeId = NodeB };
        GrainCommit Unit(GrainId grain, LeaseToken lease, params StateOperation[] states) => new(
            grain,
            lease,
            states,
            [new OutgoingEvent($"s-{grain.Key}", "Raised", Json(1))],
            [Upsert("r", T0)]);

        var results = await Store.CommitAsync(
            [
                Unit(a, await LeaseAsync(a), new StateOperation(State, null, Json(1))),
                Unit(b, await LeaseAsync(b), new StateOperation("y", null, Json(2)), new StateOperation("x", 5, Json(3))),
                Unit(f, fencedLease, new StateOperation(State, null, Json(4))),
                Unit(c, await LeaseAsync(c), new StateOperation(State, null, Json(5))),
            ],
            Ct);

        Assert.Equal(4, results.Count);
        AssertCommitted(results[0], 1);
        AssertConflict(results[1], "x", 1);
        Assert.Equal(CommitStatus.Fenced, results[2].Status);
        Assert.Empty(results[2].NewVersions);
        AssertCommitted(results[3], 1);

        Assert.Null(await Store.ReadStateAsync(b, "y", Ct));
        Assert.Equal((Json(1), 1L), await ReadPayloadAndVersionAsync(b, "x"));
        Assert.Null(await Store.ReadStateAsync(f, State, Ct));
        Assert.Equal((Json(1), 1L), await ReadPayloadAndVersionAsync(a, State));
        Assert.Equal((Json(5), 1L), await ReadPayloadAndVersionAsync(c, State));

        Assert.Equal(2, await Store.GetLastSequenceAsync(Ct));
        Assert.Equal(
            [(1L, "s-group-a", 1L, "Raised", Json(1)), (2L, "s-group-c", 1L, "Raised", Json(1))],
            Project(await Store.ReadEventsAsync(0, 10, null, Ct)));

        Assert.Single(await Store.ReadRemindersAsync(a, Ct));
        Assert.Empty(await Store.ReadRemindersAsync(b, Ct));
        Assert.Empty(await Store.ReadRemindersAsync(f, Ct));
        Assert.Single(await Store.ReadRemindersAsync(c, Ct));
    }

    [Fact]
    public async Task Commit_WithStaleEpoch_IsFencedAndChangesNothing()
    {
        var grain = Grain("stale-epoch");
        var partition = Partition(grain);
        var first = await Store.TryAcquireLeaseAsync(partition, NodeA, LongLease, force: false, Ct);
        await Store.ReleaseLeasesAsync(NodeA, [partition], Ct);
        var second = await Store.TryAcquireLeaseAsync(partition, NodeA, LongLease, force: false, Ct);
        Assert.Equal(first!.Epoch + 1, second!.Epoch);

        var fenced = await CommitEverythingAsync(grain, new LeaseToken(NodeA, partition, first.Epoch));

        Assert.Equal(CommitStatus.Fenced, fenced.Status);
        await AssertNothingCommittedAsync(grain);
        AssertCommitted(await CommitEverythingAsync(grain, new LeaseToken(NodeA, partition, second.Epoch)), 1);
    }

    [Fact]
    public async Task Commit_ByNodeThatDoesNotOwnThePartition_IsFenced()
    {
        var grain = Grain("other-owner");
        var lease = await LeaseAsync(grain);

        var fenced = await CommitEverythingAsync(grain, lease with { NodeId = NodeB });

        Assert.Equal(CommitStatus.Fenced, fenced.Status);
        await AssertNothingCommittedAsync(grain);
    }

    [Fact]
    public async Task Commit_AfterEpochBumpedByForcedTakeover_IsFenced()
    {
        var grain = Grain("taken-over");
        var lease = await LeaseAsync(grain);
        var takeover = await Store.TryAcquireLeaseAsync(lease.Partition, NodeB, LongLease, force: true, Ct);
        Assert.Equal(lease.Epoch + 1, takeover!.Epoch);

        var fenced = await CommitEverythingAsync(grain, lease);

        Assert.Equal(CommitStatus.Fenced, fenced.Status);
        await AssertNothingCommittedAsync(grain);
    }

    [Fact]
    public async Task Commit_WithExpiredLease_IsFenced()
    {
        var grain = Grain("expired");
        var partition = Partition(grain);
        var lease = await Store.TryAcquireLeaseAsync(partition, NodeA, TimeSpan.FromMilliseconds(300), force: false, Ct);
        await Polling.UntilAsync(() => Store.GetStoreTimeAsync(Ct), now => now > lease!.ExpiresAt, "the store clock to pass the lease expiry");

        var fenced = await CommitEverythingAsync(grain, new LeaseToken(NodeA, partition, lease!.Epoch));

        Assert.Equal(CommitStatus.Fenced, fenced.Status);
        await AssertNothingCommittedAsync(grain);
    }

    [Fact]
    public async Task GroupCommits_ConcurrentWithLeaseRenewals_AllCommit()
    {
        // Batches of one unit per partition in descending order, against renewals of all the node's leases:
        // checked in unit order, a batch held some lease rows FOR SHARE while waiting for one a renewal had
        // updated, the renewal waited for the batch, and PostgreSQL aborted one of the two as a deadlock.
        const int Partitions = 64;
        const int Writers = 4;
        const int BatchesPerWriter = 25;
        await Store.EnsurePartitionsAsync(Partitions, Ct);
        var leases = new List<LeaseToken>();
        for (var partition = Partitions - 1; partition >= 0; partition--)
        {
            var lease = await Store.TryAcquireLeaseAsync(partition, NodeA, LongLease, force: false, Ct);
            leases.Add(new LeaseToken(NodeA, partition, lease!.Epoch));
        }

        var held = (await Store.ReadLeasesAsync(Ct)).Where(lease => lease.OwnerNode == NodeA).ToList();
        var writing = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var results = new List<CommitResult>();
            for (var version = 0; version < BatchesPerWriter; version++)
            {
                var expected = version == 0 ? (long?)null : version;
                results.AddRange(await Store.CommitAsync(
                    [.. leases.Select(lease => new GrainCommit(Grain($"renewed-{w}-{lease.Partition}"), lease, [new StateOperation(State, expected, Json(version))], [], []))],
                    Ct));
            }

            return results;
        })).ToList();
        var renewals = 0;
        while (!writing.All(task => task.IsCompleted))
        {
            Assert.Equal(Partitions, (await Store.RenewLeasesAsync(NodeA, held, LongLease, Ct)).Count);
            renewals++;
        }

        var committed = (await Task.WhenAll(writing)).SelectMany(results => results).ToList();
        Assert.Equal(Writers * BatchesPerWriter * Partitions, committed.Count(result => result.Status == CommitStatus.Committed));
        Assert.True(renewals > 0);
    }

    // ---- outbox ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Events_GetConsecutiveGlobalAndPerStreamSequenceInCommitOrder()
    {
        Assert.Equal(0, await Store.GetLastSequenceAsync(Ct));
        var grain = Grain("events");
        await CommitAsync(grain, events: [Event("s1", "e1"), Event("s2", "e2"), Event("s1", "e3")]);
        await CommitAsync(grain, events: [Event("s2", "e4")]);
        await CommitAsync(grain, events: [Event("s1", "e5")]);

        Assert.Equal(5, await Store.GetLastSequenceAsync(Ct));

        Assert.Equal(
            [
                (1L, "s1", 1L, "e1", Json(1)),
                (2L, "s2", 1L, "e2", Json(1)),
                (3L, "s1", 2L, "e3", Json(1)),
                (4L, "s2", 2L, "e4", Json(1)),
                (5L, "s1", 3L, "e5", Json(1)),
            ],
            Project(await Store.ReadEventsAsync(0, 100, null, Ct)));
        Assert.Equal(5, await Store.GetLastSequenceAsync(Ct));
    }

    [Fact]
    public async Task Events_OfOneGroupCommit_KeepUnitOrder()
    {
        var first = Grain("order-1");
        var second = Grain("order-2");

        var results = await Store.CommitAsync(
            [
                new GrainCommit(first, await LeaseAsync(first), [], [Event("s", "a"), Event("s", "b")], []),
                new GrainCommit(second, await LeaseAsync(second), [], [Event("s", "c")], []),
            ],
            Ct);

        Assert.All(results, result => AssertCommitted(result));
        Assert.Equal(3, await Store.GetLastSequenceAsync(Ct));
        Assert.Equal(
            [(1L, "s", 1L, "a", Json(1)), (2L, "s", 2L, "b", Json(1)), (3L, "s", 3L, "c", Json(1))],
            Project(await Store.ReadEventsAsync(0, 100, "s", Ct)));
    }

    [Fact]
    public async Task Commit_AFirstWriteOfAnExistingStateAmongOtherWrites_FailsOnlyItsUnit()
    {
        var (updated, added, existing, later) = (Grain("first-updated"), Grain("first-added"), Grain("first-existing"), Grain("first-later"));
        AssertCommitted(await WriteAsync(updated, State, null, Json(1)), 1);
        AssertCommitted(await WriteAsync(existing, "other", null, Json(2)), 1);

        var results = await Store.CommitAsync(
            [
                new GrainCommit(updated, await LeaseAsync(updated), [new StateOperation(State, 1, Json(3))], [], []),
                new GrainCommit(added, await LeaseAsync(added), [new StateOperation(State, null, Json(4))], [], []),
                new GrainCommit(existing, await LeaseAsync(existing), [new StateOperation(State, null, Json(5)), new StateOperation("other", null, Json(6))], [], []),
                new GrainCommit(later, await LeaseAsync(later), [new StateOperation(State, null, Json(7))], [], []),
            ],
            Ct);

        AssertCommitted(results[0], 2);
        AssertCommitted(results[1], 1);
        AssertConflict(results[2], "other", 1);
        AssertCommitted(results[3], 1);
        Assert.Null(await Store.ReadStateAsync(existing, State, Ct));
        Assert.Equal((Json(2), 1L), await ReadPayloadAndVersionAsync(existing, "other"));
        Assert.Equal((Json(7), 1L), await ReadPayloadAndVersionAsync(later, State));
    }

    [Fact]
    public async Task Commit_TwoUnitsOfOneGrainInAGroup_ApplyInOrder_AsTwoCommitsWould()
    {
        var grain = Grain("twice");
        var other = Grain("twice-other");
        var lease = await LeaseAsync(grain);

        var results = await Store.CommitAsync(
            [
                new GrainCommit(grain, lease, [new StateOperation(State, null, Json(1))], [Event("s", "first")], [Upsert("r", T0)]),
                new GrainCommit(other, await LeaseAsync(other), [new StateOperation(State, null, Json(5))], [Event("s", "other")], []),
                new GrainCommit(
                    grain,
                    lease,
                    [new StateOperation(State, 1, Json(2))],
                    [Event("s", "second")],
                    [ReminderOperation.Delete("r"), Upsert("s", T0.AddHours(1))]),
            ],
            Ct);

        AssertCommitted(results[0], 1);
        AssertCommitted(results[1], 1);
        AssertCommitted(results[2], 2);
        Assert.Equal((Json(2), 2L), await ReadPayloadAndVersionAsync(grain, State));
        Assert.Equal(["s"], (await Store.ReadRemindersAsync(grain, Ct)).Select(r => r.Name));
        var events = Types(await Store.ReadEventsAsync(0, 100, "s", Ct));
        Assert.True(events.IndexOf("first") < events.IndexOf("second"), $"events in order {string.Join(", ", events)}");
        Assert.Equal(["first", "other", "second"], events.Order());
    }

    [Fact]
    public async Task ReadEvents_FiltersByStreamAfterSequenceAndMax()
    {
        var grain = Grain("filter");
        await CommitAsync(grain, events: [Event("s1", "e1"), Event("s2", "e2"), Event("s1", "e3"), Event("s2", "e4"), Event("s1", "e5")]);

        Assert.Equal(["e1", "e3", "e5"], Types(await Store.ReadEventsAsync(0, 100, "s1", Ct)));
        Assert.Equal(["e3", "e5"], Types(await Store.ReadEventsAsync(1, 100, "s1", Ct)));
        Assert.Equal(["e5"], Types(await Store.ReadEventsAsync(3, 100, "s1", Ct)));
        Assert.Equal(["e1"], Types(await Store.ReadEventsAsync(0, 1, "s1", Ct)));
        Assert.Equal(["e2", "e4"], Types(await Store.ReadEventsAsync(0, 100, "s2", Ct)));
        Assert.Equal(["e3", "e4"], Types(await Store.ReadEventsAsync(2, 2, null, Ct)));
        Assert.Empty(await Store.ReadEventsAsync(5, 100, null, Ct));
        Assert.Empty(await Store.ReadEventsAsync(0, 100, "unknown", Ct));
    }

    [Fact]
    public async Task Checkpoints_RoundTripPerConsumer()
    {
        Assert.Equal(0, await Store.ReadCheckpointAsync("projection", Ct));

        await Store.WriteCheckpointAsync("projection", 5, Ct);
        await Store.WriteCheckpointAsync("alerts", 2, Ct);
        Assert.Equal(5, await Store.ReadCheckpointAsync("projection", Ct));

        await Store.WriteCheckpointAsync("projection", 9, Ct);
        Assert.Equal(9, await Store.ReadCheckpointAsync("projection", Ct));
        Assert.Equal(2, await Store.ReadCheckpointAsync("alerts", Ct));
    }

    [Fact]
    public async Task WaitForEvents_WakesWhenEventsAreCommitted_AndTheyAreReadable()
    {
        var grain = Grain("wake");
        await LeaseAsync(grain);
        await EnsureEventListenerReadyAsync();
        var seen = await Store.WaitForEventsAsync(-1, TimeSpan.Zero, Ct);

        var wait = Store.WaitForEventsAsync(seen, TimeSpan.FromMinutes(10), Ct);
        Assert.False(wait.IsCompleted);
        await CommitAsync(grain, events: [Event("s", "e1")]);

        await Polling.CompletesAsync(wait, "WaitForEventsAsync to wake after a commit that added an event");
        Assert.Equal(["e1"], Types(await Store.ReadEventsAsync(0, 10, null, Ct)));

        // The wait answers the commit's seq; every waiter that last saw an earlier one learns of it, however many woke
        // for it already, and a waiter that saw it waits again.
        var after = await wait;
        Assert.Equal((await Store.ReadEventsAsync(0, 10, null, Ct))[^1].Seq, after);
        Assert.Equal(after, await Store.WaitForEventsAsync(seen, TimeSpan.FromMinutes(10), Ct));
        Assert.False(Store.WaitForEventsAsync(after, TimeSpan.FromMinutes(10), Ct).IsCompleted);
    }

    [Fact]
    public async Task Commit_HandsItsAppendedRowsOver_AsStored_WithTheRaisedObjects_AndNoneOfAFailedUnit()
    {
        var grain = Grain("hand-over");
        var stale = Grain("hand-over-stale");
        var lease = await LeaseAsync(grain);
        var staleLease = await LeaseAsync(stale);
        AssertCommitted(await WriteAsync(stale, State, null, Json(1)), 1);
        var handedOver = new List<StoredEvent>();
        Store.EventsAppended += handedOver.AddRange;
        var raised = new[] { new object(), new object() };

        var results = await Store.CommitAsync(
            [
                new GrainCommit(grain, lease, [new StateOperation(State, null, Json(1))], [Event("a", "a1") with { Value = raised[0] }, Event("b", "b1") with { Value = raised[1] }], []),
                new GrainCommit(stale, staleLease, [new StateOperation(State, null, Json(2))], [Event("a", "lost")], []),
                new GrainCommit(grain, lease, [new StateOperation("other", null, Json(3))], [Event("a", "a2")], []),
            ],
            Ct);

        AssertCommitted(results[0], 1);
        AssertConflict(results[1], State, 1);
        AssertCommitted(results[2], 1);
        var stored = await Store.ReadEventsAsync(0, 10, null, Ct);
        Assert.Equal(Project(stored), Project(handedOver));
        Assert.Equal(stored.Select(e => e.CreatedAt), handedOver.Select(e => e.CreatedAt));
        Assert.Equal(["a1", "b1", "a2"], Types(handedOver));
        Assert.Same(raised[0], handedOver[0].Value);
        Assert.Same(raised[1], handedOver[1].Value);
        Assert.Null(handedOver[2].Value);
        Assert.All(stored, e => Assert.Null(e.Value));
    }

    [Fact]
    public async Task WaitForEvents_WithNothingCommitted_ReturnsAfterMaxWait()
    {
        await EnsureEventListenerReadyAsync();
        var seen = await Store.WaitForEventsAsync(-1, TimeSpan.Zero, Ct);

        await Polling.CompletesAsync(
            Store.WaitForEventsAsync(seen, TimeSpan.FromMilliseconds(200), Ct),
            "WaitForEventsAsync to return after its 200 ms maximum wait");
    }

    // ---- reminders ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Reminder_UpsertedInCommit_IsStoredInTheLeasePartition()
    {
        var grain = Grain("reminder");
        var lease = await LeaseAsync(grain);

        await CommitAsync(grain, reminders: [Upsert("daily", T0, TimeSpan.FromDays(1), MissedTickPolicy.Skip), Upsert("once", T0.AddHours(1))]);

        var daily = await ReadReminderAsync(grain, "daily");
        Assert.Equal(new ReminderRecord(grain, "daily", lease.Partition, T0, TimeSpan.FromDays(1), MissedTickPolicy.Skip, daily.Version, null, null, 0), daily);
        var once = await ReadReminderAsync(grain, "once");
        Assert.Equal(new ReminderRecord(grain, "once", lease.Partition, T0.AddHours(1), null, MissedTickPolicy.FireOnce, once.Version, null, null, 0), once);
        Assert.NotEqual(daily.Version, once.Version);
        Assert.Equal([daily, once], await Store.ReadRemindersAsync(grain, Ct));
        Assert.Null(await Store.ReadReminderAsync(grain, "none", Ct));
    }

    [Fact]
    public async Task Reminder_UpsertAgain_ReplacesScheduleClearsClaimAndChangesVersion()
    {
        var grain = Grain("reupsert");
        var partition = Partition(grain);
        await CommitAsync(grain, reminders: [Upsert("r", T0)]);
        var claimed = Assert.Single(await ClaimAsync(NodeA, [partition], T0));

        await CommitAsync(grain, reminders: [Upsert("r", T0.AddDays(1), TimeSpan.FromHours(1), MissedTickPolicy.Skip)]);

        var updated = await ReadReminderAsync(grain, "r");
        Assert.Equal(new ReminderRecord(grain, "r", partition, T0.AddDays(1), TimeSpan.FromHours(1), MissedTickPolicy.Skip, updated.Version, null, null, 0), updated);
        Assert.NotEqual(claimed.Version, updated.Version);
    }

    [Fact]
    public async Task Reminder_DeletedInCommit_IsGone()
    {
        var grain = Grain("delete");
        await CommitAsync(grain, reminders: [Upsert("r", T0), Upsert("keep", T0)]);

        await CommitAsync(grain, reminders: [ReminderOperation.Delete("r")]);

        Assert.Null(await Store.ReadReminderAsync(grain, "r", Ct));
        Assert.Equal(["keep"], (await Store.ReadRemindersAsync(grain, Ct)).Select(reminder => reminder.Name));
    }

    [Fact]
    public async Task Reminders_SeveralDeletedAndOneSetInACommit_ChangeOnlyThatGrainsNamedOnes()
    {
        var grain = Grain("delete-several");
        var other = Grain("delete-several-other");
        await CommitAsync(grain, reminders: [Upsert("a", T0), Upsert("b", T0), Upsert("c", T0), Upsert("keep", T0)]);
        await CommitAsync(other, reminders: [Upsert("a", T0), Upsert("b", T0)]);

        await CommitAsync(grain, reminders: [ReminderOperation.Delete("a"), Upsert("new", T0.AddHours(1)), ReminderOperation.Delete("c"), ReminderOperation.Delete("absent")]);

        Assert.Equal(["b", "keep", "new"], (await Store.ReadRemindersAsync(grain, Ct)).Select(reminder => reminder.Name));
        Assert.Equal(["a", "b"], (await Store.ReadRemindersAsync(other, Ct)).Select(reminder => reminder.Name));
    }

    [Fact]
    public async Task ClaimDueReminders_ReturnsOnlyDueOnesOfTheGivenPartitionsInDueOrder()
    {
        var g1 = GrainInPartition(0, "claim");
        var g2 = GrainInPartition(0, "claim-other");
        var elsewhere = GrainInPartition(1, "claim");
        await CommitAsync(g1, reminders: [Upsert("late", T0.AddMinutes(2)), Upsert("future", T0.AddMinutes(10))]);
        await CommitAsync(g2, reminders: [Upsert("early", T0.AddMinutes(1))]);
        await CommitAsync(elsewhere, reminders: [Upsert("other-partition", T0)]);
        var before = await ReadReminderAsync(g1, "late");

        var claimed = await ClaimAsync(NodeA, [0], T0.AddMinutes(5));

        Assert.Equal(["early", "late"], claimed.Select(reminder => reminder.Name));
        var late = claimed[1];
        Assert.Equal(NodeA, late.ClaimedBy);
        Assert.Equal(1, late.Attempts);
        Assert.NotEqual(before.Version, late.Version);
        Assert.NotNull(late.ClaimExpiresAt);
        Assert.Equal(late, await ReadReminderAsync(g1, "late"));
        Assert.Empty(await ClaimAsync(NodeB, [0], T0.AddMinutes(5)));
        Assert.Equal(["future"], (await ClaimAsync(NodeB, [0], T0.AddMinutes(10))).Select(reminder => reminder.Name));
    }

    [Fact]
    public async Task ClaimDueReminders_RespectsMax()
    {
        var grain = GrainInPartition(2, "max");
        await CommitAsync(grain, reminders: [Upsert("a", T0.AddMinutes(3)), Upsert("b", T0.AddMinutes(1)), Upsert("c", T0.AddMinutes(2))]);

        Assert.Equal(["b", "c"], (await ClaimAsync(NodeA, [2], T0.AddHours(1), max: 2)).Select(r => r.Name));
        Assert.Equal(["a"], (await ClaimAsync(NodeA, [2], T0.AddHours(1), max: 2)).Select(r => r.Name));
    }

    [Fact]
    public async Task ClaimDueReminders_ByTwoConcurrentNodes_NeverClaimsOneTwice()
    {
        var grains = Enumerable.Range(0, 30).Select(i => GrainInPartition(i % PartitionCount, $"concurrent-{i}")).ToList();
        foreach (var grain in grains)
        {
            await CommitAsync(grain, reminders: [Upsert("r", T0)]);
        }

        var all = Enumerable.Range(0, PartitionCount).ToArray();
        var claims = await Task.WhenAll(
            Task.Run(() => ClaimAsync(NodeA, all, T0, max: 20)),
            Task.Run(() => ClaimAsync(NodeB, all, T0, max: 20)));

        var a = claims[0].Select(reminder => reminder.Grain).ToHashSet();
        var b = claims[1].Select(reminder => reminder.Grain).ToHashSet();
        Assert.Empty(a.Intersect(b));
        Assert.Equal(grains.ToHashSet(), a.Union(b).ToHashSet());
        Assert.All(claims[0], reminder => Assert.Equal(NodeA, reminder.ClaimedBy));
        Assert.All(claims[1], reminder => Assert.Equal(NodeB, reminder.ClaimedBy));
    }

    [Fact]
    public async Task ReleaseForeignClaims_FreesOtherNodesClaimsInThePartitionAtOnce_AndVoidsTheirVersions()
    {
        var taken = GrainInPartition(1, "taken-over");
        var own = GrainInPartition(1, "own");
        var elsewhere = GrainInPartition(2, "elsewhere");
        await CommitAsync(taken, reminders: [Upsert("r", T0)]);
        await CommitAsync(elsewhere, reminders: [Upsert("r", T0)]);
        var stale = Assert.Single(await ClaimAsync(NodeA, [1], T0));
        Assert.Single(await ClaimAsync(NodeA, [2], T0));
        await CommitAsync(own, reminders: [Upsert("r", T0)]);
        Assert.Single(await ClaimAsync(NodeB, [1], T0));

        Assert.Equal(1, await Store.ReleaseForeignClaimsAsync(1, NodeB, Ct));

        var again = Assert.Single(await ClaimAsync(NodeB, [1], T0));
        Assert.Equal((taken, NodeB), (again.Grain, again.ClaimedBy));
        Assert.False(await Store.CompleteReminderAsync(taken, "r", stale.Version, null, Ct));
        Assert.Equal(NodeA, (await Store.ReadReminderAsync(elsewhere, "r", Ct))!.ClaimedBy);
        Assert.Equal(NodeB, (await Store.ReadReminderAsync(own, "r", Ct))!.ClaimedBy);
    }

    [Fact]
    public async Task ClaimDueReminders_AfterClaimExpires_ClaimsAgain()
    {
        var grain = GrainInPartition(3, "expiry");
        await CommitAsync(grain, reminders: [Upsert("r", T0)]);
        var first = Assert.Single(await ClaimAsync(NodeA, [3], T0, claimDuration: TimeSpan.FromMilliseconds(200)));
        Assert.Empty(await ClaimAsync(NodeB, [3], T0));

        var again = await Polling.UntilAsync(
            () => ClaimAsync(NodeB, [3], T0),
            claimed => claimed.Count == 1,
            "the expired claim to become claimable by another node");

        var second = again[0];
        Assert.Equal(NodeB, second.ClaimedBy);
        Assert.Equal(2, second.Attempts);
        Assert.NotEqual(first.Version, second.Version);
        Assert.False(await Store.CompleteReminderAsync(grain, "r", first.Version, null, Ct));
        Assert.True(await Store.CompleteReminderAsync(grain, "r", second.Version, null, Ct));
    }

    [Fact]
    public async Task CompleteReminders_ManyAtOnce_EachAppliedOrRefusedOnItsOwn()
    {
        var (deleted, rearmed, stale) = (GrainInPartition(0, "many-delete"), GrainInPartition(0, "many-rearm"), GrainInPartition(0, "many-stale"));
        foreach (var grain in new[] { deleted, rearmed, stale })
        {
            await CommitAsync(grain, reminders: [Upsert("r", T0, TimeSpan.FromHours(1), MissedTickPolicy.Skip)]);
        }

        var claimed = (await ClaimAsync(NodeA, [0], T0)).ToDictionary(r => r.Grain);
        await CommitAsync(stale, reminders: [Upsert("r", T0.AddDays(1))]);

        var changed = await Store.CompleteRemindersAsync(
            [
                new ReminderCompletion(deleted, "r", claimed[deleted].Version, null),
                new ReminderCompletion(rearmed, "r", claimed[rearmed].Version, T0.AddHours(1)),
                new ReminderCompletion(stale, "r", claimed[stale].Version, null),
            ],
            Ct);

        Assert.Equal([true, true, false], changed);
        Assert.Null(await Store.ReadReminderAsync(deleted, "r", Ct));
        var next = await Store.ReadReminderAsync(rearmed, "r", Ct);
        Assert.Equal((T0.AddHours(1), null), (next!.DueAt, next.ClaimedBy));
        Assert.Equal(T0.AddDays(1), (await Store.ReadReminderAsync(stale, "r", Ct))!.DueAt);
    }

    [Fact]
    public async Task CompleteReminder_WithCurrentVersionAndNoNextDue_DeletesIt()
    {
        var grain = GrainInPartition(0, "complete-delete");
        await CommitAsync(grain, reminders: [Upsert("r", T0)]);
        var claimed = Assert.Single(await ClaimAsync(NodeA, [0], T0));

        Assert.True(await Store.CompleteReminderAsync(grain, "r", claimed.Version, null, Ct));

        Assert.Null(await Store.ReadReminderAsync(grain, "r", Ct));
        Assert.False(await Store.CompleteReminderAsync(grain, "r", claimed.Version, null, Ct));
    }

    [Fact]
    public async Task CompleteReminder_WithCurrentVersionAndNextDue_RearmsIt()
    {
        var grain = GrainInPartition(0, "complete-rearm");
        await CommitAsync(grain, reminders: [Upsert("r", T0, TimeSpan.FromHours(1), MissedTickPolicy.Skip)]);
        var claimed = Assert.Single(await ClaimAsync(NodeA, [0], T0));

        Assert.True(await Store.CompleteReminderAsync(grain, "r", claimed.Version, T0.AddHours(1), Ct));

        var rearmed = await ReadReminderAsync(grain, "r");
        Assert.Equal(new ReminderRecord(grain, "r", 0, T0.AddHours(1), TimeSpan.FromHours(1), MissedTickPolicy.Skip, rearmed.Version, null, null, 0), rearmed);
        Assert.NotEqual(claimed.Version, rearmed.Version);
        Assert.Empty(await ClaimAsync(NodeA, [0], T0.AddMinutes(59)));
        Assert.Equal(rearmed.Version, (await ReadReminderAsync(grain, "r")).Version);
        Assert.Single(await ClaimAsync(NodeA, [0], T0.AddHours(1)));
    }

    [Fact]
    public async Task CompleteReminder_WithVersionStaleAfterUpsert_DoesNothing()
    {
        var grain = GrainInPartition(1, "complete-stale");
        await CommitAsync(grain, reminders: [Upsert("r", T0)]);
        var claimed = Assert.Single(await ClaimAsync(NodeA, [1], T0));
        await CommitAsync(grain, reminders: [Upsert("r", T0.AddDays(2))]);
        var updated = await ReadReminderAsync(grain, "r");

        Assert.False(await Store.CompleteReminderAsync(grain, "r", claimed.Version, null, Ct));
        Assert.False(await Store.CompleteReminderAsync(grain, "r", claimed.Version, T0.AddDays(1), Ct));

        Assert.Equal(updated, await ReadReminderAsync(grain, "r"));
    }

    [Fact]
    public async Task CompleteReminder_WithClaimOfDeletedAndReregisteredReminder_DoesNothing()
    {
        var grain = GrainInPartition(1, "reregistered");
        await CommitAsync(grain, reminders: [Upsert("r", T0)]);
        var oldClaim = Assert.Single(await ClaimAsync(NodeA, [1], T0));
        await CommitAsync(grain, reminders: [ReminderOperation.Delete("r")]);
        await CommitAsync(grain, reminders: [Upsert("r", T0)]);
        var newClaim = Assert.Single(await ClaimAsync(NodeB, [1], T0));

        Assert.NotEqual(oldClaim.Version, newClaim.Version);
        Assert.False(await Store.CompleteReminderAsync(grain, "r", oldClaim.Version, null, Ct));
        Assert.Equal(newClaim, await ReadReminderAsync(grain, "r"));
    }

    [Fact]
    public async Task AbandonReminder_KeepsClaimOnlyUntilRetryAfter()
    {
        var grain = GrainInPartition(2, "abandon");
        await CommitAsync(grain, reminders: [Upsert("r", T0)]);
        var claimed = Assert.Single(await ClaimAsync(NodeA, [2], T0, claimDuration: TimeSpan.FromHours(1)));

        await Store.AbandonReminderAsync(grain, "r", claimed.Version + 1000, TimeSpan.Zero, Ct);
        Assert.Empty(await ClaimAsync(NodeB, [2], T0));
        await Store.AbandonReminderAsync(grain, "r", claimed.Version, TimeSpan.FromMilliseconds(200), Ct);

        var abandoned = await ReadReminderAsync(grain, "r");
        Assert.Equal(NodeA, abandoned.ClaimedBy);
        Assert.Equal(claimed.Version, abandoned.Version);
        var retried = await Polling.UntilAsync(
            () => ClaimAsync(NodeB, [2], T0),
            claims => claims.Count == 1,
            "the abandoned reminder to be claimable after its retry delay");
        Assert.Equal(2, retried[0].Attempts);
    }

    [Fact]
    public async Task GetNextReminderDue_IsEarliestUnclaimedInTheGivenPartitions()
    {
        Assert.Null(await Store.GetNextReminderDueAsync([0, 1], Ct));
        var g1 = GrainInPartition(0, "next");
        var g2 = GrainInPartition(1, "next");
        var elsewhere = GrainInPartition(2, "next");
        await CommitAsync(g1, reminders: [Upsert("later", T0.AddMinutes(3))]);
        await CommitAsync(g2, reminders: [Upsert("soon", T0.AddMinutes(1))]);
        await CommitAsync(elsewhere, reminders: [Upsert("earliest", T0)]);

        Assert.Equal(T0.AddMinutes(1), await Store.GetNextReminderDueAsync([0, 1], Ct));
        Assert.Equal(T0.AddMinutes(3), await Store.GetNextReminderDueAsync([0], Ct));
        Assert.Equal(T0, await Store.GetNextReminderDueAsync([0, 1, 2], Ct));
        Assert.Null(await Store.GetNextReminderDueAsync([3], Ct));
        Assert.Null(await Store.GetNextReminderDueAsync([], Ct));

        Assert.Single(await ClaimAsync(NodeA, [1], T0.AddMinutes(1)));
        Assert.Equal(T0.AddMinutes(3), await Store.GetNextReminderDueAsync([0, 1], Ct));
    }

    [Fact]
    public async Task AnyDueReminders_SeesDueOnesOfEveryPartition_ClaimedOrNot_AndNotLaterOnes()
    {
        Assert.False(await Store.AnyDueRemindersAsync(T0.AddYears(1), Ct));
        var g0 = GrainInPartition(0, "any");
        var g1 = GrainInPartition(1, "any");
        var g3 = GrainInPartition(3, "any");
        await CommitAsync(g0, reminders: [Upsert("later", T0.AddMinutes(10))]);
        await CommitAsync(g1, reminders: [Upsert("on-the-dot", T0.AddMinutes(5))]);
        await CommitAsync(g3, reminders: [Upsert("claimed", T0.AddMinutes(2))]);
        var claimed = Assert.Single(await ClaimAsync(NodeA, [3], T0.AddMinutes(5)));

        Assert.False(await Store.AnyDueRemindersAsync(T0.AddMinutes(1), Ct));
        Assert.True(await Store.AnyDueRemindersAsync(T0.AddMinutes(2), Ct));

        Assert.True(await Store.CompleteReminderAsync(g3, "claimed", claimed.Version, null, Ct));
        Assert.False(await Store.AnyDueRemindersAsync(T0.AddMinutes(4), Ct));
        Assert.True(await Store.AnyDueRemindersAsync(T0.AddMinutes(5), Ct));

        await CommitAsync(g1, reminders: [ReminderOperation.Delete("on-the-dot")]);
        Assert.False(await Store.AnyDueRemindersAsync(T0.AddMinutes(9), Ct));
        Assert.True(await Store.AnyDueRemindersAsync(T0.AddMinutes(10), Ct));
    }

    [Fact]
    public async Task AnyDueReminders_IgnoresDeletedCompletedAndRearmedOnes()
    {
        var grain = GrainInPartition(2, "any-gone");
        await CommitAsync(grain, reminders: [Upsert("deleted", T0), Upsert("completed", T0), Upsert("rearmed", T0, TimeSpan.FromHours(1), MissedTickPolicy.Skip)]);
        Assert.True(await Store.AnyDueRemindersAsync(T0, Ct));

        await CommitAsync(grain, reminders: [ReminderOperation.Delete("deleted")]);
        var claimed = (await ClaimAsync(NodeA, [2], T0)).ToDictionary(reminder => reminder.Name);
        Assert.Equal(["completed", "rearmed"], claimed.Keys.Order());
        Assert.True(await Store.CompleteReminderAsync(grain, "completed", claimed["completed"].Version, null, Ct));
        Assert.True(await Store.AnyDueRemindersAsync(T0, Ct));
        Assert.True(await Store.CompleteReminderAsync(grain, "rearmed", claimed["rearmed"].Version, T0.AddHours(1), Ct));

        Assert.False(await Store.AnyDueRemindersAsync(T0.AddMinutes(59), Ct));
        Assert.True(await Store.AnyDueRemindersAsync(T0.AddHours(1), Ct));
    }

    // ---- membership and leases ---------------------------------------------------------------------------

    [Fact]
    public async Task Nodes_RegisterHeartbeatAndStatus_AreRecorded()
    {
        await Store.RegisterNodeAsync(NodeB, "http://b:5000", Ct);
        await Store.RegisterNodeAsync(NodeA, null, Ct);
        var registered = await Store.ReadNodesAsync(Ct);
        Assert.Equal([(NodeA, (string?)null, NodeStatus.Active), (NodeB, "http://b:5000", NodeStatus.Active)], registered.Select(n => (n.NodeId, n.Address, n.Status)));
        Assert.All(registered, node => Assert.Equal(node.StartedAt, node.HeartbeatAt));

        await Store.HeartbeatAsync(NodeA, Ct);
        await Store.SetNodeStatusAsync(NodeB, NodeStatus.ShuttingDown, Ct);

        var updated = await Store.ReadNodesAsync(Ct);
        Assert.True(updated[0].HeartbeatAt >= registered[0].HeartbeatAt);
        Assert.Equal(registered[0].StartedAt, updated[0].StartedAt);
        Assert.Equal(NodeStatus.ShuttingDown, updated[1].Status);

        await Store.SetNodeStatusAsync(NodeB, NodeStatus.Dead, Ct);
        await Store.RegisterNodeAsync(NodeB, "http://b:5001", Ct);
        var reregistered = (await Store.ReadNodesAsync(Ct))[1];
        Assert.Equal((NodeB, "http://b:5001", NodeStatus.Active), (reregistered.NodeId, reregistered.Address, reregistered.Status));
    }

    [Fact]
    public async Task EnsurePartitions_CreatesFreeLeasesOnceAndKeepsExistingOnes()
    {
        var leases = await Store.ReadLeasesAsync(Ct);
        Assert.Equal([0, 1, 2, 3], leases.Select(lease => lease.Partition));
        Assert.All(leases, lease => Assert.Equal((null, 0L), (lease.OwnerNode, lease.Epoch)));
        var held = await Store.TryAcquireLeaseAsync(1, NodeA, LongLease, force: false, Ct);

        await Store.EnsurePartitionsAsync(PartitionCount, Ct);
        await Store.EnsurePartitionsAsync(PartitionCount + 2, Ct);

        var after = await Store.ReadLeasesAsync(Ct);
        Assert.Equal([0, 1, 2, 3, 4, 5], after.Select(lease => lease.Partition));
        Assert.Equal(held, after[1]);
    }

    [Fact]
    public async Task TryAcquireLease_FreeLease_IsTakenWithNextEpoch()
    {
        var storeNow = await Store.GetStoreTimeAsync(Ct);

        var lease = await Store.TryAcquireLeaseAsync(0, NodeA, LongLease, force: false, Ct);

        Assert.NotNull(lease);
        Assert.Equal((0, NodeA, 1L), (lease.Partition, lease.OwnerNode, lease.Epoch));
        Assert.True(lease.ExpiresAt > storeNow.Add(LongLease - TimeSpan.FromMinutes(1)));
        Assert.Equal(lease, (await Store.ReadLeasesAsync(Ct))[0]);
    }

    [Fact]
    public async Task TryAcquireLease_HeldByAnotherNode_ReturnsNullUnlessForced()
    {
        var held = await Store.TryAcquireLeaseAsync(0, NodeA, LongLease, force: false, Ct);

        Assert.Null(await Store.TryAcquireLeaseAsync(0, NodeB, LongLease, force: false, Ct));
        Assert.Equal(held, (await Store.ReadLeasesAsync(Ct))[0]);

        var forced = await Store.TryAcquireLeaseAsync(0, NodeB, LongLease, force: true, Ct);
        Assert.Equal((NodeB, 2L), (forced!.OwnerNode, forced.Epoch));
    }

    [Fact]
    public async Task TryAcquireLease_AfterLeaseExpired_IsTakenByAnotherNode()
    {
        var held = await Store.TryAcquireLeaseAsync(0, NodeA, TimeSpan.FromMilliseconds(200), force: false, Ct);

        var taken = await Polling.UntilAsync(
            () => Store.TryAcquireLeaseAsync(0, NodeB, LongLease, force: false, Ct),
            lease => lease is not null,
            "the expired lease to be taken by another node");

        Assert.Equal((NodeB, held!.Epoch + 1), (taken!.OwnerNode, taken.Epoch));
    }

    [Fact]
    public async Task LeaseEpoch_GrowsOnEveryChangeOfOwner()
    {
        var epochs = new List<long>
        {
            (await Store.TryAcquireLeaseAsync(2, NodeA, LongLease, force: false, Ct))!.Epoch,
            (await Store.TryAcquireLeaseAsync(2, NodeB, LongLease, force: true, Ct))!.Epoch,
        };
        await Store.ReleaseLeasesAsync(NodeB, [2], Ct);
        epochs.Add((await Store.ReadLeasesAsync(Ct))[2].Epoch);
        epochs.Add((await Store.TryAcquireLeaseAsync(2, NodeA, LongLease, force: false, Ct))!.Epoch);

        Assert.Equal([1L, 2, 2, 3], epochs);
    }

    [Fact]
    public async Task RenewLeases_ExtendsOnlyLeasesHeldAtTheGivenEpoch()
    {
        var p0 = (await Store.TryAcquireLeaseAsync(0, NodeA, TimeSpan.FromMinutes(1), force: false, Ct))!;
        var p1 = (await Store.TryAcquireLeaseAsync(1, NodeA, TimeSpan.FromMinutes(1), force: false, Ct))!;
        var p2 = (await Store.TryAcquireLeaseAsync(2, NodeB, TimeSpan.FromMinutes(1), force: false, Ct))!;
        var free = (await Store.ReadLeasesAsync(Ct))[3];

        var renewed = await Store.RenewLeasesAsync(NodeA, [p0, p1 with { Epoch = p1.Epoch + 1 }, p2, free], LongLease, Ct);

        var lease = Assert.Single(renewed);
        Assert.Equal((0, NodeA, p0.Epoch), (lease.Partition, lease.OwnerNode, lease.Epoch));
        Assert.True(lease.ExpiresAt > p0.ExpiresAt);
        var stored = await Store.ReadLeasesAsync(Ct);
        Assert.Equal([lease, p1, p2, free], stored);
    }

    [Fact]
    public async Task ReleaseLeases_FreesOnlyOwnLeasesAndKeepsEpoch()
    {
        var p0 = (await Store.TryAcquireLeaseAsync(0, NodeA, LongLease, force: false, Ct))!;
        var p1 = (await Store.TryAcquireLeaseAsync(1, NodeB, LongLease, force: false, Ct))!;

        await Store.ReleaseLeasesAsync(NodeA, [0, 1], Ct);

        var leases = await Store.ReadLeasesAsync(Ct);
        Assert.Equal((null, p0.Epoch), (leases[0].OwnerNode, leases[0].Epoch));
        Assert.True(leases[0].ExpiresAt <= await Store.GetStoreTimeAsync(Ct));
        Assert.Equal(p1, leases[1]);
        var taken = await Store.TryAcquireLeaseAsync(0, NodeB, LongLease, force: false, Ct);
        Assert.Equal((NodeB, p0.Epoch + 1), (taken!.OwnerNode, taken.Epoch));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    protected async Task<string> NewStoreAsync()
    {
        var location = await CreateStoreAsync();
        _locations.Add(location);
        return location;
    }

    protected IStorageProvider Track(IStorageProvider provider)
    {
        _providers.Add(provider);
        return provider;
    }

    protected async Task<IStorageProvider> OpenInitializedAsync(string location)
    {
        var provider = Track(Open(location));
        await provider.InitializeAsync(Ct);
        await provider.EnsurePartitionsAsync(PartitionCount, Ct);
        return provider;
    }

    /// <summary>Closes <see cref="Store"/> and opens a new provider on the same store, as a restart would.</summary>
    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await OpenInitializedAsync(Location);
    }

    protected static GrainId Grain(string key) => new("ConformanceGrain", key);

    protected static int Partition(GrainId grain) => Partitioner.GetPartition(grain, PartitionCount);

    protected static GrainId GrainInPartition(int partition, string prefix) =>
        Enumerable.Range(0, 1000).Select(i => Grain($"{prefix}-{i}")).First(grain => Partition(grain) == partition);

    protected static string Json(int n) => $"{{\"n\": {n}}}";

    protected static OutgoingEvent Event(string stream, string type) => new(stream, type, Json(1));

    protected static ReminderOperation Upsert(string name, DateTimeOffset due, TimeSpan? period = null, MissedTickPolicy policy = MissedTickPolicy.FireOnce) =>
        new(ReminderOperationKind.Upsert, name, due, period, policy);

    /// <summary>This test's lease on the grain's partition for <paramref name="node"/>, taken once and reused.</summary>
    protected async Task<LeaseToken> LeaseAsync(GrainId grain, string node = NodeA)
    {
        var partition = Partition(grain);
        if (_leases.TryGetValue((node, partition), out var token))
        {
            return token;
        }

        var lease = await Store.TryAcquireLeaseAsync(partition, node, LongLease, force: false, Ct)
            ?? throw new InvalidOperationException($"Partition {partition} is held by another node.");
        token = new LeaseToken(node, partition, lease.Epoch);
        _leases[(node, partition)] = token;
        return token;
    }

    protected async Task<CommitResult> CommitAsync(
        GrainId grain,
        IReadOnlyList<StateOperation>? states = null,
        IReadOnlyList<OutgoingEvent>? events = null,
        IReadOnlyList<ReminderOperation>? reminders = null)
    {
        var unit = new GrainCommit(grain, await LeaseAsync(grain), states ?? [], events ?? [], reminders ?? []);
        return Assert.Single(await Store.CommitAsync([unit], Ct));
    }

    protected Task<CommitResult> WriteAsync(GrainId grain, string state, long? expected, string? payload) =>
        CommitAsync(grain, [new StateOperation(state, expected, payload)]);

    protected async Task<CommitResult> CommitEverythingAsync(GrainId grain, LeaseToken lease) =>
        Assert.Single(await Store.CommitAsync(
            [new GrainCommit(grain, lease, [new StateOperation(State, null, Json(1))], [Event("fenced", "e")], [Upsert("r", T0)])],
            Ct));

    protected async Task AssertNothingCommittedAsync(GrainId grain)
    {
        Assert.Null(await Store.ReadStateAsync(grain, State, Ct));
        Assert.Empty(await Store.ReadRemindersAsync(grain, Ct));
        Assert.Equal(0, await Store.GetLastSequenceAsync(Ct));
        Assert.Empty(await Store.ReadEventsAsync(0, 10, null, Ct));
    }

    protected async Task<StoredState> ReadAsync(GrainId grain, string state) =>
        await Store.ReadStateAsync(grain, state, Ct) ?? throw new InvalidOperationException($"No state '{state}' for {grain}.");

    protected static IEnumerable<(string? Payload, long Version)?> PayloadsAndVersions(IEnumerable<StoredState?> states) =>
        states.Select(s => s is null ? ((string?, long)?)null : (s.Payload, s.Version));

    protected async Task<(string? Payload, long Version)> ReadPayloadAndVersionAsync(GrainId grain, string state)
    {
        var stored = await ReadAsync(grain, state);
        return (stored.Payload, stored.Version);
    }

    protected async Task<ReminderRecord> ReadReminderAsync(GrainId grain, string name) =>
        await Store.ReadReminderAsync(grain, name, Ct) ?? throw new InvalidOperationException($"No reminder '{name}' for {grain}.");

    protected Task<IReadOnlyList<ReminderRecord>> ClaimAsync(
        string node,
        IReadOnlyCollection<int> partitions,
        DateTimeOffset dueBy,
        int max = 100,
        TimeSpan? claimDuration = null) =>
        Store.ClaimDueRemindersAsync(node, partitions, dueBy, claimDuration ?? TimeSpan.FromMinutes(5), max, Ct);

    protected static List<(long Seq, string Stream, long StreamSeq, string Type, string Payload)> Project(IEnumerable<StoredEvent> events) =>
        [.. events.Select(e => (e.Seq, e.Stream, e.StreamSeq, e.Type, e.Payload))];

    protected static List<string> Types(IEnumerable<StoredEvent> events) => [.. events.Select(e => e.Type)];

    protected static void AssertCommitted(CommitResult result, params long[] versions)
    {
        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal(versions, result.NewVersions);
        Assert.Null(result.ConflictingState);
        Assert.Null(result.StoredVersion);
    }

    protected static void AssertConflict(CommitResult result, string state, long? storedVersion)
    {
        Assert.Equal(CommitStatus.Conflict, result.Status);
        Assert.Empty(result.NewVersions);
        Assert.Equal(state, result.ConflictingState);
        Assert.Equal(storedVersion, result.StoredVersion);
    }
}
