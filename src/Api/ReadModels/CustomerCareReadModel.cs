using System.Collections.Frozen;
using System.Text.Json;
using Actors.Api.Contracts;
using Actors.Grains.Abstractions.Events;
using Actors.Runtime.Storage;
using Actors.Runtime.Streams;

namespace Actors.Api.ReadModels;

/// <summary>
/// The read side the grains cannot answer alone: Control Central search across persons, accounts and premises, and
/// the field activity and To Do lists. Every silo rebuilds it in memory from the outbox at start-up and keeps it
/// current from there (a <see cref="OutboxConsumerScope.NodeReplay"/> consumer), so it needs no table of its own and
/// any silo answers any query. It trails the grains by the outbox's delivery delay: a list may miss a change made a
/// few milliseconds ago; a single entity read goes to its grain and is always current.
/// </summary>
public sealed class CustomerCareReadModel(JsonSerializerOptions jsonOptions) : IOutboxConsumer
{
    private const int MaxResults = 200;

    private static readonly FrozenDictionary<string, Type> s_eventTypes = typeof(DomainEvent).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(DomainEvent)) && !t.IsAbstract)
        .ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PersonRow> _persons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccountRow> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PremiseRow> _premises = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceAgreementRow> _serviceAgreements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FieldActivityResponse> _fieldActivities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ToDoResponse> _toDos = new(StringComparer.Ordinal);
    private long _position;

    public string Name => "read-model:customer-care";

    public OutboxConsumerScope Scope => OutboxConsumerScope.NodeReplay;

    /// <summary>The sequence of the last event applied.</summary>
    public long Position => Volatile.Read(ref _position);

    public Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_lock)
        {
            foreach (var stored in events)
            {
                if (s_eventTypes.TryGetValue(stored.Type, out var type) && !stored.Stream.StartsWith(StreamNamespaces.AccountServiceAgreements + "/", StringComparison.Ordinal))
                {
                    Apply((DomainEvent)JsonSerializer.Deserialize(stored.Payload, type, jsonOptions)!);
                }

                Volatile.Write(ref _position, stored.Seq);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Control Central search: a person's name or phone, an address, or an account, premise or person id. One row per
    /// person, account and premise they connect to (a person with no account, or a premise nobody is on, stands alone).
    /// </summary>
    public IReadOnlyList<SearchResult> Search(string query)
    {
        var text = query.Trim();
        var digits = new string([.. text.Where(char.IsAsciiDigit)]);
        var byPhone = digits.Length >= 3 && text.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '(' or ')' or '+' or '.');
        var results = new List<SearchResult>();
        lock (_lock)
        {
            if (PersonId.TryParse(text, out var personId) && _persons.ContainsKey(personId.Value))
            {
                AddPerson(results, personId.Value);
            }
            else if (AccountId.TryParse(text, out var accountId) && _accounts.TryGetValue(accountId.Value, out var account))
            {
                AddAccount(results, account);
            }
            else if (PremiseId.TryParse(text, out var premiseId) && _premises.TryGetValue(premiseId.Value, out var found))
            {
                AddPremise(results, found);
            }
            else
            {
                foreach (var person in _persons.Values)
                {
                    if (person.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || (byPhone && person.PhoneDigits.Contains(digits, StringComparison.Ordinal)))
                    {
                        AddPerson(results, person.Id);
                    }
                }

                foreach (var premise in _premises.Values.Where(p => p.AddressText.Contains(text, StringComparison.OrdinalIgnoreCase)))
                {
                    AddPremise(results, premise);
                }
            }
        }

        return [.. results.Distinct().Take(MaxResults)];
    }

    public IReadOnlyList<FieldActivityResponse> FieldActivities(PremiseId? premiseId, ServiceAgreementId? serviceAgreementId, FieldActivityStatus? status)
    {
        lock (_lock)
        {
            return [.. _fieldActivities.Values
                .Where(f => (premiseId is null || f.PremiseId == premiseId.Value.Value)
                    && (serviceAgreementId is null || f.ServiceAgreementId == serviceAgreementId.Value.Value)
                    && (status is null || f.Status == status))
                .OrderBy(f => f.ScheduledDate).ThenBy(f => f.Id, StringComparer.Ordinal)
                .Take(MaxResults)];
        }
    }

    public IReadOnlyList<ToDoResponse> ToDos(string? role, ToDoStatus? status, ToDoType? type)
    {
        lock (_lock)
        {
            return [.. _toDos.Values
                .Where(t => (role is null || string.Equals(t.Role, role, StringComparison.OrdinalIgnoreCase))
                    && (status is null || t.Status == status)
                    && (type is null || t.Type == type))
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)
                .Take(MaxResults)];
        }
    }

    private void AddPerson(List<SearchResult> results, string personId)
    {
        var person = _persons[personId];
        var accounts = _accounts.Values.Where(a => a.Persons.Contains(personId)).ToList();
        if (accounts.Count == 0)
        {
            results.Add(new SearchResult(person.Id, person.Name, null, null, null));
        }

        foreach (var account in accounts)
        {
            AddAccountPremises(results, person, account);
        }
    }

    private void AddAccount(List<SearchResult> results, AccountRow account)
    {
        foreach (var personId in account.Persons.OrderByDescending(p => p == account.MainCustomerId))
        {
            AddAccountPremises(results, _persons.GetValueOrDefault(personId) ?? PersonRow.Unknown(personId), account);
        }
    }

    private void AddAccountPremises(List<SearchResult> results, PersonRow person, AccountRow account)
    {
        var premises = PremisesOf(account.Id);
        if (premises.Count == 0)
        {
            results.Add(new SearchResult(person.Id, person.Name, account.Id, null, null));
        }

        results.AddRange(premises.Select(p => new SearchResult(person.Id, person.Name, account.Id, p.Id, p.AddressText)));
    }

    private void AddPremise(List<SearchResult> results, PremiseRow premise)
    {
        var accounts = _serviceAgreements.Values
            .Where(s => s.PremiseId == premise.Id && s.Status != ServiceAgreementStatus.Canceled)
            .Select(s => s.AccountId).Distinct(StringComparer.Ordinal).ToList();
        if (accounts.Count == 0)
        {
            results.Add(new SearchResult(null, null, null, premise.Id, premise.AddressText));
        }

        foreach (var accountId in accounts)
        {
            var main = _accounts.TryGetValue(accountId, out var account) ? _persons.GetValueOrDefault(account.MainCustomerId) : null;
            results.Add(new SearchResult(main?.Id, main?.Name, accountId, premise.Id, premise.AddressText));
        }
    }

    private List<PremiseRow> PremisesOf(string accountId) => [.. _serviceAgreements.Values
        .Where(s => s.AccountId == accountId && s.Status != ServiceAgreementStatus.Canceled)
        .Select(s => s.PremiseId).Distinct(StringComparer.Ordinal)
        .Select(id => _premises.GetValueOrDefault(id)).OfType<PremiseRow>()];

    private void Apply(DomainEvent e)
    {
        switch (e)
        {
            case PersonCreated p:
                _persons[p.PersonId.Value] = PersonRow.Create(p.PersonId.Value, p.Name, p.Phone);
                break;
            case PersonUpdated p:
                _persons[p.PersonId.Value] = PersonRow.Create(p.PersonId.Value, p.Name, p.Phone);
                break;
            case AccountCreated a:
                _accounts[a.AccountId.Value] = new AccountRow(a.AccountId.Value, a.MainCustomerId.Value, [.. a.Persons.Select(p => p.PersonId.Value)]);
                break;
            case AccountPersonSet a when _accounts.TryGetValue(a.AccountId.Value, out var account):
                account.Persons.Add(a.Person.PersonId.Value);
                if (a.Person.IsMainCustomer)
                {
                    _accounts[account.Id] = account with { MainCustomerId = a.Person.PersonId.Value };
                }

                break;
            case AccountPersonRemoved a when _accounts.TryGetValue(a.AccountId.Value, out var account):
                account.Persons.Remove(a.PersonId.Value);
                break;
            case AccountMainCustomerChanged a when _accounts.TryGetValue(a.AccountId.Value, out var account):
                _accounts[account.Id] = account with { MainCustomerId = a.MainCustomerId.Value };
                break;
            case PremiseCreated p:
                _premises[p.PremiseId.Value] = new PremiseRow(p.PremiseId.Value, FormatAddress(p.Address));
                break;
            case ServiceAgreementCreated s:
                _serviceAgreements[s.ServiceAgreementId.Value] = new ServiceAgreementRow(s.AccountId.Value, s.PremiseId.Value, s.Status);
                break;
            case ServiceAgreementCanceled s:
                SetStatus(s.ServiceAgreementId, s.Status);
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
                _toDos[t.ToDoId.Value] = new ToDoResponse(
                    t.ToDoId.Value, t.Type, t.Role, t.Status, new ToDoSubjectResponse(t.Subject.Kind, t.Subject.Id), t.Message, t.OccurredAt,
                    t.Priority, t.AccountId?.Value, null, null, null, null);
                break;
            case ToDoAssigned t:
                Update(_toDos, t.ToDoId.Value, row => row with { Status = t.Status, AssignedTo = t.AssignedTo });
                break;
            case ToDoForwarded t:
                Update(_toDos, t.ToDoId.Value, row => row with { Status = t.Status, Role = t.Role, AssignedTo = null });
                break;
            case ToDoCompleted t:
                Update(_toDos, t.ToDoId.Value, row => row with { Status = t.Status, Resolution = t.Resolution, CompletedAt = t.OccurredAt, CompletedBy = t.Actor });
                break;
            default:
                if (StatusOf(e) is { } change)
                {
                    SetStatus(change.Id, change.Status);
                }

                break;
        }
    }

    /// <summary>The SA events that only move its status.</summary>
    private static (ServiceAgreementId Id, ServiceAgreementStatus Status)? StatusOf(DomainEvent e) => e switch
    {
        ServiceAgreementActivated s => (s.ServiceAgreementId, s.Status),
        ServiceAgreementStopRequested s => (s.ServiceAgreementId, s.Status),
        ServiceAgreementStopWithdrawn s => (s.ServiceAgreementId, s.Status),
        ServiceAgreementStopped s => (s.ServiceAgreementId, s.Status),
        ServiceAgreementClosed s => (s.ServiceAgreementId, s.Status),
        ServiceAgreementReactivated s => (s.ServiceAgreementId, s.Status),
        _ => null,
    };

    private void SetStatus(ServiceAgreementId id, ServiceAgreementStatus status) =>
        Update(_serviceAgreements, id.Value, row => row with { Status = status });

    private static void Update<T>(Dictionary<string, T> rows, string id, Func<T, T> change)
    {
        if (rows.TryGetValue(id, out var row))
        {
            rows[id] = change(row);
        }
    }

    internal static string FormatAddress(Address a) =>
        string.Join(", ", new[] { a.Line1, a.Line2, a.City, $"{a.State} {a.PostalCode}" }.Where(s => !string.IsNullOrWhiteSpace(s)));

    private sealed record PersonRow(string Id, string Name, string PhoneDigits)
    {
        public static PersonRow Create(string id, string name, string? phone) => new(id, name, new string([.. (phone ?? string.Empty).Where(char.IsAsciiDigit)]));

        public static PersonRow Unknown(string id) => new(id, string.Empty, string.Empty);
    }

    private sealed record AccountRow(string Id, string MainCustomerId, HashSet<string> Persons);

    private sealed record PremiseRow(string Id, string AddressText);

    private sealed record ServiceAgreementRow(string AccountId, string PremiseId, ServiceAgreementStatus Status);
}
