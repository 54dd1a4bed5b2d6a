namespace Actors.Grains.Abstractions.Events;

/// <summary>The start date came and the SA could not activate; a To Do says what is missing.</summary>
public sealed record ServiceAgreementActivationDelayed(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ToDoId ToDoId,
    string Missing) : DomainEvent;
