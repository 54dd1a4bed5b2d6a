namespace Actors.Grains.Abstractions.Events;

/// <summary>A person was added to an account, or their roles on it changed.</summary>
public sealed record AccountPersonSet(
    AccountId AccountId,
    AccountPerson Person,
    AccountPerson? Previous) : DomainEvent;
