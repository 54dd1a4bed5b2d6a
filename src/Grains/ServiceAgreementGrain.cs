using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Grains.Rules;
using Actors.Grains.State;
using Actors.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Actors.Grains.ServiceAgreementReminders;

namespace Actors.Grains;

/// <summary>
/// A service agreement and its lifecycle. Durable one-shot reminders do the batch work at the moment it is due.
/// <para>
/// Every change bumps the SA's revision and, in the same commit, posts the new summary to its account's inbox stream
/// (the account applies it: an SA never calls its account, which may be mid-call to the SA). The follow-ups (tell the
/// premise, withdraw field activities no longer needed, withdraw a reciprocal stop, complete To Dos whose cause
/// cleared) are derived from the state alone, tried at once, and retried when the change comes back from the outbox
/// (<see cref="FollowUpGrain{TState}"/>), so they happen at least once whatever crashes.
/// </para>
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.ServiceAgreement)]
public sealed class ServiceAgreementGrain(
    [PersistentState("sa")] IPersistentState<ServiceAgreementState> state,
    IOptions<UtilityOptions> options,
    BusinessCalendar calendar,
    TimeProvider time,
    ILogger<ServiceAgreementGrain> logger)
    : FollowUpGrain<ServiceAgreementState>(state, time, logger), IServiceAgreementGrain, IRemindable
{
    protected override string StreamNamespace => StreamNamespaces.ServiceAgreement;

    private ServiceAgreementId Id => ServiceAgreementId.Parse(Key);

    private UtilityOptions Options => options.Value;

    private DateOnly Today => calendar.Today(Now);

    // ---- commands --------------------------------------------------------------------------------------------

    public async Task<ServiceAgreementSnapshot> CreateAsync(CreateServiceAgreement command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate.Actor(actor);
        var requestId = Validate.RequestId(command.RequestId);
        if (State.Created)
        {
            var same = State.AccountId == command.AccountId && State.PremiseId == command.PremiseId && State.ServicePointId == command.ServicePointId
                && State.ServiceType == command.ServiceType && State.StartDate == command.StartDate && State.RequestId == requestId
                && State.Metered == command.Metered && State.ReciprocalStopOf == command.ReciprocalStopOf;
            return same ? Snapshot() : throw DomainException.Conflict($"Service agreement {Key} already exists with other details.");
        }

        State.Created = true;
        State.AccountId = command.AccountId;
        State.PremiseId = command.PremiseId;
        State.ServicePointId = command.ServicePointId;
        State.ServiceType = command.ServiceType;
        State.Metered = command.Metered;
        State.StartDate = command.StartDate;
        State.RequestId = requestId;
        State.ReciprocalStopOf = command.ReciprocalStopOf;
        State.Status = ServiceAgreementStatus.PendingStart;
        State.CreatedAt = Now;
        await RaiseAsync(
            new ServiceAgreementCreated(Id, State.AccountId, State.PremiseId, State.ServicePointId, State.ServiceType, State.StartDate, State.Status, State.ReciprocalStopOf),
            actor);
        if (State.Metered)
        {
            await RegisterOrUpdateReminder(FieldActivityStart, calendar.FieldActivityDueAt(State.StartDate, Options.FieldActivityLeadDays, Now));
        }

        await RegisterOrUpdateReminder(Activate, calendar.DueAt(State.StartDate, Now));
        await RegisterOrUpdateReminder(AgedStart, calendar.DueAt(State.StartDate.AddDays(Options.AgedPendingDays), Now));
        await CommitChangeAsync(actor);
        return Snapshot();
    }

    public Task<ServiceAgreementSnapshot> GetAsync()
    {
        EnsureCreated();
        return Task.FromResult(Snapshot());
    }

    public async Task<ServiceAgreementSnapshot> ActivateAsync(Actor actor, long? expectedVersion = null)
    {
        Validate.Actor(actor);
        Validate.Reason(actor);
        EnsureCreated();
        EnsureVersion(expectedVersion);
        ServiceAgreementLifecycle.Transition(Id, State.Status, ServiceAgreementAction.Activate);
        if (Today < State.StartDate)
        {
            throw DomainException.Invalid("startDate", $"Service agreement {Key} starts on {State.StartDate:yyyy-MM-dd}: it cannot be activated before.");
        }

        await ActivateCoreAsync(actor);
        return Snapshot();
    }

    public async Task<ServiceAgreementSnapshot> StopAsync(DateOnly stopDate, Actor actor, ServiceAgreementId? requestedBy = null, long? expectedVersion = null)
    {
        Validate.Actor(actor);
        EnsureCreated();
        EnsureVersion(expectedVersion);
        if (State.Status == ServiceAgreementStatus.PendingStop && State.StopDate == stopDate)
        {
            return Snapshot();
        }

        var next = ServiceAgreementLifecycle.Transition(Id, State.Status, ServiceAgreementAction.RequestStop);
        if (stopDate < State.StartDate)
        {
            throw DomainException.Invalid("stopDate", $"The stop date {stopDate:yyyy-MM-dd} is before the start date {State.StartDate:yyyy-MM-dd}.");
        }

        Validate.NotBeforeWindow(stopDate, Today, Options.BackdateWindowDays, "stopDate");
        var previous = State.StopDate;
        State.Status = next;
        State.StopDate = stopDate;
        State.StopRequestedBy = requestedBy;
        await RaiseAsync(
            new ServiceAgreementStopRequested(Id, State.AccountId, State.PremiseId, State.ServicePointId, State.ServiceType, stopDate, previous, requestedBy, State.Status),
            actor);
        if (State.Metered)
        {
            // A stop field activity already out for another date is moved at once; otherwise it is created at lead time.
            var due = State.StopFieldActivityStatus == FieldActivityStatus.Pending ? Now : calendar.FieldActivityDueAt(stopDate, Options.FieldActivityLeadDays, Now);
            await RegisterOrUpdateReminder(FieldActivityStop, due);
        }

        await RegisterOrUpdateReminder(ServiceAgreementReminders.Finalize, calendar.DueAt(stopDate, Now));
        await RegisterOrUpdateReminder(AgedStop, calendar.DueAt(stopDate.AddDays(Options.AgedPendingDays), Now));
        await CommitChangeAsync(actor);
        return Snapshot();
    }

    public async Task<ServiceAgreementSnapshot> WithdrawStopAsync(Actor actor, ServiceAgreementId? requestedBy = null)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (requestedBy is { } by && (State.Status != ServiceAgreementStatus.PendingStop || State.StopRequestedBy != by))
        {
            return Snapshot();
        }

        State.Status = ServiceAgreementLifecycle.Transition(Id, State.Status, ServiceAgreementAction.WithdrawStop);
        var withdrawn = State.StopDate!.Value;
        State.StopDate = null;
        State.StopRequestedBy = null;
        if (State.StopFieldActivityStatus == FieldActivityStatus.Complete)
        {
            // Its read belonged to the withdrawn stop; a later stop gets a field activity of its own.
            State.StopCycle++;
            State.StopFieldActivityId = null;
            State.StopFieldActivityStatus = null;
            State.StopFieldActivityDate = null;
            State.StopRead = null;
            State.StopReadOn = null;
        }

        await RaiseAsync(new ServiceAgreementStopWithdrawn(Id, State.AccountId, State.PremiseId, withdrawn, State.Status), actor);
        await UnregisterIfPresentAsync(FieldActivityStop, ServiceAgreementReminders.Finalize, AgedStop);
        await CommitChangeAsync(actor);
        return Snapshot();
    }

    public async Task<ServiceAgreementSnapshot> CancelAsync(Actor actor, long? expectedVersion = null)
    {
        Validate.Actor(actor);
        Validate.Reason(actor);
        EnsureCreated();
        EnsureVersion(expectedVersion);
        if (State.Status == ServiceAgreementStatus.Canceled)
        {
            return Snapshot();
        }

        var previous = State.Status;
        var next = ServiceAgreementLifecycle.Transition(Id, previous, ServiceAgreementAction.Cancel);
        if (previous != ServiceAgreementStatus.PendingStart && State.FinancialTransactions.Any(t => !t.Canceled))
        {
            throw DomainException.Conflict(
                $"Service agreement {Key} has financial transactions that are not canceled: cancel its bills, payments and adjustments first.");
        }

        State.Status = next;
        State.CanceledAt = Now;
        await RaiseAsync(new ServiceAgreementCanceled(Id, State.AccountId, State.PremiseId, State.ServiceType, previous, State.Status), actor);
        await UnregisterIfPresentAsync(FieldActivityStart, Activate, AgedStart, FieldActivityStop, ServiceAgreementReminders.Finalize, AgedStop);
        await CommitChangeAsync(actor);
        return Snapshot();
    }

    public async Task<ServiceAgreementSnapshot> FieldActivityCompletedAsync(FieldActivityId fieldActivityId, FieldActivityKind kind, decimal read, DateOnly completedOn, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (kind == FieldActivityKind.Start)
        {
            if (fieldActivityId != StartFieldActivityId || State.StartRead is not null || State.Status == ServiceAgreementStatus.Canceled)
            {
                return Snapshot();
            }

            State.StartFieldActivityId = fieldActivityId;
            State.StartFieldActivityStatus = FieldActivityStatus.Complete;
            State.StartRead = read;
            State.StartReadOn = completedOn;
            await RaiseAsync(new ServiceAgreementReadRecorded(Id, State.AccountId, State.PremiseId, fieldActivityId, kind, read, completedOn), actor);
            if (State.Status == ServiceAgreementStatus.PendingStart && Today >= State.StartDate)
            {
                await ActivateCoreAsync(actor);
            }
            else
            {
                await WriteAsync();
            }
        }
        else
        {
            if (fieldActivityId != StopFieldActivityId || State.StopRead is not null || State.Status != ServiceAgreementStatus.PendingStop)
            {
                return Snapshot();
            }

            State.StopFieldActivityId = fieldActivityId;
            State.StopFieldActivityStatus = FieldActivityStatus.Complete;
            State.StopRead = read;
            State.StopReadOn = completedOn;
            await RaiseAsync(new ServiceAgreementReadRecorded(Id, State.AccountId, State.PremiseId, fieldActivityId, kind, read, completedOn), actor);
            if (State.StopDate <= Today)
            {
                await FinalizeCoreAsync(actor);
            }
            else
            {
                await WriteAsync();
            }
        }

        return Snapshot();
    }

    public async Task<ServiceAgreementSnapshot> FieldActivityCanceledAsync(FieldActivityId fieldActivityId, FieldActivityKind kind, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (kind == FieldActivityKind.Start && fieldActivityId == State.StartFieldActivityId && State.StartFieldActivityStatus == FieldActivityStatus.Pending)
        {
            State.StartFieldActivityStatus = FieldActivityStatus.Canceled;
            await WriteAsync();
        }
        else if (kind == FieldActivityKind.Stop && fieldActivityId == State.StopFieldActivityId && State.StopFieldActivityStatus == FieldActivityStatus.Pending)
        {
            State.StopFieldActivityStatus = FieldActivityStatus.Canceled;
            await WriteAsync();
        }

        return Snapshot();
    }

    public async Task<ServiceAgreementSnapshot> RecordFinancialTransactionAsync(FinancialTransaction transaction, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Validate.Actor(actor);
        EnsureCreated();
        var transactionId = Validate.Required(transaction.TransactionId, "transactionId", 100);
        if (!Enum.IsDefined(transaction.Kind))
        {
            throw DomainException.Invalid("kind", "Unknown financial transaction kind.");
        }

        if (State.Status is ServiceAgreementStatus.PendingStart or ServiceAgreementStatus.Canceled)
        {
            throw DomainException.IllegalTransition("Service agreement", Key, State.Status.ToString(), "given financial transactions");
        }

        if (State.FinancialTransactions.Find(t => t.TransactionId == transactionId) is { } existing)
        {
            return existing.Kind == transaction.Kind && existing.Amount == transaction.Amount
                ? Snapshot()
                : throw DomainException.Conflict($"Financial transaction {transactionId} was recorded with other details.", "transactionId");
        }

        State.FinancialTransactions.Add(new FinancialTransactionInfo(transactionId, transaction.Kind, transaction.Amount, Canceled: false, Now));
        await RaiseAsync(new FinancialTransactionRecorded(Id, State.AccountId, transactionId, transaction.Kind, transaction.Amount, Balance()), actor);
        var statusChanged = false;
        if (State.Status == ServiceAgreementStatus.Closed)
        {
            State.Status = ServiceAgreementLifecycle.Transition(Id, State.Status, ServiceAgreementAction.Reactivate);
            await RaiseAsync(new ServiceAgreementReactivated(Id, State.AccountId, State.PremiseId, transactionId, State.Status), actor);
            statusChanged = true;
        }

        statusChanged |= await CloseIfSettledAsync(actor);
        await CommitAsync(statusChanged, actor);
        return Snapshot();
    }

    public async Task<ServiceAgreementSnapshot> CancelFinancialTransactionAsync(string transactionId, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        var index = State.FinancialTransactions.FindIndex(t => t.TransactionId == transactionId);
        if (index < 0)
        {
            throw DomainException.NotFound("Financial transaction", transactionId);
        }

        if (State.FinancialTransactions[index].Canceled)
        {
            return Snapshot();
        }

        State.FinancialTransactions[index] = State.FinancialTransactions[index] with { Canceled = true };
        await RaiseAsync(new FinancialTransactionCanceled(Id, State.AccountId, transactionId, Balance()), actor);
        var statusChanged = await CloseIfSettledAsync(actor);
        await CommitAsync(statusChanged, actor);
        return Snapshot();
    }

    // ---- reminders -------------------------------------------------------------------------------------------

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!State.Created)
        {
            return;
        }

        var actor = Actor.System(reminderName);
        switch (reminderName)
        {
            case FieldActivityStart:
                await EnsureFieldActivityAsync(FieldActivityKind.Start, actor);
                break;
            case FieldActivityStop:
                await EnsureFieldActivityAsync(FieldActivityKind.Stop, actor);
                break;
            case Activate:
                await ActivationDueAsync(actor);
                break;
            case ServiceAgreementReminders.Finalize:
                await FinalizationDueAsync(actor);
                break;
            case AgedStart:
                await AgedAsync(ToDoType.AgedPendingStart, actor);
                break;
            case AgedStop:
                await AgedAsync(ToDoType.AgedPendingStop, actor);
                break;
            case FollowUpReminder:
                await FollowUpByReminderAsync();
                break;
            default:
                Log.UnknownReminder(logger, "service agreement", Key, reminderName);
                break;
        }
    }

    /// <summary>Creates (or moves) the start or stop field activity when the SA still needs it.</summary>
    private async Task EnsureFieldActivityAsync(FieldActivityKind kind, Actor actor)
    {
        if (!State.Metered)
        {
            return;
        }

        DateOnly date;
        if (kind == FieldActivityKind.Start)
        {
            if (State.Status != ServiceAgreementStatus.PendingStart || State.StartFieldActivityStatus is not null)
            {
                return;
            }

            date = State.StartDate;
        }
        else
        {
            if (State.Status != ServiceAgreementStatus.PendingStop || State.StopDate is not { } stopDate
                || State.StopFieldActivityStatus == FieldActivityStatus.Complete
                || (State.StopFieldActivityStatus == FieldActivityStatus.Pending && State.StopFieldActivityDate == stopDate))
            {
                return;
            }

            date = stopDate;
        }

        var id = kind == FieldActivityKind.Start ? StartFieldActivityId : StopFieldActivityId;
        var activity = await GrainFactory.GetGrain<IFieldActivityGrain>(id.Value)
            .CreateAsync(new CreateFieldActivity(Id, State.AccountId, State.PremiseId, State.ServicePointId, kind, date), actor);
        if (kind == FieldActivityKind.Start)
        {
            State.StartFieldActivityId = id;
            State.StartFieldActivityStatus = activity.Status;
        }
        else
        {
            State.StopFieldActivityId = id;
            State.StopFieldActivityStatus = activity.Status;
            State.StopFieldActivityDate = date;
        }

        await WriteAsync();
    }

    private async Task ActivationDueAsync(Actor actor)
    {
        if (State.Status != ServiceAgreementStatus.PendingStart || Today < State.StartDate)
        {
            return;
        }

        if (!State.Metered || State.StartRead is not null)
        {
            await ActivateCoreAsync(actor);
            return;
        }

        var missing = State.StartFieldActivityStatus switch
        {
            null => "its start field activity has not been created",
            FieldActivityStatus.Canceled => $"its start field activity {State.StartFieldActivityId} was canceled",
            _ => $"its start field activity {State.StartFieldActivityId} is not complete, so there is no start read",
        };
        var toDoId = await RaiseToDoAsync(
            ToDoType.ActivationException,
            "activation",
            ToDoPriority.High,
            $"Service agreement {Key} ({State.ServiceType}) could not activate on its start date {State.StartDate:yyyy-MM-dd}: {missing}.",
            actor);
        if (toDoId is { } raised)
        {
            await RaiseAsync(new ServiceAgreementActivationDelayed(Id, State.AccountId, State.PremiseId, raised, missing), actor);
            await WriteAsync();
            Log.ActivationDelayed(logger, Key, missing);
        }
    }

    private async Task FinalizationDueAsync(Actor actor)
    {
        if (State.Status != ServiceAgreementStatus.PendingStop || State.StopDate is not { } stopDate || Today < stopDate)
        {
            return;
        }

        if (!State.Metered || State.StopRead is not null)
        {
            await FinalizeCoreAsync(actor);
            return;
        }

        var missing = State.StopFieldActivityStatus switch
        {
            null => "its stop field activity has not been created",
            FieldActivityStatus.Canceled => $"its stop field activity {State.StopFieldActivityId} was canceled",
            _ => $"its stop field activity {State.StopFieldActivityId} is not complete, so there is no stop read",
        };
        var toDoId = await RaiseToDoAsync(
            ToDoType.FinalizationException,
            "finalization",
            ToDoPriority.High,
            $"Service agreement {Key} ({State.ServiceType}) could not be stopped on its stop date {stopDate:yyyy-MM-dd}: {missing}.",
            actor);
        if (toDoId is { } raised)
        {
            await RaiseAsync(new ServiceAgreementFinalizationDelayed(Id, State.AccountId, State.PremiseId, raised, missing), actor);
            await WriteAsync();
        }
    }

    private async Task AgedAsync(ToDoType type, Actor actor)
    {
        var days = Options.AgedPendingDays;
        var (pending, date, cause, what) = type == ToDoType.AgedPendingStart
            ? (State.Status == ServiceAgreementStatus.PendingStart, (DateOnly?)State.StartDate, "aged-start", "start")
            : (State.Status == ServiceAgreementStatus.PendingStop, State.StopDate, "aged-stop", "stop");
        if (!pending || date is not { } due || Today < due.AddDays(days))
        {
            return;
        }

        var raised = await RaiseToDoAsync(
            type,
            cause,
            ToDoPriority.Normal,
            $"Service agreement {Key} ({State.ServiceType}) is still pending {what} {days} days after its {what} date {due:yyyy-MM-dd}.",
            actor);
        if (raised is not null)
        {
            await WriteAsync();
        }
    }

    // ---- transitions -----------------------------------------------------------------------------------------

    private async Task ActivateCoreAsync(Actor actor)
    {
        State.Status = ServiceAgreementLifecycle.Transition(Id, State.Status, ServiceAgreementAction.Activate);
        State.ActivatedAt = Now;
        await RaiseAsync(
            new ServiceAgreementActivated(Id, State.AccountId, State.PremiseId, State.ServicePointId, State.ServiceType, State.StartDate, State.StartRead, State.Status),
            actor);
        await UnregisterIfPresentAsync(FieldActivityStart, Activate, AgedStart);
        await CommitChangeAsync(actor);
        Log.Activated(logger, Key, actor.User);
    }

    private async Task FinalizeCoreAsync(Actor actor)
    {
        State.Status = ServiceAgreementLifecycle.Transition(Id, State.Status, ServiceAgreementAction.Finalize);
        State.StoppedAt = Now;
        await RaiseAsync(
            new ServiceAgreementStopped(Id, State.AccountId, State.PremiseId, State.ServicePointId, State.ServiceType, State.StopDate!.Value, State.StopRead, State.Status),
            actor);
        await UnregisterIfPresentAsync(FieldActivityStop, ServiceAgreementReminders.Finalize, AgedStop);
        await CommitChangeAsync(actor);
    }

    private async Task<bool> CloseIfSettledAsync(Actor actor)
    {
        if (State.Status is not (ServiceAgreementStatus.Stopped or ServiceAgreementStatus.Reactivated) || !Balance().IsZero)
        {
            return false;
        }

        State.Status = ServiceAgreementLifecycle.Transition(Id, State.Status, ServiceAgreementAction.Close);
        await RaiseAsync(new ServiceAgreementClosed(Id, State.AccountId, State.PremiseId, State.Status), actor);
        return true;
    }

    private Task CommitAsync(bool statusChanged, Actor actor) => statusChanged ? CommitChangeAsync(actor) : WriteAsync();

    /// <summary>
    /// Commits a change others must hear of: a new revision and the summary posted to the account's inbox go in the
    /// same write as the state; then the follow-ups are tried at once.
    /// </summary>
    private async Task CommitChangeAsync(Actor actor)
    {
        State.Revision++;
        await RaiseOnAsync(
            StreamId.Create(StreamNamespaces.AccountServiceAgreements, State.AccountId.Value),
            new AccountServiceAgreementChanged(State.AccountId, Summary()),
            actor);
        await WriteChangeAsync(actor);
    }

    /// <summary>Tells the premise, withdraws field activities no longer needed and a reciprocal stop, completes To Dos whose cause cleared.</summary>
    protected override async Task FollowUpCoreAsync(Actor actor)
    {
        await GrainFactory.GetGrain<IPremiseGrain>(State.PremiseId.Value).UpdateOccupancyAsync(
            State.ServicePointId,
            new ServicePointOccupancy(Id, State.AccountId, State.Status, State.StartDate, State.StopDate, State.Revision));
        var changed = false;
        if (State.Status == ServiceAgreementStatus.Canceled && State.StartFieldActivityStatus == FieldActivityStatus.Pending)
        {
            var activity = await GrainFactory.GetGrain<IFieldActivityGrain>(StartFieldActivityId.Value).WithdrawAsync(actor);
            State.StartFieldActivityStatus = activity.Status;
            changed = true;
        }

        if (State.Status is ServiceAgreementStatus.Active or ServiceAgreementStatus.Canceled && State.StopFieldActivityStatus == FieldActivityStatus.Pending)
        {
            var activity = await GrainFactory.GetGrain<IFieldActivityGrain>(StopFieldActivityId.Value).WithdrawAsync(actor);
            State.StopFieldActivityStatus = activity.Status;
            changed = true;
        }

        if (State.Status == ServiceAgreementStatus.Canceled && State.ReciprocalStopOf is { } outgoing && !State.ReciprocalStopWithdrawn)
        {
            await GrainFactory.GetGrain<IServiceAgreementGrain>(outgoing.Value).WithdrawStopAsync(actor, requestedBy: Id);
            State.ReciprocalStopWithdrawn = true;
            changed = true;
        }

        var today = Today;
        foreach (var toDo in State.ToDos.Where(t => !t.Resolved && ToDoCauses.IsCleared(t.Type, State.Status, State.StopDate, today, Options.AgedPendingDays)))
        {
            await GrainFactory.GetGrain<IToDoGrain>(toDo.Id.Value).ResolveAsync($"Cleared: service agreement {Key} is {State.Status}.", actor);
            toDo.Resolved = true;
            changed = true;
        }

        if (changed)
        {
            await WriteAsync();
        }
    }

    /// <summary>Creates the To Do for <paramref name="cause"/> unless it is already open; returns its id when created (or reopened).</summary>
    private async Task<ToDoId?> RaiseToDoAsync(ToDoType type, string cause, ToDoPriority priority, string message, Actor actor)
    {
        var id = ToDoId.For(Id, cause);
        var known = State.ToDos.Find(t => t.Id == id);
        if (known is { Resolved: false })
        {
            return null;
        }

        await GrainFactory.GetGrain<IToDoGrain>(id.Value)
            .CreateAsync(new CreateToDo(type, ToDoSubject.ServiceAgreement(Id), message, Role: null, priority, State.AccountId), actor);
        if (known is null)
        {
            State.ToDos.Add(new SystemToDo { Id = id, Type = type });
        }
        else
        {
            known.Resolved = false;
        }

        return id;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private FieldActivityId StartFieldActivityId => FieldActivityId.For(Id, FieldActivityKind.Start);

    /// <summary>The stop field activity of the current stop: the first stop's is FA-…-stop, later ones FA-…-stop-2, -3…</summary>
    private FieldActivityId StopFieldActivityId => State.StopCycle == 0
        ? FieldActivityId.For(Id, FieldActivityKind.Stop)
        : FieldActivityId.Parse($"{FieldActivityId.For(Id, FieldActivityKind.Stop).Value}-{State.StopCycle + 1}");

    private Money Balance() => new(State.FinancialTransactions.Where(t => !t.Canceled).Sum(t => t.Amount.Amount));

    private void EnsureCreated()
    {
        if (!State.Created)
        {
            throw DomainException.NotFound("Service agreement", Key);
        }
    }

    private void EnsureVersion(long? expectedVersion)
    {
        if (expectedVersion is { } expected && expected != State.Revision)
        {
            throw DomainException.StaleVersion("Service agreement", Key, expected, State.Revision);
        }
    }

    private ServiceAgreementSummary Summary() =>
        new(Id, State.PremiseId, State.ServicePointId, State.ServiceType, State.Status, State.StartDate, State.StopDate, State.Revision);

    private ServiceAgreementSnapshot Snapshot() => new(
        Id,
        State.AccountId,
        State.PremiseId,
        State.ServicePointId,
        State.ServiceType,
        State.Metered,
        State.Status,
        State.StartDate,
        State.StopDate,
        State.StartRead,
        State.StartReadOn,
        State.StopRead,
        State.StopReadOn,
        State.StartFieldActivityStatus is null ? null : State.StartFieldActivityId,
        State.StopFieldActivityStatus is null ? null : State.StopFieldActivityId,
        State.ReciprocalStopOf,
        State.StopRequestedBy,
        [.. State.ToDos.Select(t => t.Id)],
        Balance(),
        [.. State.FinancialTransactions],
        State.Revision,
        State.CreatedAt,
        State.ActivatedAt,
        State.StoppedAt,
        State.CanceledAt);
}
