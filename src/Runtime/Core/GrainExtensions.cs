using Actors.Runtime.Execution;

namespace Actors.Runtime;

/// <summary>Orleans-style key accessors for grains and grain references.</summary>
public static class GrainExtensions
{
    public static string GetPrimaryKeyString(this IAddressable grain) => GetGrainId(grain).Key;

    public static Guid GetPrimaryKey(this IAddressable grain) => Guid.ParseExact(GetGrainId(grain).Key, "N");

    public static GrainId GetGrainId(this IAddressable grain) => grain switch
    {
        Grain g => g.GrainId,
        GrainReference r => r.GrainId,
        _ => throw new ArgumentException($"'{grain.GetType().Name}' is neither a grain nor a grain reference.", nameof(grain)),
    };
}
