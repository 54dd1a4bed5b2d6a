using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Grains.Rules;
using Actors.Grains.State;
using Actors.Runtime;

namespace Actors.Grains;

/// <summary>A person. Calls no other grain, so anyone may call it.</summary>
public sealed class PersonGrain(
    [PersistentState("person")] IPersistentState<PersonState> state,
    TimeProvider time)
    : DomainGrain<PersonState>(state, time), IPersonGrain
{
    protected override string StreamNamespace => StreamNamespaces.Person;

    private PersonId Id => PersonId.Parse(Key);

    public async Task<PersonSnapshot> CreateAsync(CreatePerson command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate.Actor(actor);
        var (name, phone, email) = Details(command.Name, command.Phone, command.Email);
        if (State.Created)
        {
            return State.Name == name && State.Phone == phone && State.Email == email && State.LifeSupport == command.LifeSupport
                ? Snapshot()
                : throw DomainException.Conflict($"Person {Key} already exists with other details.");
        }

        State.Created = true;
        State.Name = name;
        State.Phone = phone;
        State.Email = email;
        State.LifeSupport = command.LifeSupport;
        State.Version = 1;
        State.CreatedAt = State.UpdatedAt = Now;
        await RaiseAsync(new PersonCreated(Id, name, phone, email, command.LifeSupport), actor);
        await WriteAsync();
        return Snapshot();
    }

    public Task<PersonSnapshot> GetAsync()
    {
        EnsureCreated();
        return Task.FromResult(Snapshot());
    }

    public async Task<PersonSnapshot> UpdateAsync(UpdatePerson command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate.Actor(actor);
        EnsureCreated();
        var (name, phone, email) = Details(command.Name, command.Phone, command.Email);
        if (command.Version != State.Version)
        {
            throw DomainException.StaleVersion("Person", Key, command.Version, State.Version);
        }

        var changes = new List<FieldChange>();
        Track(changes, "name", State.Name, name);
        Track(changes, "phone", State.Phone, phone);
        Track(changes, "email", State.Email, email);
        Track(changes, "lifeSupport", State.LifeSupport ? "true" : "false", command.LifeSupport ? "true" : "false");
        if (changes.Count == 0)
        {
            return Snapshot();
        }

        State.Name = name;
        State.Phone = phone;
        State.Email = email;
        State.LifeSupport = command.LifeSupport;
        State.Version++;
        State.UpdatedAt = Now;
        await RaiseAsync(new PersonUpdated(Id, name, phone, email, command.LifeSupport, State.Version, changes), actor);
        await WriteAsync();
        return Snapshot();
    }

    public async Task<PersonSnapshot> LinkAccountAsync(AccountId accountId, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (!State.Accounts.Contains(accountId))
        {
            State.Accounts.Add(accountId);
            await RaiseAsync(new PersonLinkedToAccount(Id, accountId), actor);
            await WriteAsync();
        }

        return Snapshot();
    }

    public async Task<PersonSnapshot> UnlinkAccountAsync(AccountId accountId, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (State.Accounts.Remove(accountId))
        {
            await RaiseAsync(new PersonUnlinkedFromAccount(Id, accountId), actor);
            await WriteAsync();
        }

        return Snapshot();
    }

    public Task<IReadOnlyList<AccountId>> GetAccountsAsync()
    {
        EnsureCreated();
        return Task.FromResult<IReadOnlyList<AccountId>>([.. State.Accounts]);
    }

    private static (string Name, string? Phone, string? Email) Details(string? name, string? phone, string? email) =>
        (Validate.Required(name, "name", 200), Validate.Phone(phone), Validate.Email(email));

    private static void Track(List<FieldChange> changes, string field, string? before, string? after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            changes.Add(new FieldChange(field, before, after));
        }
    }

    private void EnsureCreated()
    {
        if (!State.Created)
        {
            throw DomainException.NotFound("Person", Key);
        }
    }

    private PersonSnapshot Snapshot() => new(
        Id, State.Name, State.Phone, State.Email, State.LifeSupport, [.. State.Accounts], State.Version, State.CreatedAt, State.UpdatedAt);
}
