using Actors.Runtime;

namespace Actors.Grains.Abstractions;

/// <summary>
/// A premise, keyed by <see cref="PremiseId"/>: its address, service points, and per service point the SAs on it
/// with their dates. It enforces "one SA per service point for any date" and pairs back-to-back field activities.
/// A premise calls no grain but its parent, so any grain may call it without risking a call cycle.
/// </summary>
public interface IPremiseGrain : IGrainWithStringKey
{
    /// <summary>Creates the premise and its service points (one per service type). Repeating the same creation is harmless.</summary>
    /// <exception cref="DomainException">Invalid (address fields, no or duplicate service types), NotFound (parent premise), Conflict (exists with other details).</exception>
    Task<PremiseSnapshot> CreateAsync(CreatePremise command, Actor actor);

    /// <summary>The premise.</summary>
    /// <exception cref="DomainException">NotFound.</exception>
    [ReadOnly]
    Task<PremiseSnapshot> GetAsync();

    /// <summary>Sets or clears the premise's life-support / sensitive-load flag. Setting it to what it is changes nothing.</summary>
    /// <exception cref="DomainException">NotFound.</exception>
    Task<PremiseSnapshot> SetLifeSupportAsync(bool lifeSupport, Actor actor);

    /// <summary>Records a child premise (called by the child when it is created under this parent).</summary>
    Task AddChildAsync(PremiseId childPremiseId, Actor actor);

    /// <summary>
    /// Checks a start without holding anything: territory, service points, conflicts. Returns what
    /// <see cref="ReserveAsync"/> would.
    /// </summary>
    /// <exception cref="DomainException">NotFound, Invalid (outside the territory, no service point for a type), Conflict (overlap).</exception>
    [ReadOnly]
    Task<IReadOnlyList<ReservedService>> CheckReservationAsync(ServiceReservation reservation);

    /// <summary>
    /// Holds the service points for the new SAs, all or none. An SA already held (a retried request) is returned
    /// as it was.
    /// </summary>
    /// <exception cref="DomainException">As for <see cref="CheckReservationAsync"/>.</exception>
    Task<IReadOnlyList<ReservedService>> ReserveAsync(ServiceReservation reservation, Actor actor);

    /// <summary>An SA tells its premise its current status and dates (ignored when older than what is held).</summary>
    Task UpdateOccupancyAsync(ServicePointId servicePointId, ServicePointOccupancy occupancy);

    /// <summary>
    /// Records a field activity (or its new date or status) and returns the field activity it pairs with: a pending
    /// one of the other kind on the same service point and date (a back-to-back stop and start), or null.
    /// </summary>
    Task<FieldActivityId?> RegisterFieldActivityAsync(FieldActivityRegistration registration);
}
