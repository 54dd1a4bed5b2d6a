using System.Reflection;
using Actors.Runtime.Storage;

namespace Actors.Grains.Tests.Infrastructure;

/// <summary>
/// A real store that refuses the next commits of one grain, as a store refuses a stale write (a version conflict), and
/// passes everything else through: a fault at the storage edge that makes that grain's calls fail for a while.
/// </summary>
public class RefusingStore : DispatchProxy
{
    private readonly Lock _lock = new();
    private IStorageProvider _inner = null!;
    private string? _grainKey;
    private int _remaining;
    private int _refused;

    public IStorageProvider Store => (IStorageProvider)(object)this;

    /// <summary>How many commits were refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static RefusingStore Wrap(IStorageProvider inner)
    {
        var refusing = (RefusingStore)(object)Create<IStorageProvider, RefusingStore>();
        refusing._inner = inner;
        return refusing;
    }

    /// <summary>Refuses the next <paramref name="times"/> commits of the grain whose key is <paramref name="grainKey"/>.</summary>
    public void Refuse(string grainKey, int times)
    {
        lock (_lock)
        {
            (_grainKey, _remaining) = (grainKey, times);
        }
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        ArgumentNullException.ThrowIfNull(args);
        if (targetMethod.Name != nameof(IStorageProvider.CommitAsync) || RefusedIndex((IReadOnlyList<GrainCommit>)args[0]!) is not { } index)
        {
            return targetMethod.Invoke(_inner, args);
        }

        var commits = (IReadOnlyList<GrainCommit>)args[0]!;
        var refused = commits[index];
        var conflict = new CommitResult(CommitStatus.Conflict, [], refused.States.Count > 0 ? refused.States[0].StateName : null, StoredVersion: null);
        args[0] = commits.Where((_, i) => i != index).ToList();
        return args.Length == 3
            ? SpliceAsync((Task<GroupCommitResult>)targetMethod.Invoke(_inner, args)!, index, conflict)
            : SpliceAsync((Task<IReadOnlyList<CommitResult>>)targetMethod.Invoke(_inner, args)!, index, conflict);
    }

    private int? RefusedIndex(IReadOnlyList<GrainCommit> commits)
    {
        lock (_lock)
        {
            for (var i = 0; i < commits.Count && _remaining > 0; i++)
            {
                if (commits[i].Grain.Key == _grainKey)
                {
                    _remaining--;
                    Interlocked.Increment(ref _refused);
                    return i;
                }
            }

            return null;
        }
    }

    private static async Task<GroupCommitResult> SpliceAsync(Task<GroupCommitResult> rest, int index, CommitResult conflict)
    {
        var result = await rest;
        return result with { Commits = Splice(result.Commits, index, conflict) };
    }

    private static async Task<IReadOnlyList<CommitResult>> SpliceAsync(Task<IReadOnlyList<CommitResult>> rest, int index, CommitResult conflict) =>
        Splice(await rest, index, conflict);

    private static List<CommitResult> Splice(IReadOnlyList<CommitResult> results, int index, CommitResult conflict)
    {
        var all = results.ToList();
        all.Insert(index, conflict);
        return all;
    }
}
