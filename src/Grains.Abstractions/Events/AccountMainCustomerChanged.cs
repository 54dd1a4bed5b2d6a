namespace Actors.Grains.Abstractions.Events;

/// <summary>The account's main customer changed.</summary>
public sealed record AccountMainCustomerChanged(
    AccountId AccountId,
    PersonId PreviousMainCustomerId,
    PersonId MainCustomerId) : DomainEvent;
