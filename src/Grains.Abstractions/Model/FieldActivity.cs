namespace Actors.Grains.Abstractions;

/// <summary>Creates (or reschedules) the start or stop field activity of an SA.</summary>
public sealed record CreateFieldActivity(
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    FieldActivityKind Kind,
    DateOnly ScheduledDate);

/// <summary>A field activity as read.</summary>
/// <param name="LinkedFieldActivityId">The other half of a back-to-back pair (a stop and a start on the same service point and day): one read completes both.</param>
public sealed record FieldActivitySnapshot(
    FieldActivityId Id,
    ServiceAgreementId ServiceAgreementId,
    AccountId AccountId,
    PremiseId PremiseId,
    ServicePointId ServicePointId,
    FieldActivityKind Kind,
    DateOnly ScheduledDate,
    FieldActivityStatus Status,
    decimal? Read,
    DateOnly? CompletedOn,
    FieldActivityId? LinkedFieldActivityId,
    DateTimeOffset CreatedAt);
