namespace Actors.Grains.Abstractions.Events;

/// <summary>The account started service again, so it no longer awaits a final bill.</summary>
public sealed record AccountFinalBillFlagCleared(
    AccountId AccountId) : DomainEvent;
