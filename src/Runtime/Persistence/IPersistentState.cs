namespace Actors.Runtime;

/// <summary>
/// A grain's persistent state, shaped like Orleans' <c>IPersistentState&lt;T&gt;</c>. The ETag is the stored
/// version; a write from a stale ETag throws <see cref="InconsistentStateException"/> and the activation is then
/// deactivated so the next call reloads. A write also commits the events and reminder changes the turn buffered.
/// State types need a public parameterless constructor and serialize with System.Text.Json.
/// </summary>
public interface IPersistentState<TState>
{
    TState State { get; set; }

    string? Etag { get; }

    bool RecordExists { get; }

    Task ReadStateAsync();

    Task WriteStateAsync();

    Task ClearStateAsync();
}
