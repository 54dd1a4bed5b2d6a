using Actors.Api.Contracts;
using Actors.Api.ReadModels;
using Actors.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Actors.Api.Live;

/// <summary>
/// The live channel of CSR dashboards and API clients (<c>/hubs/alerts</c>; the token in <c>access_token</c>). A client
/// watches accounts, premises and To Do roles; each Watch call answers the current state and the event sequence it
/// is current to, and from then on the client receives <c>alerts</c>, <c>serviceAgreement</c> and <c>todos</c>
/// messages, each with the sequence of the event behind it: a message whose seq the client has already seen is
/// ignored, and after a reconnect the client watches again (or reads <c>GET /api/events?after=</c>) to catch up.
/// Grains know nothing of this hub: the read model turns committed events into messages (<see cref="HubLiveUpdateSink"/>).
/// </summary>
[Authorize(Policy = ApiRoles.StaffPolicy)]
public sealed class AlertsHub(CustomerCareReadModel readModel) : Hub
{
    public const string Path = "/hubs/alerts";

    public async Task<AlertsMessage> WatchAccount(string accountId)
    {
        var id = Parse<AccountId>(accountId, "account");
        // Join first, then read: a change racing the read arrives as a message with a higher seq, never in a gap.
        await Groups.AddToGroupAsync(Context.ConnectionId, AccountGroup(id.Value));
        return readModel.Alerts(id);
    }

    public Task UnwatchAccount(string accountId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, AccountGroup(Parse<AccountId>(accountId, "account").Value));

    public async Task<PremiseWatch> WatchPremise(string premiseId)
    {
        var id = Parse<PremiseId>(premiseId, "premise");
        await Groups.AddToGroupAsync(Context.ConnectionId, PremiseGroup(id.Value));
        return new PremiseWatch(id.Value, readModel.CurrentSeq());
    }

    public Task UnwatchPremise(string premiseId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, PremiseGroup(Parse<PremiseId>(premiseId, "premise").Value));

    public async Task<ToDoQueue> WatchRole(string role)
    {
        var name = ValidRole(role);
        await Groups.AddToGroupAsync(Context.ConnectionId, RoleGroup(name));
        var (seq, todos) = readModel.OpenToDos(name);
        return new ToDoQueue(name, seq, todos);
    }

    public Task UnwatchRole(string role) => Groups.RemoveFromGroupAsync(Context.ConnectionId, RoleGroup(ValidRole(role)));

    internal static string AccountGroup(string accountId) => "account:" + accountId;

    internal static string PremiseGroup(string premiseId) => "premise:" + premiseId;

    internal static string RoleGroup(string role) => "role:" + role.ToUpperInvariant();

    private static TId Parse<TId>(string value, string what)
        where TId : struct, ITypedId<TId> =>
        TId.TryParse(value, null, out var id) ? id : throw new HubException($"'{value}' is not a valid {what} id.");

    private static string ValidRole(string role) =>
        string.IsNullOrWhiteSpace(role) || role.Length > 50 ? throw new HubException("A role name (e.g. CSR) is required.") : role.Trim();
}

/// <summary>The answer to <c>WatchPremise</c>: the sequence the premise's SA messages will follow.</summary>
public sealed record PremiseWatch(string PremiseId, long Seq);

/// <summary>The answer to <c>WatchRole</c>: the role's To Dos that are not complete, as of <c>seq</c>.</summary>
public sealed record ToDoQueue(string Role, long Seq, IReadOnlyList<ToDoResponse> Todos);

/// <summary>Pushes the read model's changes to the clients connected to this silo, in log order.</summary>
public sealed class HubLiveUpdateSink(IHubContext<AlertsHub> hub) : ILiveUpdateSink
{
    public async Task PublishAsync(LiveUpdates updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (var sa in updates.ServiceAgreements)
        {
            await hub.Clients.Groups(AlertsHub.AccountGroup(sa.AccountId), AlertsHub.PremiseGroup(sa.ServiceAgreement.PremiseId))
                .SendAsync("serviceAgreement", sa, cancellationToken);
        }

        foreach (var todo in updates.ToDos)
        {
            await hub.Clients.Group(AlertsHub.RoleGroup(todo.Role)).SendAsync("todos", todo, cancellationToken);
        }

        foreach (var alerts in updates.Alerts)
        {
            await hub.Clients.Group(AlertsHub.AccountGroup(alerts.AccountId)).SendAsync("alerts", alerts, cancellationToken);
        }
    }
}
