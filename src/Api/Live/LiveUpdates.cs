using Actors.Api.Contracts;

namespace Actors.Api.Live;

/// <summary>An SA as the dashboard shows it, in account and premise views.</summary>
public sealed record ServiceAgreementView(
    string Id,
    string AccountId,
    string PremiseId,
    string ServicePointId,
    ServiceType ServiceType,
    ServiceAgreementStatus Status,
    DateOnly StartDate,
    DateOnly? StopDate);

/// <summary>Hub message <c>alerts</c>: an account's whole alert set, as of event <c>seq</c>.</summary>
public sealed record AlertsMessage(string AccountId, long Seq, IReadOnlyList<AccountAlert> Alerts);

/// <summary>Hub message <c>serviceAgreement</c>: an SA changed with event <c>seq</c>.</summary>
public sealed record ServiceAgreementMessage(string AccountId, long Seq, ServiceAgreementView ServiceAgreement);

/// <summary>Hub message <c>todos</c>: a To Do of the role was created or changed with event <c>seq</c>.</summary>
public sealed record ToDoMessage(string Role, long Seq, ToDoResponse Todo);

/// <summary>What one batch of the event log changed, for the clients watching. Each key appears once (its latest state).</summary>
public sealed record LiveUpdates(
    IReadOnlyList<AlertsMessage> Alerts,
    IReadOnlyList<ServiceAgreementMessage> ServiceAgreements,
    IReadOnlyList<ToDoMessage> ToDos)
{
    public bool IsEmpty => Alerts.Count == 0 && ServiceAgreements.Count == 0 && ToDos.Count == 0;
}

/// <summary>Receives the read model's changes in log order; the host pushes them to connected clients.</summary>
public interface ILiveUpdateSink
{
    Task PublishAsync(LiveUpdates updates, CancellationToken cancellationToken);
}
