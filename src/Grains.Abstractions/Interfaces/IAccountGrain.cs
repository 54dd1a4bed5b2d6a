using Actors.Runtime;

namespace Actors.Grains.Abstractions;

/// <summary>
/// An account, keyed by <see cref="AccountId"/>: its persons (exactly one main customer), its customer class, a
/// summary of its SAs kept current by the SAs themselves, and the start / stop / transfer orchestrations.
/// </summary>
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the account with its persons, exactly one of them the main customer; every person must exist.
    /// Repeating the same creation returns the account unchanged.
    /// </summary>
    /// <exception cref="DomainException">Invalid (no or several main customers, a person twice), NotFound (a person), Conflict (exists with other details).</exception>
    Task<AccountSnapshot> CreateAsync(CreateAccount command, Actor actor);

    /// <summary>The account.</summary>
    /// <exception cref="DomainException">NotFound.</exception>
    [ReadOnly]
    Task<AccountSnapshot> GetAsync();

    /// <summary>Changes the customer class if <see cref="UpdateAccount.Version"/> is current.</summary>
    /// <exception cref="DomainException">NotFound or StaleVersion.</exception>
    Task<AccountSnapshot> UpdateAsync(UpdateAccount command, Actor actor);

    /// <summary>
    /// Adds a person to the account, or changes their roles. Making a person the main customer demotes the
    /// previous main customer, so there is always exactly one.
    /// </summary>
    /// <exception cref="DomainException">NotFound (account or person), Conflict (demoting the main customer without naming another).</exception>
    Task<AccountSnapshot> SetPersonAsync(AccountPerson person, Actor actor);

    /// <summary>Removes a person from the account. The main customer cannot be removed: make another person main first.</summary>
    /// <exception cref="DomainException">NotFound, Conflict (the main customer).</exception>
    Task<AccountSnapshot> RemovePersonAsync(PersonId personId, Actor actor);

    /// <summary>
    /// Starts service at a premise: one pending-start SA per service type, from <paramref name="startDate"/>
    /// (back-dating allowed within the configured window). The SA ids derive from the account,
    /// <paramref name="requestId"/> and the service type, so repeating a request (same Idempotency-Key) returns the
    /// same SAs and creates nothing twice; a request id reused for a different start is a Conflict.
    /// </summary>
    /// <param name="stopCurrentOccupants">
    /// When true, an open-ended active SA of another account on the same service point (a tenant who left without
    /// calling) is stopped at <paramref name="startDate"/> instead of refusing the start; canceling this start later
    /// withdraws that stop.
    /// </param>
    /// <exception cref="DomainException">
    /// NotFound (account, premise), Invalid (no service types, a date outside the back-dating window, a service type the
    /// premise has no service point for, a premise outside the service territory), Conflict (a service point already
    /// has an SA overlapping the dates).
    /// </exception>
    Task<StartServiceResult> StartServiceAsync(
        PremiseId premiseId,
        DateOnly startDate,
        IReadOnlyList<ServiceType> serviceTypes,
        string requestId,
        Actor actor,
        bool stopCurrentOccupants = false);

    /// <summary>
    /// Requests a stop at <paramref name="stopDate"/> for the account's active SAs at a premise (all of them, or
    /// those of <paramref name="serviceTypes"/>): they become pending stop. Repeating it changes nothing.
    /// </summary>
    /// <exception cref="DomainException">NotFound (account), Invalid (date), Conflict (no active SA to stop).</exception>
    Task<StopServiceResult> StopServiceAsync(
        PremiseId premiseId,
        DateOnly stopDate,
        IReadOnlyList<ServiceType>? serviceTypes,
        Actor actor);

    /// <summary>
    /// Moves service from one premise to another in one request: a stop at <paramref name="fromPremiseId"/> and a
    /// start at <paramref name="toPremiseId"/>, both on <paramref name="date"/>. The start is checked before anything
    /// changes; <paramref name="requestId"/> makes the whole transfer safe to retry.
    /// </summary>
    /// <exception cref="DomainException">As for <see cref="StartServiceAsync"/> and <see cref="StopServiceAsync"/>.</exception>
    Task<TransferServiceResult> TransferServiceAsync(
        PremiseId fromPremiseId,
        PremiseId toPremiseId,
        DateOnly date,
        IReadOnlyList<ServiceType>? serviceTypes,
        string requestId,
        Actor actor);
}
