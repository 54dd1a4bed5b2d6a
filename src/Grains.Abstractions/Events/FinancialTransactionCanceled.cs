namespace Actors.Grains.Abstractions.Events;

/// <summary>A financial transaction of an SA was canceled.</summary>
public sealed record FinancialTransactionCanceled(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    string TransactionId,
    Money Balance) : DomainEvent;
