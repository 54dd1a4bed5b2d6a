using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Grains.Rules;
using Actors.Grains.State;
using Actors.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

/// <summary>
/// An account: its persons, its SA summary, and the start / stop / transfer orchestrations.
/// <para>
/// Orchestrations call the premise and the SAs in turn. Each step is idempotent and the request is recorded first,
/// with SA ids derived from (account, request id, service type), so a retried request (same Idempotency-Key) redoes
/// only what is missing and creates nothing twice.
/// </para>
/// <para>
/// SAs keep the summary current by posting to the account's inbox stream, delivered to this grain through an
/// implicit subscription rather than by calling it: the account is often in the middle of a call to the very SA,
/// and a call back would deadlock two non-reentrant grains.
/// </para>
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.AccountServiceAgreements)]
public sealed class AccountGrain(
    [PersistentState("account")] IPersistentState<AccountState> state,
    IOptions<UtilityOptions> options,
    BusinessCalendar calendar,
    TimeProvider time,
    ILogger<AccountGrain> logger)
    : DomainGrain<AccountState>(state, time), IAccountGrain
{
    /// <summary>How long a completed request id is remembered for retries.</summary>
    private static readonly TimeSpan s_requestRetention = TimeSpan.FromDays(90);

    protected override string StreamNamespace => StreamNamespaces.Account;

    private AccountId Id => AccountId.Parse(Key);

    private DateOnly Today => calendar.Today(Now);

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        GetStreamProvider(StreamNamespaces.Provider)
            .GetStream<AccountServiceAgreementChanged>(StreamId.Create(StreamNamespaces.AccountServiceAgreements, Key))
            .SubscribeAsync((change, _) => OnServiceAgreementChangedAsync(change));

    // ---- account and persons ---------------------------------------------------------------------------------

    public async Task<AccountSnapshot> CreateAsync(CreateAccount command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate.Actor(actor);
        if (!Enum.IsDefined(command.CustomerClass))
        {
            throw DomainException.Invalid("customerClass", "Unknown customer class.");
        }

        var persons = ValidPersons(command.Persons);
        if (State.Created)
        {
            var same = State.CustomerClass == command.CustomerClass && State.Persons.Count == persons.Count && persons.All(State.Persons.Contains);
            if (!same)
            {
                throw DomainException.Conflict($"Account {Key} already exists with other details.");
            }
        }
        else
        {
            foreach (var person in persons)
            {
                await GrainFactory.GetGrain<IPersonGrain>(person.PersonId.Value).GetAsync();
            }

            State.Created = true;
            State.CustomerClass = command.CustomerClass;
            State.Persons = persons;
            State.Version = 1;
            State.CreatedAt = Now;
            await RaiseAsync(new AccountCreated(Id, State.CustomerClass, MainCustomer.PersonId, [.. persons]), actor);
            await WriteAsync();
        }

        // After the write, so a retry of a creation that failed here still links every person.
        foreach (var person in State.Persons)
        {
            await GrainFactory.GetGrain<IPersonGrain>(person.PersonId.Value).LinkAccountAsync(Id, actor);
        }

        return Snapshot();
    }

    public Task<AccountSnapshot> GetAsync()
    {
        EnsureCreated();
        return Task.FromResult(Snapshot());
    }

    public async Task<AccountSnapshot> UpdateAsync(UpdateAccount command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate.Actor(actor);
        EnsureCreated();
        if (!Enum.IsDefined(command.CustomerClass))
        {
            throw DomainException.Invalid("customerClass", "Unknown customer class.");
        }

        if (command.Version != State.Version)
        {
            throw DomainException.StaleVersion("Account", Key, command.Version, State.Version);
        }

        if (command.CustomerClass == State.CustomerClass)
        {
            return Snapshot();
        }

        var change = new FieldChange("customerClass", State.CustomerClass.ToString(), command.CustomerClass.ToString());
        State.CustomerClass = command.CustomerClass;
        State.Version++;
        await RaiseAsync(new AccountUpdated(Id, State.CustomerClass, State.Version, [change]), actor);
        await WriteAsync();
        return Snapshot();
    }

    public async Task<AccountSnapshot> SetPersonAsync(AccountPerson person, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(person);
        Validate.Actor(actor);
        EnsureCreated();
        var index = State.Persons.FindIndex(p => p.PersonId == person.PersonId);
        var previous = index >= 0 ? State.Persons[index] : null;
        if (previous == person)
        {
            return Snapshot();
        }

        if (previous is { IsMainCustomer: true } && !person.IsMainCustomer)
        {
            throw DomainException.Conflict(
                $"Person {person.PersonId} is the main customer of account {Key}: make another person the main customer first.", "isMainCustomer");
        }

        await GrainFactory.GetGrain<IPersonGrain>(person.PersonId.Value).GetAsync();
        var oldMain = MainCustomer;
        if (person.IsMainCustomer && oldMain.PersonId != person.PersonId)
        {
            // Exactly one main customer: the new one demotes the old one.
            State.Persons[State.Persons.IndexOf(oldMain)] = oldMain with { IsMainCustomer = false };
        }

        if (index >= 0)
        {
            State.Persons[index] = person;
        }
        else
        {
            State.Persons.Add(person);
        }

        State.Version++;
        await RaiseAsync(new AccountPersonSet(Id, person, previous), actor);
        if (person.IsMainCustomer && oldMain.PersonId != person.PersonId)
        {
            await RaiseAsync(new AccountMainCustomerChanged(Id, oldMain.PersonId, person.PersonId), actor);
        }

        await WriteAsync();
        await GrainFactory.GetGrain<IPersonGrain>(person.PersonId.Value).LinkAccountAsync(Id, actor);
        return Snapshot();
    }

    public async Task<AccountSnapshot> RemovePersonAsync(PersonId personId, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        var person = State.Persons.Find(p => p.PersonId == personId);
        if (person is null)
        {
            return Snapshot();
        }

        if (person.IsMainCustomer)
        {
            throw DomainException.Conflict(
                $"Person {personId} is the main customer of account {Key}: an account always has exactly one main customer.", "personId");
        }

        State.Persons.Remove(person);
        State.Version++;
        await RaiseAsync(new AccountPersonRemoved(Id, personId), actor);
        await WriteAsync();
        await GrainFactory.GetGrain<IPersonGrain>(personId.Value).UnlinkAccountAsync(Id, actor);
        return Snapshot();
    }

    // ---- start, stop, transfer -------------------------------------------------------------------------------

    public async Task<StartServiceResult> StartServiceAsync(
        PremiseId premiseId,
        DateOnly startDate,
        IReadOnlyList<ServiceType> serviceTypes,
        string requestId,
        Actor actor,
        bool stopCurrentOccupants = false)
    {
        Validate.Actor(actor);
        EnsureCreated();
        var id = Validate.RequestId(requestId);
        var types = Validate.ServiceTypes(serviceTypes);
        var fingerprint = $"start|{premiseId}|{startDate:yyyy-MM-dd}|{Describe(types)}|{stopCurrentOccupants}";
        if (State.Requests.TryGetValue(id, out var request))
        {
            EnsureSameRequest(id, request, fingerprint);
            if (request.Completed)
            {
                return StartResult(id, request);
            }

            return await CompleteStartAsync(id, request, isNew: false, actor);
        }

        // The back-dating window is checked once, when the request is new: a retry a day later must still complete.
        Validate.NotBeforeWindow(startDate, Today, options.Value.BackdateWindowDays, "startDate");
        request = NewRequest(id, fingerprint, premiseId, startDate, types, stopCurrentOccupants);
        return await CompleteStartAsync(id, request, isNew: true, actor);
    }

    public async Task<StopServiceResult> StopServiceAsync(PremiseId premiseId, DateOnly stopDate, IReadOnlyList<ServiceType>? serviceTypes, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        var types = serviceTypes is null || serviceTypes.Count == 0 ? null : Validate.ServiceTypes(serviceTypes);
        Validate.NotBeforeWindow(stopDate, Today, options.Value.BackdateWindowDays, "stopDate");
        var targets = await StoppableAsync(premiseId, types, actor);
        var stopped = await StopAllAsync(targets.Select(t => t.Id), stopDate, actor);
        await RaiseAsync(new ServiceStopRequested(Id, premiseId, stopDate, [.. stopped.Select(s => s.Id)]), actor);
        await WriteAsync();
        return new StopServiceResult(Id, premiseId, stopDate, stopped);
    }

    public async Task<TransferServiceResult> TransferServiceAsync(
        PremiseId fromPremiseId,
        PremiseId toPremiseId,
        DateOnly date,
        IReadOnlyList<ServiceType>? serviceTypes,
        string requestId,
        Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        var id = Validate.RequestId(requestId);
        if (fromPremiseId == toPremiseId)
        {
            throw DomainException.Invalid("toPremiseId", "A transfer moves service to another premise.");
        }

        var types = serviceTypes is null || serviceTypes.Count == 0 ? null : Validate.ServiceTypes(serviceTypes);
        var fingerprint = $"transfer|{fromPremiseId}|{toPremiseId}|{date:yyyy-MM-dd}|{(types is null ? "*" : Describe(types))}";
        if (State.Requests.TryGetValue(id, out var request))
        {
            EnsureSameRequest(id, request, fingerprint);
            if (request.Completed)
            {
                var stoppedBefore = State.ServiceAgreements.Where(s => request.TransferStopped.Contains(s.Id)).ToList();
                return new TransferServiceResult(new StopServiceResult(Id, fromPremiseId, date, stoppedBefore), StartResult(id, request));
            }
        }
        else
        {
            Validate.NotBeforeWindow(date, Today, options.Value.BackdateWindowDays, "date");
            var stoppable = await StoppableAsync(fromPremiseId, types, actor);
            var startTypes = stoppable.Select(s => s.ServiceType).Distinct().Order().ToList();
            var services = startTypes.Select(t => new RequestedService(t, ServiceAgreementId.For(Id, id, t))).ToList();

            // Refuse before anything changes: the start is checked first, the stop is only made if the start can follow.
            await GrainFactory.GetGrain<IPremiseGrain>(toPremiseId.Value).CheckReservationAsync(new ServiceReservation(id, Id, date, services));
            request = NewRequest(id, fingerprint, toPremiseId, date, startTypes, stopCurrentOccupants: false);
            request.TransferFromPremiseId = fromPremiseId;
            request.TransferStopped = [.. stoppable.Select(s => s.Id)];
            State.Requests[id] = request;
            await WriteAsync();
        }

        var stopped = await StopAllAsync(request.TransferStopped, date, actor);
        await RaiseAsync(new ServiceStopRequested(Id, fromPremiseId, date, [.. stopped.Select(s => s.Id)]), actor);
        var start = await CompleteStartAsync(id, request, isNew: false, actor);
        return new TransferServiceResult(new StopServiceResult(Id, fromPremiseId, date, stopped), start);
    }

    /// <summary>Reserves the premise, creates the SAs, stops the reciprocal occupants, and marks the request done.</summary>
    private async Task<StartServiceResult> CompleteStartAsync(string requestId, StartRequestRecord request, bool isNew, Actor actor)
    {
        if (isNew)
        {
            // Recorded before any other grain hears of it, so a retry with this id but another body is refused.
            State.Requests[requestId] = request;
            await WriteAsync();
        }

        var services = request.ServiceTypes.Select(t => new RequestedService(t, ServiceAgreementId.For(Id, requestId, t))).ToList();
        var premise = GrainFactory.GetGrain<IPremiseGrain>(request.PremiseId.Value);
        IReadOnlyList<ReservedService> reserved;
        try
        {
            reserved = await premise.ReserveAsync(new ServiceReservation(requestId, Id, request.StartDate, services, request.StopCurrentOccupants), actor);
        }
        catch (DomainException) when (isNew)
        {
            // Refused before anything was held: forget the request, so the id can be used again once the cause is fixed.
            State.Requests.Remove(requestId);
            await WriteAsync();
            throw;
        }

        // The SAs are independent of each other: they are created together, and the account takes their summaries in
        // the order of the reservation.
        var created = await Task.WhenAll(reserved.Select(service => GrainFactory.GetGrain<IServiceAgreementGrain>(service.ServiceAgreementId.Value).CreateAsync(
            new CreateServiceAgreement(
                Id,
                request.PremiseId,
                service.ServicePointId,
                service.ServiceType,
                service.Metered,
                request.StartDate,
                requestId,
                service.OccupantsToStop.Count > 0 ? service.OccupantsToStop[0] : null),
            actor)));
        foreach (var snapshot in created)
        {
            await ApplySummaryAsync(Summarize(snapshot), actor);
        }

        var stoppedOccupants = new List<ServiceAgreementId>();
        foreach (var service in reserved)
        {
            foreach (var occupant in service.OccupantsToStop)
            {
                await GrainFactory.GetGrain<IServiceAgreementGrain>(occupant.Value).StopAsync(request.StartDate, actor, requestedBy: service.ServiceAgreementId);
                stoppedOccupants.Add(occupant);
            }
        }

        request.ServiceAgreementIds = [.. reserved.Select(s => s.ServiceAgreementId)];
        request.StoppedOccupants = stoppedOccupants;
        request.Completed = true;
        if (State.FinalBillRequired)
        {
            State.FinalBillRequired = false;
            await RaiseAsync(new AccountFinalBillFlagCleared(Id), actor);
        }

        var result = StartResult(requestId, request);
        await RaiseAsync(new ServiceStartRequested(Id, requestId, request.PremiseId, request.StartDate, result.ServiceAgreements, result.StoppedServiceAgreements), actor);
        PruneRequests();
        await WriteAsync();
        return result;
    }

    /// <summary>
    /// The account's SAs at a premise that can be stopped (active or pending stop), read from the SAs themselves: the
    /// summary may lag an SA by a moment.
    /// </summary>
    private async Task<List<ServiceAgreementSummary>> StoppableAsync(PremiseId premiseId, IReadOnlyList<ServiceType>? types, Actor actor)
    {
        var candidates = State.ServiceAgreements
            .Where(s => s.PremiseId == premiseId && (types is null || types.Contains(s.ServiceType)) && ServiceAgreementLifecycle.IsInService(s.Status))
            .Select(s => s.Id)
            .ToList();
        var stoppable = new List<ServiceAgreementSummary>();
        foreach (var candidate in candidates)
        {
            var current = Summarize(await GrainFactory.GetGrain<IServiceAgreementGrain>(candidate.Value).GetAsync());
            await ApplySummaryAsync(current, actor);
            if (current.Status is ServiceAgreementStatus.Active or ServiceAgreementStatus.PendingStop)
            {
                stoppable.Add(current);
            }
        }

        foreach (var missing in (types ?? []).Where(t => !stoppable.Any(s => s.ServiceType == t)))
        {
            throw DomainException.Conflict($"Account {Key} has no active {missing} service at premise {premiseId}.", "serviceTypes");
        }

        return stoppable.Count > 0
            ? stoppable
            : throw DomainException.Conflict($"Account {Key} has no active service at premise {premiseId} (a pending start is canceled, not stopped).", "premiseId");
    }

    /// <summary>Requests the stop of each SA; an SA already stopping or stopped on that date is left as it is (a retry).</summary>
    private async Task<List<ServiceAgreementSummary>> StopAllAsync(IEnumerable<ServiceAgreementId> ids, DateOnly stopDate, Actor actor)
    {
        var result = new List<ServiceAgreementSummary>();
        foreach (var id in ids)
        {
            var grain = GrainFactory.GetGrain<IServiceAgreementGrain>(id.Value);
            var current = await grain.GetAsync();
            var done = current.StopDate == stopDate && current.Status is not (ServiceAgreementStatus.Active or ServiceAgreementStatus.PendingStart);
            var summary = Summarize(done ? current : await grain.StopAsync(stopDate, actor));
            await ApplySummaryAsync(summary, actor);
            result.Add(summary);
        }

        return result;
    }

    // ---- SA summary ------------------------------------------------------------------------------------------

    /// <summary>The inbox: an SA of this account changed. Never throws for a domain reason, or the inbox would stall.</summary>
    private async Task OnServiceAgreementChangedAsync(AccountServiceAgreementChanged change)
    {
        if (!State.Created)
        {
            Log.SummaryForUnknownAccount(logger, Key, change.ServiceAgreement.Id.Value);
            return;
        }

        if (await ApplySummaryAsync(change.ServiceAgreement, new Actor(change.Actor, change.Reason, change.Comment)))
        {
            await WriteAsync();
        }
    }

    /// <summary>
    /// Takes a newer summary of an SA (older revisions are ignored) and flags the account for a final bill when its
    /// last SA in service stopped. The caller writes.
    /// </summary>
    private async Task<bool> ApplySummaryAsync(ServiceAgreementSummary summary, Actor actor)
    {
        var index = State.ServiceAgreements.FindIndex(s => s.Id == summary.Id);
        if (index >= 0 && State.ServiceAgreements[index].Revision >= summary.Revision)
        {
            return false;
        }

        if (index >= 0)
        {
            State.ServiceAgreements[index] = summary;
        }
        else
        {
            State.ServiceAgreements.Add(summary);
        }

        if (summary.Status == ServiceAgreementStatus.Stopped && !State.FinalBillRequired
            && !State.ServiceAgreements.Any(s => ServiceAgreementLifecycle.IsInService(s.Status)))
        {
            State.FinalBillRequired = true;
            await RaiseAsync(new AccountFlaggedForFinalBill(Id, summary.Id), actor);
        }

        return true;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private AccountPerson MainCustomer => State.Persons.Single(p => p.IsMainCustomer);

    private static List<AccountPerson> ValidPersons(IReadOnlyList<AccountPerson>? persons)
    {
        if (persons is null || persons.Count == 0 || persons.Any(p => p is null))
        {
            throw DomainException.Invalid("persons", "An account needs its persons, one of them the main customer.");
        }

        var mains = persons.Count(p => p.IsMainCustomer);
        if (mains != 1)
        {
            throw DomainException.Invalid("persons", $"An account has exactly one main customer; {mains} were given.");
        }

        if (persons.Select(p => p.PersonId).Distinct().Count() != persons.Count)
        {
            throw DomainException.Invalid("persons", "A person is listed twice.");
        }

        return [.. persons];
    }

    private StartRequestRecord NewRequest(string requestId, string fingerprint, PremiseId premiseId, DateOnly startDate, IReadOnlyList<ServiceType> types, bool stopCurrentOccupants) =>
        new()
        {
            Fingerprint = fingerprint,
            PremiseId = premiseId,
            StartDate = startDate,
            ServiceTypes = [.. types],
            StopCurrentOccupants = stopCurrentOccupants,
            ServiceAgreementIds = [.. types.Select(t => ServiceAgreementId.For(Id, requestId, t))],
            CreatedAt = Now,
        };

    private static void EnsureSameRequest(string requestId, StartRequestRecord request, string fingerprint)
    {
        if (request.Fingerprint != fingerprint)
        {
            throw DomainException.Conflict($"Request id '{requestId}' was already used for a different request.", "requestId");
        }
    }

    private StartServiceResult StartResult(string requestId, StartRequestRecord request) => new(
        requestId,
        Id,
        request.PremiseId,
        request.StartDate,
        [.. request.ServiceAgreementIds.Select(id => State.ServiceAgreements.Find(s => s.Id == id)).OfType<ServiceAgreementSummary>()],
        [.. request.StoppedOccupants]);

    private void PruneRequests()
    {
        var cutoff = Now - s_requestRetention;
        foreach (var old in State.Requests.Where(r => r.Value.Completed && r.Value.CreatedAt < cutoff).Select(r => r.Key).ToList())
        {
            State.Requests.Remove(old);
        }
    }

    private static string Describe(IEnumerable<ServiceType> types) => string.Join(',', types.Order());

    private static ServiceAgreementSummary Summarize(ServiceAgreementSnapshot s) =>
        new(s.Id, s.PremiseId, s.ServicePointId, s.ServiceType, s.Status, s.StartDate, s.StopDate, s.Revision);

    private void EnsureCreated()
    {
        if (!State.Created)
        {
            throw DomainException.NotFound("Account", Key);
        }
    }

    private AccountSnapshot Snapshot() => new(
        Id, State.CustomerClass, [.. State.Persons], [.. State.ServiceAgreements], State.FinalBillRequired, State.Version, State.CreatedAt);
}
