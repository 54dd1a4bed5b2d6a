using Actors.Runtime;

namespace Actors.Grains.Abstractions;

/// <summary>A person (customer, landlord, contact), keyed by <see cref="PersonId"/>.</summary>
public interface IPersonGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the person. Repeating the same creation returns the person unchanged (safe to retry); creating it
    /// again with other details is a <see cref="DomainErrorCode.Conflict"/>.
    /// </summary>
    /// <exception cref="DomainException">Invalid (name missing, malformed phone or e-mail) or Conflict.</exception>
    Task<PersonSnapshot> CreateAsync(CreatePerson command, Actor actor);

    /// <summary>The person.</summary>
    /// <exception cref="DomainException">NotFound.</exception>
    [ReadOnly]
    Task<PersonSnapshot> GetAsync();

    /// <summary>Replaces name, phone, e-mail and life-support flag if <see cref="UpdatePerson.Version"/> is current.</summary>
    /// <exception cref="DomainException">NotFound, Invalid, or StaleVersion when someone changed the person since it was read.</exception>
    Task<PersonSnapshot> UpdateAsync(UpdatePerson command, Actor actor);

    /// <summary>Records that the person is on an account (called by the account; idempotent).</summary>
    /// <exception cref="DomainException">NotFound when the person does not exist.</exception>
    Task<PersonSnapshot> LinkAccountAsync(AccountId accountId, Actor actor);

    /// <summary>Records that the person left an account (called by the account; idempotent).</summary>
    Task<PersonSnapshot> UnlinkAccountAsync(AccountId accountId, Actor actor);

    /// <summary>The accounts the person is on.</summary>
    /// <exception cref="DomainException">NotFound.</exception>
    [ReadOnly]
    Task<IReadOnlyList<AccountId>> GetAccountsAsync();
}
