namespace Actors.Runtime;

/// <summary>
/// Maps grains to a fixed number of partitions. The hash is FNV-1a over the UTF-16 code units of the
/// type and key: stable across processes and runtime versions (unlike <see cref="string.GetHashCode()"/>),
/// which matters because every node and the stored reminder rows must agree on it.
/// </summary>
public static class Partitioner
{
    public static int GetPartition(GrainId grain, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        var hash = 14695981039346656037UL;
        hash = Mix(hash, grain.Type);
        hash = (hash ^ '/') * 1099511628211UL;
        hash = Mix(hash, grain.Key);
        return (int)(hash % (ulong)partitionCount);
    }

    private static ulong Mix(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
