namespace Actors.Grains.Abstractions.Events;

/// <summary>The stop date came and the SA could not be stopped; a To Do says what is missing.</summary>
public sealed record ServiceAgreementFinalizationDelayed(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ToDoId ToDoId,
    string Missing) : DomainEvent;
