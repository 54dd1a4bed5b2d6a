using System.Reflection;
using System.Runtime.ExceptionServices;
using Actors.Runtime.Storage;

namespace Actors.Grains.Tests.Infrastructure;

/// <summary>
/// A real store with two faults at its edge: it refuses the next state writes of one grain, as a store refuses a
/// stale write (a version conflict), so that grain's calls fail for a while; and it can hold an outbox consumer at
/// its start (its checkpoint read never answers), as if its node died before the consumer ran. Everything else passes
/// through. It also counts the reminders each grain's commits set, by name.
/// </summary>
public class RefusingStore : DispatchProxy
{
    private readonly Lock _lock = new();
    private IStorageProvider _inner = null!;
    private string? _grainKey;
    private string? _heldConsumer;
    private readonly Dictionary<(string Grain, string Reminder), int> _remindersSet = [];
    private int _remaining;
    private int _refused;

    public IStorageProvider Store => (IStorageProvider)(object)this;

    /// <summary>How many commits were refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static RefusingStore Wrap(IStorageProvider inner, string? holdConsumer = null)
    {
        var refusing = (RefusingStore)(object)Create<IStorageProvider, RefusingStore>();
        refusing._inner = inner;
        refusing._heldConsumer = holdConsumer;
        return refusing;
    }

    /// <summary>How many times the commits of the grain whose key is <paramref name="grainKey"/> set the reminder <paramref name="name"/>.</summary>
    public int RemindersSet(string grainKey, string name)
    {
        lock (_lock)
        {
            return _remindersSet.GetValueOrDefault((grainKey, name));
        }
    }

    /// <summary>Refuses the next <paramref name="times"/> state writes of the grain whose key is <paramref name="grainKey"/>.</summary>
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
        if (targetMethod.Name == nameof(IStorageProvider.ReadCheckpointAsync) && (string?)args[0] == _heldConsumer)
        {
            return HeldAsync((CancellationToken)args[1]!);
        }

        if (targetMethod.Name == nameof(IStorageProvider.CommitAsync))
        {
            Count((IReadOnlyList<GrainCommit>)args[0]!);
        }

        if (targetMethod.Name != nameof(IStorageProvider.CommitAsync) || RefusedIndex((IReadOnlyList<GrainCommit>)args[0]!) is not { } index)
        {
            return Forward(targetMethod, args);
        }

        var commits = (IReadOnlyList<GrainCommit>)args[0]!;
        var conflict = new CommitResult(CommitStatus.Conflict, [], commits[index].States[0].StateName, StoredVersion: null);
        args[0] = commits.Where((_, i) => i != index).ToList();
        return args.Length == 3
            ? SpliceAsync((Task<GroupCommitResult>)Forward(targetMethod, args)!, index, conflict)
            : SpliceAsync((Task<IReadOnlyList<CommitResult>>)Forward(targetMethod, args)!, index, conflict);
    }

    private object? Forward(MethodInfo targetMethod, object?[] args)
    {
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }

    private static async Task<long> HeldAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return 0;
    }

    private void Count(IReadOnlyList<GrainCommit> commits)
    {
        lock (_lock)
        {
            foreach (var commit in commits)
            {
                foreach (var reminder in commit.Reminders.Where(r => r.Kind == ReminderOperationKind.Upsert))
                {
                    var key = (commit.Grain.Key, reminder.Name);
                    _remindersSet[key] = _remindersSet.GetValueOrDefault(key) + 1;
                }
            }
        }
    }

    private int? RefusedIndex(IReadOnlyList<GrainCommit> commits)
    {
        lock (_lock)
        {
            for (var i = 0; i < commits.Count && _remaining > 0; i++)
            {
                if (commits[i].Grain.Key == _grainKey && commits[i].States.Count > 0)
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
