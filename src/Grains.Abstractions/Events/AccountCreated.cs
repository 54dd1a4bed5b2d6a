namespace Actors.Grains.Abstractions.Events;

/// <summary>An account was created with its persons.</summary>
public sealed record AccountCreated(
    AccountId AccountId,
    CustomerClass CustomerClass,
    PersonId MainCustomerId,
    IReadOnlyList<AccountPerson> Persons) : DomainEvent;
