namespace Actors.Grains.Abstractions.Events;

/// <summary>A person was removed from an account.</summary>
public sealed record AccountPersonRemoved(
    AccountId AccountId,
    PersonId PersonId) : DomainEvent;
