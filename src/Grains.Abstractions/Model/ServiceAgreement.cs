using System.Globalization;

namespace Actors.Grains.Abstractions;

/// <summary>An amount of money in the utility's currency.</summary>
public readonly record struct Money(decimal Amount)
{
    public static Money Zero => default;

    public bool IsZero => Amount == 0m;

    public static Money operator +(Money left, Money right) => new(left.Amount + right.Amount);

    public static Money operator -(Money left, Money right) => new(left.Amount - right.Amount);

    public static Money Add(Money left, Money right) => left + right;

    public static Money Subtract(Money left, Money right) => left - right;

    public override string ToString() => Amount.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>Creates a pending-start SA on a service point (sent by the account's start orchestration).</summary>
/// <param name="RequestId">The start request that creates it (its id is derived from it).</param>
/// <param name="ReciprocalStopOf">The other account's SA whose stop this start requested, if any: canceling this start withdraws that stop.</param>
public sealed record CreateServiceAgreement(
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    ServiceType ServiceType,
    bool Metered,
    DateOnly StartDate,
    string RequestId,
    ServiceAgreementId? ReciprocalStopOf = null);

/// <summary>A financial transaction posted to an SA (bill segment, payment, adjustment). Amounts are signed: a payment is negative.</summary>
public sealed record FinancialTransaction(string TransactionId, FinancialTransactionKind Kind, Money Amount);

/// <summary>A financial transaction as the SA holds it.</summary>
public sealed record FinancialTransactionInfo(
    string TransactionId,
    FinancialTransactionKind Kind,
    Money Amount,
    bool Canceled,
    DateTimeOffset RecordedAt);

/// <summary>An SA as read.</summary>
/// <param name="ReciprocalStopOf">On an incoming SA: the outgoing SA whose stop its start requested.</param>
/// <param name="StopRequestedBy">On an outgoing SA: the incoming SA whose start requested this stop.</param>
/// <param name="Revision">Grows with every change of the SA.</param>
public sealed record ServiceAgreementSnapshot(
    ServiceAgreementId Id,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    ServiceType ServiceType,
    bool Metered,
    ServiceAgreementStatus Status,
    DateOnly StartDate,
    DateOnly? StopDate,
    decimal? StartRead,
    DateOnly? StartReadOn,
    decimal? StopRead,
    DateOnly? StopReadOn,
    FieldActivityId? StartFieldActivityId,
    FieldActivityId? StopFieldActivityId,
    ServiceAgreementId? ReciprocalStopOf,
    ServiceAgreementId? StopRequestedBy,
    IReadOnlyList<ToDoId> ToDoIds,
    Money Balance,
    IReadOnlyList<FinancialTransactionInfo> FinancialTransactions,
    long Revision,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? StoppedAt,
    DateTimeOffset? CanceledAt);
