namespace Actors.Grains.Abstractions.Events;

/// <summary>A financial transaction was posted to an SA.</summary>
public sealed record FinancialTransactionRecorded(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    string TransactionId,
    FinancialTransactionKind Kind,
    Money Amount,
    Money Balance) : DomainEvent;
