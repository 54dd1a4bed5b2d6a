namespace Actors.Grains.Abstractions;

/// <summary>A person's place on an account. An account has exactly one main customer.</summary>
public sealed record AccountPerson(
    PersonId PersonId,
    bool IsMainCustomer,
    bool IsFinanciallyResponsible = true,
    bool ReceivesBillCopy = false);

/// <summary>Creates an account; <paramref name="Persons"/> must name exactly one main customer.</summary>
public sealed record CreateAccount(CustomerClass CustomerClass, IReadOnlyList<AccountPerson> Persons);

/// <summary>Changes an account's own fields, if <paramref name="Version"/> is the current version.</summary>
public sealed record UpdateAccount(CustomerClass CustomerClass, int Version);

/// <summary>
/// What an account knows of one of its SAs. SAs send it whenever they change; <paramref name="Revision"/> grows with
/// every change of the SA, so an older summary arriving late never overwrites a newer one.
/// </summary>
public sealed record ServiceAgreementSummary(
    ServiceAgreementId Id,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    ServiceType ServiceType,
    ServiceAgreementStatus Status,
    DateOnly StartDate,
    DateOnly? StopDate,
    long Revision);

/// <summary>An account as read.</summary>
/// <param name="FinalBillRequired">Set when the account's last SA stopped: billing owes it a final bill.</param>
public sealed record AccountSnapshot(
    AccountId Id,
    CustomerClass CustomerClass,
    IReadOnlyList<AccountPerson> Persons,
    IReadOnlyList<ServiceAgreementSummary> ServiceAgreements,
    bool FinalBillRequired,
    int Version,
    DateTimeOffset CreatedAt);

/// <summary>The outcome of a start: the pending-start SAs (one per service type) and any SAs of other accounts it stopped.</summary>
public sealed record StartServiceResult(
    string RequestId,
    AccountId AccountId,
    PremiseId PremiseId,
    DateOnly StartDate,
    IReadOnlyList<ServiceAgreementSummary> ServiceAgreements,
    IReadOnlyList<ServiceAgreementId> StoppedServiceAgreements);

/// <summary>The outcome of a stop: the SAs now pending stop.</summary>
public sealed record StopServiceResult(
    AccountId AccountId,
    PremiseId PremiseId,
    DateOnly StopDate,
    IReadOnlyList<ServiceAgreementSummary> ServiceAgreements);

/// <summary>The outcome of a transfer: the stop at the old premise and the start at the new one.</summary>
public sealed record TransferServiceResult(StopServiceResult Stop, StartServiceResult Start);
