using Actors.Runtime;

namespace Actors.Grains.Abstractions;

/// <summary>
/// A field activity (read the meter, turn on or off) for the start or stop of an SA, keyed by
/// <see cref="FieldActivityId.For"/> of the SA and kind.
/// </summary>
public interface IFieldActivityGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the field activity, pending, and pairs it with a back-to-back one on the same service point and day.
    /// Creating it again with the same date returns it; with another date reschedules it; a canceled one is reopened.
    /// </summary>
    Task<FieldActivitySnapshot> CreateAsync(CreateFieldActivity command, Actor actor);

    /// <summary>The field activity.</summary>
    /// <exception cref="DomainException">NotFound.</exception>
    [ReadOnly]
    Task<FieldActivitySnapshot> GetAsync();

    /// <summary>
    /// Completes the field activity with the meter read taken on <paramref name="completedOn"/>, and its back-to-back
    /// partner with the same read; each notifies its SA. Repeating the same completion is harmless.
    /// </summary>
    /// <exception cref="DomainException">NotFound, Invalid (negative read, a date in the future), IllegalTransition (canceled), Conflict (completed with another read).</exception>
    Task<FieldActivitySnapshot> CompleteAsync(decimal read, DateOnly completedOn, Actor actor);

    /// <summary>Cancels a pending field activity (a canceled one stays canceled) and tells its SA.</summary>
    /// <exception cref="DomainException">NotFound, IllegalTransition (complete).</exception>
    Task<FieldActivitySnapshot> CancelAsync(Actor actor);

    /// <summary>
    /// Called by the SA when it no longer needs the activity (canceled SA, withdrawn stop): cancels it if pending,
    /// without calling the SA back; a complete or canceled one is returned as it is.
    /// </summary>
    Task<FieldActivitySnapshot> WithdrawAsync(Actor actor);

    /// <summary>Completes this half of a back-to-back pair because the other half was completed (called by the partner).</summary>
    Task<FieldActivitySnapshot> CompleteLinkedAsync(FieldActivityId partnerId, decimal read, DateOnly completedOn, Actor actor);

    /// <summary>Pairs this field activity with <paramref name="partnerId"/> (called by the partner).</summary>
    Task LinkAsync(FieldActivityId partnerId, Actor actor);

    /// <summary>Dissolves the pairing with <paramref name="partnerId"/>, if it is the current partner (called by the partner).</summary>
    Task UnlinkAsync(FieldActivityId partnerId, Actor actor);
}
