namespace Actors.Grains.Abstractions.Events;

/// <summary>Service points of the premise were held for new SAs of an account.</summary>
public sealed record PremiseServiceReserved(
    PremiseId PremiseId,
    string RequestId,
    AccountId AccountId,
    DateOnly StartDate,
    IReadOnlyList<ReservedService> Services) : DomainEvent;
