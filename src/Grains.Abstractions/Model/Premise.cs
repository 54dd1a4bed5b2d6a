namespace Actors.Grains.Abstractions;

/// <summary>A postal address.</summary>
public sealed record Address(string Line1, string City, string State, string PostalCode, string? Line2 = null);

/// <summary>A service point to create on a premise: one per service type.</summary>
/// <param name="MeterId">The installed meter; when omitted for a metered point, one is named after the service point.</param>
/// <param name="Metered">False for unmetered service (e.g. a flat-rate lamp): no meter read is needed to start or stop it.</param>
public sealed record ServicePointInput(ServiceType ServiceType, string? MeterId = null, bool Metered = true);

/// <summary>Creates a premise, optionally as a child of a multi-unit parent premise.</summary>
/// <param name="LifeSupport">Life support or sensitive load at the premise.</param>
public sealed record CreatePremise(Address Address, IReadOnlyList<ServicePointInput> ServicePoints, PremiseId? ParentPremiseId = null, bool LifeSupport = false);

/// <summary>A service point as created.</summary>
public sealed record ServicePointInfo(ServicePointId Id, ServiceType ServiceType, string? MeterId, bool Metered);

/// <summary>An SA on a service point, with its dates: what the one-SA-per-service-point rule is checked against.</summary>
public sealed record ServicePointOccupancy(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    ServiceAgreementStatus Status,
    DateOnly StartDate,
    DateOnly? StopDate,
    long Revision);

/// <summary>A service point as read, with its SAs.</summary>
public sealed record ServicePointSnapshot(
    ServicePointId Id,
    ServiceType ServiceType,
    string? MeterId,
    bool Metered,
    IReadOnlyList<ServicePointOccupancy> ServiceAgreements);

/// <summary>A premise as read.</summary>
/// <param name="InServiceTerritory">Whether the postal code is in the configured service territory (starts are refused outside it).</param>
public sealed record PremiseSnapshot(
    PremiseId Id,
    Address Address,
    PremiseId? ParentPremiseId,
    IReadOnlyList<PremiseId> ChildPremiseIds,
    IReadOnlyList<ServicePointSnapshot> ServicePoints,
    bool InServiceTerritory,
    DateTimeOffset CreatedAt,
    bool LifeSupport = false);

/// <summary>One service of a start: the service type and the SA the start will create for it.</summary>
public sealed record RequestedService(ServiceType ServiceType, ServiceAgreementId ServiceAgreementId);

/// <summary>
/// Asks a premise to hold its service points for new SAs from <paramref name="StartDate"/>.
/// With <paramref name="StopCurrentOccupants"/>, an open-ended SA of another account that began before the start
/// date does not conflict: it is to be stopped at the start date (a reciprocal stop) instead.
/// </summary>
public sealed record ServiceReservation(
    string RequestId,
    AccountId AccountId,
    DateOnly StartDate,
    IReadOnlyList<RequestedService> Services,
    bool StopCurrentOccupants = false);

/// <summary>A service point held for a new SA, and the current occupants that must be stopped at its start date.</summary>
public sealed record ReservedService(
    ServiceType ServiceType,
    ServiceAgreementId ServiceAgreementId,
    ServicePointId ServicePointId,
    bool Metered,
    IReadOnlyList<ServiceAgreementId> OccupantsToStop);

/// <summary>A field activity as a premise tracks it, to pair a stop and a start on the same service point and day.</summary>
public sealed record FieldActivityRegistration(
    FieldActivityId Id,
    ServicePointId ServicePointId,
    FieldActivityKind Kind,
    DateOnly ScheduledDate,
    FieldActivityStatus Status);
