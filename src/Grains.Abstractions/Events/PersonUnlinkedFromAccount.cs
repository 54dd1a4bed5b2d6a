namespace Actors.Grains.Abstractions.Events;

/// <summary>A person was taken off an account.</summary>
public sealed record PersonUnlinkedFromAccount(
    PersonId PersonId,
    AccountId AccountId) : DomainEvent;
