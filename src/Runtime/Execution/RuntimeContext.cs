namespace Actors.Runtime.Execution;

/// <summary>The activation whose turn is running in the current asynchronous flow, if any.</summary>
internal static class RuntimeContext
{
    private static readonly AsyncLocal<Activation?> s_current = new();

    public static Activation? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }
}
