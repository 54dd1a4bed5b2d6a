namespace Actors.Api.Contracts;

public sealed record CreateAccountRequest(string? MainCustomerId, CustomerClass? CustomerClass);

public sealed record UpdateAccountRequest(int? Version, CustomerClass? CustomerClass, string? Reason, string? Comment);

public sealed record SetAccountPersonRequest(string? PersonId, bool? IsMainCustomer, bool? IsFinanciallyResponsible, bool? ReceivesBillCopy, string? Reason, string? Comment);

public sealed record AccountPersonResponse(string PersonId, bool IsMainCustomer, bool IsFinanciallyResponsible, bool ReceivesBillCopy);

public sealed record AccountServiceAgreementResponse(
    string Id,
    string PremiseId,
    string ServicePointId,
    ServiceType ServiceType,
    ServiceAgreementStatus Status,
    DateOnly StartDate,
    DateOnly? StopDate);

public sealed record AccountResponse(
    string Id,
    CustomerClass CustomerClass,
    IReadOnlyList<AccountPersonResponse> Persons,
    IReadOnlyList<AccountServiceAgreementResponse> ServiceAgreements,
    bool FinalBillRequired,
    int Version,
    DateTimeOffset CreatedAt)
{
    public static AccountResponse From(AccountSnapshot a) => new(
        a.Id.Value,
        a.CustomerClass,
        [.. a.Persons.Select(p => new AccountPersonResponse(p.PersonId.Value, p.IsMainCustomer, p.IsFinanciallyResponsible, p.ReceivesBillCopy))],
        [.. a.ServiceAgreements.OrderBy(s => s.StartDate).ThenBy(s => s.ServiceType).Select(ServiceAgreement)],
        a.FinalBillRequired,
        a.Version,
        a.CreatedAt);

    public static AccountServiceAgreementResponse ServiceAgreement(ServiceAgreementSummary s) =>
        new(s.Id.Value, s.PremiseId.Value, s.ServicePointId.Value, s.ServiceType, s.Status, s.StartDate, s.StopDate);
}
