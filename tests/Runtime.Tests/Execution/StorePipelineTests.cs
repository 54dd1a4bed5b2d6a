using System.Diagnostics.Metrics;
using System.Reflection;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Execution;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Tests.Execution;

public sealed class StorePipelineTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private static readonly LeaseToken s_lease = new("node", 0, 1);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RecordingStore _store = RecordingStore.Create();
    private readonly RuntimeMetrics _metrics;
    private readonly StorePipeline _pipeline;

    public StorePipelineTests()
    {
        _metrics = new RuntimeMetrics(_services.GetRequiredService<IMeterFactory>());
        _pipeline = new StorePipeline(_store.Store, _metrics, new ActorRuntimeOptions { CommitConcurrency = 1 });
    }

    [Fact]
    public async Task ReadsThatMeetCommits_RideInTheirStoreTransaction_EachGettingItsOwnState()
    {
        var first = _pipeline.CommitAsync(Commit("a"));
        await _store.FirstInFlight.WaitAsync(s_timeout);
        var readX = _pipeline.ReadAsync(Grain("x"), "profile", CancellationToken.None);
        var second = _pipeline.CommitAsync(Commit("bb"));
        var readY = _pipeline.ReadAsync(Grain("y"), "profile", CancellationToken.None);
        var third = _pipeline.CommitAsync(Commit("ccc"));
        _store.ReleaseFirst();

        Assert.Equal([1L], (await first.WaitAsync(s_timeout)).NewVersions);
        Assert.Equal([2L], (await second.WaitAsync(s_timeout)).NewVersions);
        Assert.Equal([3L], (await third.WaitAsync(s_timeout)).NewVersions);
        Assert.Equal("x", (await readX.WaitAsync(s_timeout))?.Payload);
        Assert.Equal("y", (await readY.WaitAsync(s_timeout))?.Payload);
        Assert.Equal(["commit a; read", "commit bb ccc; read x y"], _store.Calls);
    }

    [Fact]
    public async Task ReadsWithNoCommitToMeet_AreOneReadOfTheStore()
    {
        var first = _pipeline.ReadAsync(Grain("x"), "profile", CancellationToken.None);
        await _store.FirstInFlight.WaitAsync(s_timeout);
        var others = new[] { "y", "z" }.Select(key => _pipeline.ReadAsync(Grain(key), "profile", CancellationToken.None)).ToArray();
        _store.ReleaseFirst();

        Assert.Equal(["x", "y", "z"], (await Task.WhenAll(others.Prepend(first)).WaitAsync(s_timeout)).Select(s => s?.Payload));
        Assert.Equal(["read x", "read y z"], _store.Calls);
    }

    public void Dispose()
    {
        _pipeline.Complete();
        _metrics.Dispose();
        _services.Dispose();
    }

    private static GrainId Grain(string key) => new("test", key);

    private static GrainCommit Commit(string key) => new(Grain(key), s_lease, [new StateOperation("profile", null, "{}")], [], []);

    /// <summary>
    /// The store's edge: records each call as what it committed and read, holds the first call until released, commits
    /// every unit at a version of its key's length and answers each read with its grain's key as the payload.
    /// </summary>
    public class RecordingStore : DispatchProxy
    {
        private readonly TaskCompletionSource _firstInFlight = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _releaseFirst = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _calls = [];

        public IStorageProvider Store => (IStorageProvider)(object)this;

        public Task FirstInFlight => _firstInFlight.Task;

        public IReadOnlyList<string> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public static RecordingStore Create() => (RecordingStore)(object)DispatchProxy.Create<IStorageProvider, RecordingStore>();

        public void ReleaseFirst() => _releaseFirst.SetResult();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            ArgumentNullException.ThrowIfNull(args);
            return (targetMethod.Name, args.Length) switch
            {
                (nameof(IStorageProvider.CommitAsync), 3) => AnswerAsync((IReadOnlyList<GrainCommit>)args[0]!, (IReadOnlyList<StateKey>)args[1]!),
                (nameof(IStorageProvider.ReadStatesAsync), 2) => ReadAsync((IReadOnlyList<StateKey>)args[0]!),
                (nameof(IStorageProvider.ReadStateAsync), 3) => ReadOneAsync(new StateKey((GrainId)args[0]!, (string)args[1]!)),
                _ => throw new NotSupportedException($"The pipeline is not expected to call {targetMethod.Name}."),
            };
        }

        private async Task<GroupCommitResult> AnswerAsync(IReadOnlyList<GrainCommit> commits, IReadOnlyList<StateKey> reads)
        {
            await RecordAsync($"commit {string.Join(' ', commits.Select(c => c.Grain.Key))}; read{string.Concat(reads.Select(r => $" {r.Grain.Key}"))}");
            return new GroupCommitResult([.. commits.Select(c => new CommitResult(CommitStatus.Committed, [c.Grain.Key.Length]))], States(reads));
        }

        private async Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> reads)
        {
            await RecordAsync($"read {string.Join(' ', reads.Select(r => r.Grain.Key))}");
            return States(reads);
        }

        private async Task<StoredState?> ReadOneAsync(StateKey read) => (await ReadAsync([read]))[0];

        private static StoredState?[] States(IReadOnlyList<StateKey> reads) =>
            [.. reads.Select(r => new StoredState(r.Grain.Key, 1, DateTimeOffset.UnixEpoch))];

        private async Task RecordAsync(string call)
        {
            bool first;
            lock (_calls)
            {
                _calls.Add(call);
                first = _calls.Count == 1;
            }

            if (first)
            {
                _firstInFlight.SetResult();
                await _releaseFirst.Task;
            }
        }
    }
}
