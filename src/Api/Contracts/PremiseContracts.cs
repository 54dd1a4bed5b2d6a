namespace Actors.Api.Contracts;

public sealed record AddressDto(string? Line1, string? City, string? State, string? PostalCode, string? Line2 = null);

public sealed record ServicePointRequest(ServiceType? ServiceType, string? MeterId, bool? Metered);

public sealed record CreatePremiseRequest(AddressDto? Address, string? ParentPremiseId, IReadOnlyList<ServicePointRequest>? ServicePoints, bool? LifeSupport);

public sealed record SetPremiseLifeSupportRequest(bool? LifeSupport, string? Reason, string? Comment);

public sealed record PremiseServiceAgreementResponse(
    string ServiceAgreementId,
    string AccountId,
    ServiceAgreementStatus Status,
    DateOnly StartDate,
    DateOnly? StopDate);

public sealed record ServicePointResponse(
    string Id,
    ServiceType ServiceType,
    string? MeterId,
    bool Metered,
    IReadOnlyList<PremiseServiceAgreementResponse> ServiceAgreements);

public sealed record PremiseResponse(
    string Id,
    AddressDto Address,
    string? ParentPremiseId,
    IReadOnlyList<string> ChildPremiseIds,
    IReadOnlyList<ServicePointResponse> ServicePoints,
    bool InServiceTerritory,
    bool LifeSupport,
    DateTimeOffset CreatedAt)
{
    public static PremiseResponse From(PremiseSnapshot p) => new(
        p.Id.Value,
        ToAddress(p.Address),
        p.ParentPremiseId?.Value,
        [.. p.ChildPremiseIds.Select(c => c.Value)],
        [.. p.ServicePoints.Select(sp => new ServicePointResponse(
            sp.Id.Value,
            sp.ServiceType,
            sp.MeterId,
            sp.Metered,
            [.. sp.ServiceAgreements.OrderBy(s => s.StartDate).Select(s => new PremiseServiceAgreementResponse(s.ServiceAgreementId.Value, s.AccountId.Value, s.Status, s.StartDate, s.StopDate))]))],
        p.InServiceTerritory,
        p.LifeSupport,
        p.CreatedAt);

    public static AddressDto ToAddress(Address a) => new(a.Line1, a.City, a.State, a.PostalCode, a.Line2);
}
