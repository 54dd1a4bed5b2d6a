namespace Actors.Grains.Abstractions.Events;

/// <summary>A closed SA was reactivated by a new financial transaction.</summary>
public sealed record ServiceAgreementReactivated(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    string TransactionId,
    ServiceAgreementStatus Status) : DomainEvent;
