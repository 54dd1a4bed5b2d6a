namespace Actors.Api.Contracts;

public sealed record StartServiceRequest(
    string? AccountId,
    string? PremiseId,
    DateOnly? StartDate,
    IReadOnlyList<ServiceType>? ServiceTypes,
    bool? StopCurrentOccupants,
    string? Reason,
    string? Comment);

public sealed record StopServiceRequest(
    string? AccountId,
    string? PremiseId,
    DateOnly? StopDate,
    IReadOnlyList<ServiceType>? ServiceTypes,
    string? Reason,
    string? Comment);

public sealed record TransferServiceRequest(
    string? AccountId,
    string? FromPremiseId,
    string? ToPremiseId,
    DateOnly? Date,
    IReadOnlyList<ServiceType>? ServiceTypes,
    string? Reason,
    string? Comment);

public sealed record StartedServiceAgreement(string Id, ServiceType ServiceType, ServiceAgreementStatus Status, DateOnly StartDate, string ServicePointId);

public sealed record StartServiceResponse(
    string RequestId,
    string AccountId,
    string PremiseId,
    DateOnly StartDate,
    IReadOnlyList<StartedServiceAgreement> ServiceAgreements,
    IReadOnlyList<string> StoppedServiceAgreements)
{
    public static StartServiceResponse From(StartServiceResult r) => new(
        r.RequestId,
        r.AccountId.Value,
        r.PremiseId.Value,
        r.StartDate,
        [.. r.ServiceAgreements.Select(s => new StartedServiceAgreement(s.Id.Value, s.ServiceType, s.Status, s.StartDate, s.ServicePointId.Value))],
        [.. r.StoppedServiceAgreements.Select(s => s.Value)]);
}

public sealed record StoppedServiceAgreement(string Id, ServiceType ServiceType, ServiceAgreementStatus Status, DateOnly? StopDate);

public sealed record StopServiceResponse(string AccountId, string PremiseId, DateOnly StopDate, IReadOnlyList<StoppedServiceAgreement> ServiceAgreements)
{
    public static StopServiceResponse From(StopServiceResult r) => new(
        r.AccountId.Value,
        r.PremiseId.Value,
        r.StopDate,
        [.. r.ServiceAgreements.Select(s => new StoppedServiceAgreement(s.Id.Value, s.ServiceType, s.Status, s.StopDate))]);
}

public sealed record TransferServiceResponse(StopServiceResponse Stop, StartServiceResponse Start)
{
    public static TransferServiceResponse From(TransferServiceResult r) => new(StopServiceResponse.From(r.Stop), StartServiceResponse.From(r.Start));
}

/// <summary><c>/activate</c>, <c>/cancel</c>: a reason is required; <c>version</c> refuses the change if the SA changed since it was read.</summary>
public sealed record ServiceAgreementActionRequest(string? Reason, string? Comment, long? Version);

public sealed record StopServiceAgreementRequest(DateOnly? StopDate, string? Reason, string? Comment, long? Version);

public sealed record ServiceAgreementResponse(
    string Id,
    string AccountId,
    string PremiseId,
    string ServicePointId,
    ServiceType ServiceType,
    bool Metered,
    ServiceAgreementStatus Status,
    DateOnly StartDate,
    DateOnly? StopDate,
    decimal? StartRead,
    DateOnly? StartReadOn,
    decimal? StopRead,
    DateOnly? StopReadOn,
    string? StartFieldActivityId,
    string? StopFieldActivityId,
    string? ReciprocalStopOf,
    string? StopRequestedBy,
    IReadOnlyList<string> ToDoIds,
    decimal Balance,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? StoppedAt,
    DateTimeOffset? CanceledAt)
{
    public static ServiceAgreementResponse From(ServiceAgreementSnapshot s) => new(
        s.Id.Value,
        s.AccountId.Value,
        s.PremiseId.Value,
        s.ServicePointId.Value,
        s.ServiceType,
        s.Metered,
        s.Status,
        s.StartDate,
        s.StopDate,
        s.StartRead,
        s.StartReadOn,
        s.StopRead,
        s.StopReadOn,
        s.StartFieldActivityId?.Value,
        s.StopFieldActivityId?.Value,
        s.ReciprocalStopOf?.Value,
        s.StopRequestedBy?.Value,
        [.. s.ToDoIds.Select(t => t.Value)],
        s.Balance.Amount,
        s.Revision,
        s.CreatedAt,
        s.ActivatedAt,
        s.StoppedAt,
        s.CanceledAt);
}
