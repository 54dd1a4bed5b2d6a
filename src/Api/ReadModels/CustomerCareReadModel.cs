using System.Collections.Frozen;
using System.Text.Json;
using Actors.Api.Contracts;
using Actors.Api.Live;
using Actors.Grains.Abstractions.Events;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;

namespace Actors.Api.ReadModels;

/// <summary>
/// The read side the grains cannot answer alone: Control Central search across persons, accounts and premises, the
/// field activity and To Do lists, and each account's alerts. Every silo rebuilds it in memory from the outbox at
/// start-up and keeps it current from there (a <see cref="OutboxConsumerScope.NodeReplay"/> consumer), so it needs
/// no table of its own, any silo answers any query, and every silo computes the same alert changes with the same
/// event sequence: each pushes them to its own connected clients (<see cref="ILiveUpdateSink"/>). It trails the
/// grains by the outbox's delivery delay: a list may miss a change made a few milliseconds ago; a single entity read
/// goes to its grain and is always current.
/// </summary>
public sealed partial class CustomerCareReadModel(JsonSerializerOptions jsonOptions, IEnumerable<IAccountAlertRule> rules, ILiveUpdateSink? sink = null)
    : IOutboxConsumer
{
    private const int MaxResults = 200;

    private static readonly FrozenDictionary<string, Type> s_eventTypes = typeof(DomainEvent).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(DomainEvent)) && !t.IsAbstract)
        .ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    private readonly IAccountAlertRule[] _rules = [.. rules];
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PersonRow> _persons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccountRow> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PremiseRow> _premises = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceAgreementView> _serviceAgreements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FieldActivityResponse> _fieldActivities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ToDoResponse> _toDos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<AccountAlert>> _alerts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _accountsByPerson = new(StringComparer.Ordinal);
    private long _position;

    public string Name => "read-model:customer-care";

    public OutboxConsumerScope Scope => OutboxConsumerScope.NodeReplay;

    /// <summary>The sequence of the last event applied.</summary>
    public long Position => Volatile.Read(ref _position);

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var batch = new ChangeBatch();
        lock (_lock)
        {
            foreach (var stored in events)
            {
                if (s_eventTypes.TryGetValue(stored.Type, out var type) && !stored.Stream.StartsWith(StreamNamespaces.AccountServiceAgreements + "/", StringComparison.Ordinal))
                {
                    var e = stored.Value as DomainEvent ?? (DomainEvent)JsonSerializer.Deserialize(stored.Payload, type, jsonOptions)!;
                    var touched = new HashSet<string>(StringComparer.Ordinal);
                    Apply(e, stored.Seq, touched, batch);
                    foreach (var accountId in touched)
                    {
                        RecomputeAlerts(accountId, stored.Seq, batch);
                    }
                }

                Volatile.Write(ref _position, stored.Seq);
            }
        }

        if (sink is not null && batch.ToUpdates() is { IsEmpty: false } updates)
        {
            await sink.PublishAsync(updates, cancellationToken);
        }
    }

    private void Apply(DomainEvent e, long seq, HashSet<string> touched, ChangeBatch batch)
    {
        switch (e)
        {
            case PersonCreated p:
                _persons[p.PersonId.Value] = PersonRow.Create(p.PersonId.Value, p.Name, p.Phone, p.LifeSupport);
                break;
            case PersonUpdated p:
                _persons[p.PersonId.Value] = PersonRow.Create(p.PersonId.Value, p.Name, p.Phone, p.LifeSupport);
                touched.UnionWith(AccountsOf(p.PersonId.Value));
                Contact(AccountsOf(p.PersonId.Value), e, "updated the customer's details", touched);
                break;
            case AccountCreated a:
                _accounts[a.AccountId.Value] = new AccountRow(a.AccountId.Value, a.MainCustomerId.Value);
                foreach (var person in a.Persons)
                {
                    LinkPerson(_accounts[a.AccountId.Value], person.PersonId.Value);
                }

                touched.Add(a.AccountId.Value);
                Contact([a.AccountId.Value], e, "opened the account", touched);
                break;
            case AccountPersonSet a when _accounts.TryGetValue(a.AccountId.Value, out var account):
                LinkPerson(account, a.Person.PersonId.Value);
                if (a.Person.IsMainCustomer)
                {
                    account.MainCustomerId = a.Person.PersonId.Value;
                }

                Contact([account.Id], e, "changed the account's persons", touched);
                touched.Add(account.Id);
                break;
            case AccountPersonRemoved a when _accounts.TryGetValue(a.AccountId.Value, out var account):
                account.Persons.Remove(a.PersonId.Value);
                _accountsByPerson.GetValueOrDefault(a.PersonId.Value)?.Remove(account.Id);
                Contact([account.Id], e, "removed a person from the account", touched);
                touched.Add(account.Id);
                break;
            case AccountMainCustomerChanged a when _accounts.TryGetValue(a.AccountId.Value, out var account):
                account.MainCustomerId = a.MainCustomerId.Value;
                touched.Add(account.Id);
                break;
            case ServiceStartRequested s:
                Contact([s.AccountId.Value], e, $"requested a start on {s.StartDate:yyyy-MM-dd}", touched);
                break;
            case ServiceStopRequested s:
                Contact([s.AccountId.Value], e, $"requested a stop on {s.StopDate:yyyy-MM-dd}", touched);
                break;
            case PremiseCreated p:
                _premises[p.PremiseId.Value] = new PremiseRow(p.PremiseId.Value, FormatAddress(p.Address), p.LifeSupport);
                break;
            case PremiseLifeSupportChanged p when _premises.TryGetValue(p.PremiseId.Value, out var premise):
                _premises[premise.Id] = premise with { LifeSupport = p.LifeSupport };
                touched.UnionWith(_serviceAgreements.Values.Where(s => s.PremiseId == premise.Id).Select(s => s.AccountId));
                break;
            case ServiceAgreementCreated s:
                SetServiceAgreement(new ServiceAgreementView(
                    s.ServiceAgreementId.Value, s.AccountId.Value, s.PremiseId.Value, s.ServicePointId.Value, s.ServiceType, s.Status, s.StartDate, null), seq, touched, batch);
                break;
            case ServiceAgreementStopRequested s:
                UpdateServiceAgreement(s.ServiceAgreementId, sa => sa with { Status = s.Status, StopDate = s.StopDate }, seq, touched, batch);
                Contact([s.AccountId.Value], e, $"requested a {s.ServiceType} stop on {s.StopDate:yyyy-MM-dd}", touched);
                break;
            case ServiceAgreementStopWithdrawn s:
                UpdateServiceAgreement(s.ServiceAgreementId, sa => sa with { Status = s.Status, StopDate = null }, seq, touched, batch);
                break;
            case ServiceAgreementStopped s:
                UpdateServiceAgreement(s.ServiceAgreementId, sa => sa with { Status = s.Status, StopDate = s.StopDate }, seq, touched, batch);
                break;
            case FieldActivityCreated f:
                _fieldActivities[f.FieldActivityId.Value] = new FieldActivityResponse(
                    f.FieldActivityId.Value, f.PremiseId.Value, f.ServicePointId.Value, f.ServiceAgreementId.Value, f.AccountId.Value,
                    f.Kind, f.ScheduledDate, f.Status, null, null, null, f.OccurredAt);
                break;
            case FieldActivityRescheduled f:
                Update(_fieldActivities, f.FieldActivityId.Value, row => row with { ScheduledDate = f.ScheduledDate });
                break;
            case FieldActivityCompleted f:
                Update(_fieldActivities, f.FieldActivityId.Value, row => row with { Status = f.Status, Read = f.Read, CompletedOn = f.CompletedOn });
                Contact([f.AccountId.Value], e, $"recorded a {f.Kind.ToString().ToLowerInvariant()} read of {f.Read}", touched);
                break;
            case FieldActivityCanceled f:
                Update(_fieldActivities, f.FieldActivityId.Value, row => row with { Status = f.Status });
                break;
            case FieldActivityLinked f:
                Update(_fieldActivities, f.FieldActivityId.Value, row => row with { LinkedFieldActivityId = f.PartnerId.Value });
                break;
            case FieldActivityUnlinked f:
                Update(_fieldActivities, f.FieldActivityId.Value, row => row with { LinkedFieldActivityId = null });
                break;
            case ToDoCreated t:
                SetToDo(new ToDoResponse(
                    t.ToDoId.Value, t.Type, t.Role, t.Status, new ToDoSubjectResponse(t.Subject.Kind, t.Subject.Id), t.Message, t.OccurredAt,
                    t.Priority, t.AccountId?.Value, null, null, null, null), previousRole: null, seq, touched, batch);
                break;
            case ToDoAssigned t:
                UpdateToDo(t.ToDoId, row => row with { Status = t.Status, AssignedTo = t.AssignedTo }, seq, touched, batch);
                break;
            case ToDoForwarded t:
                UpdateToDo(t.ToDoId, row => row with { Status = t.Status, Role = t.Role, AssignedTo = null }, seq, touched, batch);
                break;
            case ToDoCompleted t:
                UpdateToDo(t.ToDoId, row => row with { Status = t.Status, Resolution = t.Resolution, CompletedAt = t.OccurredAt, CompletedBy = t.Actor }, seq, touched, batch);
                break;
            default:
                if (StatusOf(e) is { } change)
                {
                    UpdateServiceAgreement(change.Id, sa => sa with { Status = change.Status }, seq, touched, batch);
                }

                break;
        }
    }

    /// <summary>The SA events that only move its status.</summary>
    private static (ServiceAgreementId Id, ServiceAgreementStatus Status)? StatusOf(DomainEvent e) => e switch
    {
        ServiceAgreementActivated s => (s.ServiceAgreementId, s.Status),
        ServiceAgreementCanceled s => (s.ServiceAgreementId, s.Status),
        ServiceAgreementClosed s => (s.ServiceAgreementId, s.Status),
        ServiceAgreementReactivated s => (s.ServiceAgreementId, s.Status),
        _ => null,
    };

    private void SetServiceAgreement(ServiceAgreementView sa, long seq, HashSet<string> touched, ChangeBatch batch)
    {
        _serviceAgreements[sa.Id] = sa;
        if (_accounts.TryGetValue(sa.AccountId, out var account))
        {
            account.ServiceAgreements.Add(sa.Id);
        }

        touched.Add(sa.AccountId);
        batch.ServiceAgreements[sa.Id] = new ServiceAgreementMessage(sa.AccountId, seq, sa);
    }

    private void UpdateServiceAgreement(ServiceAgreementId id, Func<ServiceAgreementView, ServiceAgreementView> change, long seq, HashSet<string> touched, ChangeBatch batch)
    {
        if (_serviceAgreements.TryGetValue(id.Value, out var sa))
        {
            SetServiceAgreement(change(sa), seq, touched, batch);
        }
    }

    private void SetToDo(ToDoResponse toDo, string? previousRole, long seq, HashSet<string> touched, ChangeBatch batch)
    {
        _toDos[toDo.Id] = toDo;
        if (toDo.AccountId is { } accountId && _accounts.TryGetValue(accountId, out var account))
        {
            if (toDo.Status == ToDoStatus.Complete)
            {
                account.OpenToDos.Remove(toDo.Id);
            }
            else
            {
                account.OpenToDos.Add(toDo.Id);
            }

            touched.Add(accountId);
        }

        batch.ToDos[(toDo.Role, toDo.Id)] = new ToDoMessage(toDo.Role, seq, toDo);
        if (previousRole is not null && !string.Equals(previousRole, toDo.Role, StringComparison.Ordinal))
        {
            // The old role's queue sees it leave: the message carries the To Do with its new role.
            batch.ToDos[(previousRole, toDo.Id)] = new ToDoMessage(previousRole, seq, toDo);
        }
    }

    private void UpdateToDo(ToDoId id, Func<ToDoResponse, ToDoResponse> change, long seq, HashSet<string> touched, ChangeBatch batch)
    {
        if (_toDos.TryGetValue(id.Value, out var toDo))
        {
            SetToDo(change(toDo), toDo.Role, seq, touched, batch);
        }
    }

    /// <summary>Records a person's (not the system's) action on accounts as their last contact.</summary>
    private void Contact(IEnumerable<string> accountIds, DomainEvent e, string what, HashSet<string> touched)
    {
        if (e.Actor.StartsWith("system:", StringComparison.Ordinal))
        {
            return;
        }

        foreach (var accountId in accountIds)
        {
            if (_accounts.TryGetValue(accountId, out var account))
            {
                account.LastContact = new AccountContact(e.OccurredAt, e.Actor, what);
                touched.Add(accountId);
            }
        }
    }

    private void RecomputeAlerts(string accountId, long seq, ChangeBatch batch)
    {
        var alerts = EvaluateAlerts(accountId);
        var previous = _alerts.GetValueOrDefault(accountId) ?? [];
        if (!alerts.SequenceEqual(previous))
        {
            _alerts[accountId] = alerts;
            batch.Alerts[accountId] = new AlertsMessage(accountId, seq, alerts);
        }
    }

    private IReadOnlyList<AccountAlert> EvaluateAlerts(string accountId)
    {
        if (!_accounts.TryGetValue(accountId, out var account))
        {
            return [];
        }

        var serviceAgreements = account.ServiceAgreements.Select(id => _serviceAgreements[id]).ToList();
        var context = new AccountAlertContext(
            accountId,
            [.. account.Persons.Select(id => _persons.GetValueOrDefault(id) is { } p
                ? new AlertPerson(id, p.Name, p.LifeSupport, id == account.MainCustomerId)
                : new AlertPerson(id, id, false, id == account.MainCustomerId))],
            [.. serviceAgreements.Select(s => new AlertServiceAgreement(s.Id, s.PremiseId, s.ServiceType, s.Status, s.StartDate, s.StopDate))],
            [.. serviceAgreements.Where(s => s.Status is not (ServiceAgreementStatus.Canceled or ServiceAgreementStatus.Closed))
                .Select(s => s.PremiseId).Distinct(StringComparer.Ordinal)
                .Select(id => _premises.GetValueOrDefault(id)).OfType<PremiseRow>()
                .Select(p => new AlertPremise(p.Id, p.AddressText, p.LifeSupport))],
            account.OpenToDos.Count,
            account.LastContact);
        return [.. _rules.SelectMany(r => r.Evaluate(context)).OrderByDescending(a => a.Severity).ThenBy(a => a.Code, StringComparer.Ordinal)];
    }

    private HashSet<string> AccountsOf(string personId) => _accountsByPerson.GetValueOrDefault(personId) ?? [];

    private void LinkPerson(AccountRow account, string personId)
    {
        account.Persons.Add(personId);
        if (!_accountsByPerson.TryGetValue(personId, out var accounts))
        {
            _accountsByPerson[personId] = accounts = new HashSet<string>(StringComparer.Ordinal);
        }

        accounts.Add(account.Id);
    }

    private static void Update<T>(Dictionary<string, T> rows, string id, Func<T, T> change)
    {
        if (rows.TryGetValue(id, out var row))
        {
            rows[id] = change(row);
        }
    }

    internal static string FormatAddress(Address a) =>
        string.Join(", ", new[] { a.Line1, a.Line2, a.City, $"{a.State} {a.PostalCode}" }.Where(s => !string.IsNullOrWhiteSpace(s)));

    private sealed record PersonRow(string Id, string Name, string PhoneDigits, bool LifeSupport)
    {
        public static PersonRow Create(string id, string name, string? phone, bool lifeSupport) =>
            new(id, name, new string([.. (phone ?? string.Empty).Where(char.IsAsciiDigit)]), lifeSupport);

        public static PersonRow Unknown(string id) => new(id, string.Empty, string.Empty, false);
    }

    private sealed class AccountRow(string id, string mainCustomerId)
    {
        public string Id { get; } = id;

        public string MainCustomerId { get; set; } = mainCustomerId;

        public HashSet<string> Persons { get; } = new(StringComparer.Ordinal);

        public HashSet<string> ServiceAgreements { get; } = new(StringComparer.Ordinal);

        public HashSet<string> OpenToDos { get; } = new(StringComparer.Ordinal);

        public AccountContact? LastContact { get; set; }
    }

    private sealed record PremiseRow(string Id, string AddressText, bool LifeSupport);

    /// <summary>A batch's changes, the latest per key: when the log is busy, a client gets one message per account, SA and To Do.</summary>
    private sealed class ChangeBatch
    {
        public Dictionary<string, AlertsMessage> Alerts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ServiceAgreementMessage> ServiceAgreements { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Role, string Id), ToDoMessage> ToDos { get; } = [];

        public LiveUpdates ToUpdates() => new([.. Alerts.Values], [.. ServiceAgreements.Values], [.. ToDos.Values]);
    }
}
