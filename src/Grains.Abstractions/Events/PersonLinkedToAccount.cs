namespace Actors.Grains.Abstractions.Events;

/// <summary>A person was put on an account.</summary>
public sealed record PersonLinkedToAccount(
    PersonId PersonId,
    AccountId AccountId) : DomainEvent;
