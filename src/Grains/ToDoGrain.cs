using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Grains.Rules;
using Actors.Grains.State;
using Actors.Runtime;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

/// <summary>A To Do entry. Calls no other grain.</summary>
public sealed class ToDoGrain(
    [PersistentState("todo")] IPersistentState<ToDoState> state,
    IOptions<UtilityOptions> options,
    TimeProvider time)
    : DomainGrain<ToDoState>(state, time), IToDoGrain
{
    protected override string StreamNamespace => StreamNamespaces.ToDo;

    private ToDoId Id => ToDoId.Parse(Key);

    public async Task<ToDoSnapshot> CreateAsync(CreateToDo command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate.Actor(actor);
        var message = Validate.Required(command.Message, "message", 2000);
        var role = Validate.Optional(command.Role, "role", 64) ?? options.Value.DefaultToDoRole;
        if (command.Subject is null || string.IsNullOrWhiteSpace(command.Subject.Kind) || string.IsNullOrWhiteSpace(command.Subject.Id))
        {
            throw DomainException.Invalid("subject", "A To Do needs a subject (kind and id).");
        }

        if (State.Created && State.Status != ToDoStatus.Complete)
        {
            return Snapshot();
        }

        // New, or complete and its cause is back: (re)open it.
        if (!State.Created)
        {
            State.Created = true;
            State.Type = command.Type;
            State.Subject = command.Subject;
            State.AccountId = command.AccountId;
            State.CreatedAt = Now;
        }

        State.Role = role;
        State.Priority = command.Priority;
        State.Message = message;
        State.Status = ToDoStatus.Open;
        State.AssignedTo = null;
        State.Resolution = null;
        State.CompletedAt = null;
        State.CompletedBy = null;
        await RaiseAsync(new ToDoCreated(Id, State.Type, role, State.Priority, State.Subject!, State.AccountId, message, State.Status), actor);
        await WriteAsync();
        return Snapshot();
    }

    public Task<ToDoSnapshot> GetAsync()
    {
        EnsureCreated();
        return Task.FromResult(Snapshot());
    }

    public async Task<ToDoSnapshot> AssignAsync(string user, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        var assignee = Validate.Required(user, "user", 200);
        if (State.Status == ToDoStatus.Complete)
        {
            throw DomainException.IllegalTransition("To Do", Key, State.Status.ToString(), "assigned (forward it to reopen it)");
        }

        if (State.Status == ToDoStatus.BeingWorked && State.AssignedTo == assignee)
        {
            return Snapshot();
        }

        var previous = State.AssignedTo;
        State.Status = ToDoStatus.BeingWorked;
        State.AssignedTo = assignee;
        await RaiseAsync(new ToDoAssigned(Id, State.AccountId, assignee, previous, State.Status), actor);
        await WriteAsync();
        return Snapshot();
    }

    public async Task<ToDoSnapshot> CompleteAsync(Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (State.Status == ToDoStatus.Complete)
        {
            throw DomainException.IllegalTransition("To Do", Key, State.Status.ToString(), "completed again");
        }

        await CompleteCoreAsync(actor.Comment ?? actor.Reason, automatic: false, actor);
        return Snapshot();
    }

    public async Task<ToDoSnapshot> ForwardAsync(string role, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        var target = Validate.Required(role, "role", 64);
        var previous = State.Role;
        State.Role = target;
        State.Status = ToDoStatus.Open;
        State.AssignedTo = null;
        State.Resolution = null;
        State.CompletedAt = null;
        State.CompletedBy = null;
        await RaiseAsync(new ToDoForwarded(Id, State.AccountId, previous, target, State.Status), actor);
        await WriteAsync();
        return Snapshot();
    }

    public async Task ResolveAsync(string resolution, Actor actor)
    {
        Validate.Actor(actor);
        if (!State.Created || State.Status == ToDoStatus.Complete)
        {
            return;
        }

        await CompleteCoreAsync(resolution, automatic: true, actor);
    }

    private async Task CompleteCoreAsync(string? resolution, bool automatic, Actor actor)
    {
        State.Status = ToDoStatus.Complete;
        State.Resolution = resolution;
        State.CompletedAt = Now;
        State.CompletedBy = actor.User;
        await RaiseAsync(new ToDoCompleted(Id, State.AccountId, automatic, resolution, State.Status), actor);
        await WriteAsync();
    }

    private void EnsureCreated()
    {
        if (!State.Created)
        {
            throw DomainException.NotFound("To Do", Key);
        }
    }

    private ToDoSnapshot Snapshot() => new(
        Id, State.Type, State.Role, State.Priority, State.Subject!, State.AccountId, State.Message, State.Status,
        State.AssignedTo, State.Resolution, State.CreatedAt, State.CompletedAt, State.CompletedBy);
}
