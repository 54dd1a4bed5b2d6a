using Actors.Api.Contracts;
using Actors.Api.Live;

namespace Actors.Api.ReadModels;

public sealed partial class CustomerCareReadModel
{
    /// <summary>
    /// Control Central search: a person's name or phone, an address, or an account, premise or person id. One row per
    /// person, account and premise they connect to (a person with no account, or a premise nobody is on, stands alone).
    /// </summary>
    public IReadOnlyList<SearchResult> Search(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
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
            return QueryToDos(role, status, type);
        }
    }

    /// <summary>An account's alerts and the event sequence they are current to.</summary>
    public AlertsMessage Alerts(AccountId accountId)
    {
        lock (_lock)
        {
            return new AlertsMessage(accountId.Value, Position, _alerts.GetValueOrDefault(accountId.Value) ?? []);
        }
    }

    /// <summary>A role's To Dos that are not complete, and the event sequence they are current to.</summary>
    public (long Seq, IReadOnlyList<ToDoResponse> ToDos) OpenToDos(string role)
    {
        lock (_lock)
        {
            return (Position, [.. QueryToDos(role, null, null).Where(t => t.Status != ToDoStatus.Complete)]);
        }
    }

    /// <summary>The event sequence the read model is current to.</summary>
    public long CurrentSeq()
    {
        lock (_lock)
        {
            return Position;
        }
    }

    private List<ToDoResponse> QueryToDos(string? role, ToDoStatus? status, ToDoType? type) => [.. _toDos.Values
        .Where(t => (role is null || string.Equals(t.Role, role, StringComparison.OrdinalIgnoreCase))
            && (status is null || t.Status == status)
            && (type is null || t.Type == type))
        .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)
        .Take(MaxResults)];

    private void AddPerson(List<SearchResult> results, string personId)
    {
        var person = _persons[personId];
        var accounts = AccountsOf(personId);
        if (accounts.Count == 0)
        {
            results.Add(new SearchResult(person.Id, person.Name, null, null, null));
        }

        foreach (var account in accounts.Select(id => _accounts[id]))
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
        var premises = account.ServiceAgreements.Select(id => _serviceAgreements[id])
            .Where(s => s.Status != ServiceAgreementStatus.Canceled)
            .Select(s => s.PremiseId).Distinct(StringComparer.Ordinal)
            .Select(id => _premises.GetValueOrDefault(id)).OfType<PremiseRow>().ToList();
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
}
