using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Grains.Rules;
using Actors.Grains.State;
using Actors.Runtime;
using Microsoft.Extensions.Logging;

namespace Actors.Grains;

/// <summary>
/// A field activity. Completing or canceling it has follow-ups in other grains (its SA, its back-to-back partner,
/// the premise's pairing list): they are tried at once and retried when the change comes back from the outbox
/// (<see cref="FollowUpGrain{TState}"/>), so they happen at least once even if a call fails or the node dies. Every
/// follow-up is idempotent.
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.FieldActivity)]
public sealed class FieldActivityGrain(
    [PersistentState("fa")] IPersistentState<FieldActivityState> state,
    BusinessCalendar calendar,
    TimeProvider time,
    ILogger<FieldActivityGrain> logger)
    : FollowUpGrain<FieldActivityState>(state, time, logger), IFieldActivityGrain, IRemindable
{
    protected override string StreamNamespace => StreamNamespaces.FieldActivity;

    private FieldActivityId Id => FieldActivityId.Parse(Key);

    public async Task<FieldActivitySnapshot> CreateAsync(CreateFieldActivity command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate.Actor(actor);
        if (!State.Created)
        {
            State.Created = true;
            State.ServiceAgreementId = command.ServiceAgreementId;
            State.AccountId = command.AccountId;
            State.PremiseId = command.PremiseId;
            State.ServicePointId = command.ServicePointId;
            State.Kind = command.Kind;
            State.ScheduledDate = command.ScheduledDate;
            State.Status = FieldActivityStatus.Pending;
            State.CreatedAt = Now;
            await RaiseAsync(Created(), actor);
            await WriteAsync();
        }
        else if (command.ServiceAgreementId != State.ServiceAgreementId || command.Kind != State.Kind || command.ServicePointId != State.ServicePointId)
        {
            throw DomainException.Conflict($"Field activity {Key} belongs to SA {State.ServiceAgreementId} ({State.Kind}).");
        }
        else if (State.Status == FieldActivityStatus.Canceled)
        {
            State.Status = FieldActivityStatus.Pending;
            State.CanceledByUser = false;
            State.ScheduledDate = command.ScheduledDate;
            State.Partner = null;
            State.PartnerComplete = false;
            await RaiseAsync(Created(), actor);
            await WriteAsync();
        }
        else if (State.Status == FieldActivityStatus.Pending && State.ScheduledDate != command.ScheduledDate)
        {
            var previous = State.ScheduledDate;
            State.ScheduledDate = command.ScheduledDate;
            await RaiseAsync(new FieldActivityRescheduled(Id, State.ServiceAgreementId, State.AccountId, State.PremiseId, previous, command.ScheduledDate), actor);
            await WriteAsync();
        }

        if (State.Status == FieldActivityStatus.Pending)
        {
            await PairAsync(actor);
        }

        return Snapshot();
    }

    public Task<FieldActivitySnapshot> GetAsync()
    {
        EnsureCreated();
        return Task.FromResult(Snapshot());
    }

    public async Task<FieldActivitySnapshot> CompleteAsync(decimal read, DateOnly completedOn, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        ValidateRead(read, completedOn);
        switch (State.Status)
        {
            case FieldActivityStatus.Canceled:
                throw DomainException.IllegalTransition("Field activity", Key, State.Status.ToString(), "completed");
            case FieldActivityStatus.Complete when State.Read == read:
                return Snapshot();
            case FieldActivityStatus.Complete:
                throw DomainException.Conflict($"Field activity {Key} was completed with read {State.Read} on {State.CompletedOn:yyyy-MM-dd}.", "read");
        }

        await CompleteCoreAsync(read, completedOn, completedWith: null, actor);
        return Snapshot();
    }

    public async Task<FieldActivitySnapshot> CompleteLinkedAsync(FieldActivityId partnerId, decimal read, DateOnly completedOn, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (State.Status == FieldActivityStatus.Canceled)
        {
            return Snapshot();
        }

        if (State.Status == FieldActivityStatus.Complete)
        {
            // Both halves were completed on their own: the partner is done, so our follow-up must not call it.
            if (State.Partner == partnerId && !State.PartnerComplete)
            {
                State.PartnerComplete = true;
                await WriteAsync();
            }

            return Snapshot();
        }

        State.Partner = partnerId;
        State.PartnerComplete = true;
        await CompleteCoreAsync(read, completedOn, partnerId, actor);
        return Snapshot();
    }

    public async Task<FieldActivitySnapshot> CancelAsync(Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (State.Status == FieldActivityStatus.Complete)
        {
            throw DomainException.IllegalTransition("Field activity", Key, State.Status.ToString(), "canceled");
        }

        if (State.Status == FieldActivityStatus.Pending)
        {
            await CancelCoreAsync(byUser: true, actor);
        }

        return Snapshot();
    }

    public async Task<FieldActivitySnapshot> WithdrawAsync(Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (State.Status == FieldActivityStatus.Pending)
        {
            await CancelCoreAsync(byUser: false, actor);
        }

        return Snapshot();
    }

    public async Task LinkAsync(FieldActivityId partnerId, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (State.Partner == partnerId || State.Status != FieldActivityStatus.Pending)
        {
            return;
        }

        State.Partner = partnerId;
        State.PartnerComplete = false;
        await RaiseAsync(new FieldActivityLinked(Id, partnerId, State.ServiceAgreementId, State.PremiseId), actor);
        await WriteAsync();
    }

    public async Task UnlinkAsync(FieldActivityId partnerId, Actor actor)
    {
        Validate.Actor(actor);
        if (!State.Created || State.Partner != partnerId || State.Status != FieldActivityStatus.Pending)
        {
            return;
        }

        State.Partner = null;
        await RaiseAsync(new FieldActivityUnlinked(Id, partnerId, State.ServiceAgreementId, State.PremiseId), actor);
        await WriteAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != FollowUpReminder)
        {
            Log.UnknownReminder(logger, "field activity", Key, reminderName);
            return;
        }

        if (State.Created)
        {
            await FollowUpByReminderAsync();
        }
    }

    private async Task CompleteCoreAsync(decimal read, DateOnly completedOn, FieldActivityId? completedWith, Actor actor)
    {
        State.Status = FieldActivityStatus.Complete;
        State.Read = read;
        State.CompletedOn = completedOn;
        State.CompletedWith = completedWith;
        await RaiseAsync(
            new FieldActivityCompleted(Id, State.ServiceAgreementId, State.AccountId, State.PremiseId, State.ServicePointId, State.Kind, read, completedOn, completedWith, State.Status),
            actor);
        await WriteChangeAsync(actor);
    }

    private async Task CancelCoreAsync(bool byUser, Actor actor)
    {
        State.Status = FieldActivityStatus.Canceled;
        State.CanceledByUser = byUser;
        await RaiseAsync(new FieldActivityCanceled(Id, State.ServiceAgreementId, State.AccountId, State.PremiseId, State.Kind, State.Status), actor);
        await WriteChangeAsync(actor);
    }

    /// <summary>Tells the SA, completes or releases the partner, and updates the premise's pairing list.</summary>
    protected override async Task FollowUpCoreAsync(Actor actor)
    {
        if (State.Status == FieldActivityStatus.Pending)
        {
            // A pending activity owes nothing: it paired when it was created or moved.
            return;
        }

        var serviceAgreement = GrainFactory.GetGrain<IServiceAgreementGrain>(State.ServiceAgreementId.Value);
        var changed = false;
        if (State.Status == FieldActivityStatus.Complete)
        {
            await serviceAgreement.FieldActivityCompletedAsync(Id, State.Kind, State.Read!.Value, State.CompletedOn!.Value, actor);
            if (State.Partner is { } partner && !State.PartnerComplete)
            {
                await GrainFactory.GetGrain<IFieldActivityGrain>(partner.Value).CompleteLinkedAsync(Id, State.Read.Value, State.CompletedOn.Value, actor);
                State.PartnerComplete = true;
                changed = true;
            }
        }
        else if (State.Status == FieldActivityStatus.Canceled)
        {
            if (State.CanceledByUser)
            {
                await serviceAgreement.FieldActivityCanceledAsync(Id, State.Kind, actor);
            }

            if (State.Partner is { } partner)
            {
                await GrainFactory.GetGrain<IFieldActivityGrain>(partner.Value).UnlinkAsync(Id, actor);
                await RaiseAsync(new FieldActivityUnlinked(Id, partner, State.ServiceAgreementId, State.PremiseId), actor);
                State.Partner = null;
                changed = true;
            }
        }

        // Written before the premise is told, so the events raised above never commit without the state they belong to.
        if (changed)
        {
            await WriteAsync();
        }

        await GrainFactory.GetGrain<IPremiseGrain>(State.PremiseId.Value).RegisterFieldActivityAsync(Registration());
    }

    /// <summary>Asks the premise for a back-to-back partner and links both halves.</summary>
    private async Task PairAsync(Actor actor)
    {
        var partner = await GrainFactory.GetGrain<IPremiseGrain>(State.PremiseId.Value).RegisterFieldActivityAsync(Registration());
        if (partner == State.Partner)
        {
            return;
        }

        if (State.Partner is { } previous)
        {
            await GrainFactory.GetGrain<IFieldActivityGrain>(previous.Value).UnlinkAsync(Id, actor);
            await RaiseAsync(new FieldActivityUnlinked(Id, previous, State.ServiceAgreementId, State.PremiseId), actor);
        }

        State.Partner = partner;
        State.PartnerComplete = false;
        if (partner is { } current)
        {
            await GrainFactory.GetGrain<IFieldActivityGrain>(current.Value).LinkAsync(Id, actor);
            await RaiseAsync(new FieldActivityLinked(Id, current, State.ServiceAgreementId, State.PremiseId), actor);
        }

        await WriteAsync();
    }

    private void ValidateRead(decimal read, DateOnly completedOn)
    {
        if (read < 0)
        {
            throw DomainException.Invalid("read", "A meter read cannot be negative.");
        }

        if (completedOn > calendar.Today(Now))
        {
            throw DomainException.Invalid("completedOn", $"{completedOn:yyyy-MM-dd} is in the future.");
        }
    }

    private FieldActivityRegistration Registration() =>
        new(Id, State.ServicePointId, State.Kind, State.ScheduledDate, State.Status);

    private FieldActivityCreated Created() =>
        new(Id, State.ServiceAgreementId, State.AccountId, State.PremiseId, State.ServicePointId, State.Kind, State.ScheduledDate, State.Status);

    private void EnsureCreated()
    {
        if (!State.Created)
        {
            throw DomainException.NotFound("Field activity", Key);
        }
    }

    private FieldActivitySnapshot Snapshot() => new(
        Id, State.ServiceAgreementId, State.AccountId, State.PremiseId, State.ServicePointId, State.Kind, State.ScheduledDate,
        State.Status, State.Read, State.CompletedOn, State.Partner, State.CreatedAt);
}
