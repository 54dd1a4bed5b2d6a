namespace Actors.Api.Live;

/// <summary>How urgent an alert is; the dashboard styles the alert zone by it.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>One line of an account's Control Central alert zone.</summary>
public sealed record AccountAlert(string Code, string Message, AlertSeverity Severity);

/// <summary>What the alert rules see of an account: its persons, its SAs and their premises, its To Dos, its last contact.</summary>
public sealed record AccountAlertContext(
    string AccountId,
    IReadOnlyList<AlertPerson> Persons,
    IReadOnlyList<AlertServiceAgreement> ServiceAgreements,
    IReadOnlyList<AlertPremise> Premises,
    int OpenToDos,
    AccountContact? LastContact);

public sealed record AlertPerson(string Id, string Name, bool LifeSupport, bool IsMainCustomer);

public sealed record AlertServiceAgreement(string Id, string PremiseId, ServiceType ServiceType, ServiceAgreementStatus Status, DateOnly StartDate, DateOnly? StopDate);

public sealed record AlertPremise(string Id, string Address, bool LifeSupport);

/// <summary>
/// The last time someone (a CSR, or the customer) acted on the account, until customer contacts of their own exist:
/// when, who, and what they did.
/// </summary>
public sealed record AccountContact(DateTimeOffset At, string Actor, string What);

/// <summary>
/// One kind of alert. Rules are pure functions of the account's state, evaluated whenever an event touching the
/// account commits; later capabilities (cash-only, credit rating, budget, auto-pay, pay plans, collections) add rules
/// to the same list.
/// </summary>
public interface IAccountAlertRule
{
    IEnumerable<AccountAlert> Evaluate(AccountAlertContext account);
}

/// <summary>The alert rules of start and stop service, customers and To Dos.</summary>
public static class AlertRules
{
    public const string PendingStart = "PENDING_START";
    public const string PendingStop = "PENDING_STOP";
    public const string StoppedServiceAgreement = "STOPPED_SA";
    public const string LifeSupportPerson = "LIFE_SUPPORT_PERSON";
    public const string LifeSupportPremise = "LIFE_SUPPORT_PREMISE";
    public const string OpenToDos = "OPEN_TODOS";
    public const string LastContact = "LAST_CONTACT";

    public static IServiceCollection AddAccountAlertRules(this IServiceCollection services)
    {
        services.AddSingleton<IAccountAlertRule, PendingStartRule>();
        services.AddSingleton<IAccountAlertRule, PendingStopRule>();
        services.AddSingleton<IAccountAlertRule, StoppedRule>();
        services.AddSingleton<IAccountAlertRule, LifeSupportPersonRule>();
        services.AddSingleton<IAccountAlertRule, LifeSupportPremiseRule>();
        services.AddSingleton<IAccountAlertRule, OpenToDosRule>();
        services.AddSingleton<IAccountAlertRule, LastContactRule>();
        return services;
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string List(IEnumerable<string> items) => string.Join(", ", items);

    private static string Plural(int count, string one, string many) => count == 1 ? one : many;

    private sealed class PendingStartRule : IAccountAlertRule
    {
        public IEnumerable<AccountAlert> Evaluate(AccountAlertContext account)
        {
            var pending = account.ServiceAgreements.Where(s => s.Status == ServiceAgreementStatus.PendingStart).OrderBy(s => s.StartDate).ThenBy(s => s.ServiceType).ToList();
            if (pending.Count > 0)
            {
                yield return new(PendingStart, $"Pending start: {List(pending.Select(s => $"{s.ServiceType} from {Date(s.StartDate)}"))}", AlertSeverity.Warning);
            }
        }
    }

    private sealed class PendingStopRule : IAccountAlertRule
    {
        public IEnumerable<AccountAlert> Evaluate(AccountAlertContext account)
        {
            var pending = account.ServiceAgreements.Where(s => s.Status == ServiceAgreementStatus.PendingStop).OrderBy(s => s.StopDate).ThenBy(s => s.ServiceType).ToList();
            if (pending.Count > 0)
            {
                yield return new(PendingStop, $"Pending stop: {List(pending.Select(s => $"{s.ServiceType} on {Date(s.StopDate!.Value)}"))}", AlertSeverity.Warning);
            }
        }
    }

    private sealed class StoppedRule : IAccountAlertRule
    {
        public IEnumerable<AccountAlert> Evaluate(AccountAlertContext account)
        {
            var stopped = account.ServiceAgreements.Where(s => s.Status == ServiceAgreementStatus.Stopped).OrderBy(s => s.StopDate).ThenBy(s => s.ServiceType).ToList();
            if (stopped.Count > 0)
            {
                yield return new(
                    StoppedServiceAgreement,
                    $"{stopped.Count} stopped {Plural(stopped.Count, "service agreement", "service agreements")}: {List(stopped.Select(s => $"{s.ServiceType} since {Date(s.StopDate!.Value)}"))}",
                    AlertSeverity.Info);
            }
        }
    }

    private sealed class LifeSupportPersonRule : IAccountAlertRule
    {
        public IEnumerable<AccountAlert> Evaluate(AccountAlertContext account)
        {
            var persons = account.Persons.Where(p => p.LifeSupport).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            if (persons.Count > 0)
            {
                yield return new(LifeSupportPerson, $"Life support / sensitive load: {List(persons.Select(p => p.Name))}", AlertSeverity.Critical);
            }
        }
    }

    private sealed class LifeSupportPremiseRule : IAccountAlertRule
    {
        public IEnumerable<AccountAlert> Evaluate(AccountAlertContext account)
        {
            var premises = account.Premises.Where(p => p.LifeSupport).OrderBy(p => p.Address, StringComparer.Ordinal).ToList();
            if (premises.Count > 0)
            {
                yield return new(LifeSupportPremise, $"Life support / sensitive load at {List(premises.Select(p => p.Address))}", AlertSeverity.Critical);
            }
        }
    }

    private sealed class OpenToDosRule : IAccountAlertRule
    {
        public IEnumerable<AccountAlert> Evaluate(AccountAlertContext account)
        {
            if (account.OpenToDos > 0)
            {
                yield return new(OpenToDos, $"{account.OpenToDos} open To Do {Plural(account.OpenToDos, "entry", "entries")}", AlertSeverity.Warning);
            }
        }
    }

    private sealed class LastContactRule : IAccountAlertRule
    {
        public IEnumerable<AccountAlert> Evaluate(AccountAlertContext account)
        {
            if (account.LastContact is { } contact)
            {
                yield return new(LastContact, $"Last contact {contact.At.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {contact.Actor}: {contact.What}", AlertSeverity.Info);
            }
        }
    }
}
