using System.Text.Json;
using Actors.Grains.Abstractions;

namespace Actors.Grains.Tests.Grains;

public sealed class PersonAndAccountTests : GrainTestBase
{
    [Fact]
    public async Task UpdatePerson_WithStaleVersion_IsRefused_AndChangesNothing()
    {
        var id = await Host.NewPersonAsync("Ann Tenant");
        var person = Host.Person(id);

        var updated = await person.UpdateAsync(new UpdatePerson("Ann Tenant", "+1 415 555 0199", "ann@example.com", LifeSupport: true, Version: 1), Csr);
        var ex = await ThrowsDomainAsync(DomainErrorCode.StaleVersion, () => person.UpdateAsync(new UpdatePerson("Ann Other", null, null, false, Version: 1), Csr));

        Assert.Equal(2, updated.Version);
        Assert.Equal("version", ex.Field);
        var current = await person.GetAsync();
        Assert.Equal(("Ann Tenant", "+1 415 555 0199", true, 2), (current.Name, current.Phone, current.LifeSupport, current.Version));
        var history = await Host.HistoryAsync("person", id.Value);
        Assert.Equal(["PersonCreated", "PersonUpdated"], history.Select(e => e.Type));
        using var payload = JsonDocument.Parse(history[1].Payload);
        Assert.Equal("csr:alice", payload.RootElement.GetProperty("actor").GetString());
        Assert.Equal(["phone", "lifeSupport"], payload.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task CreatePerson_IsIdempotent_ButNotWithOtherDetails()
    {
        var id = PersonId.New();
        var command = new CreatePerson("Bob", "555 0100", "bob@example.com");

        var first = await Host.Person(id).CreateAsync(command, Csr);
        var again = await Host.Person(id).CreateAsync(command, Csr);
        await ThrowsDomainAsync(DomainErrorCode.Conflict, () => Host.Person(id).CreateAsync(command with { Name = "Robert" }, Csr));

        Assert.Equal(first, again with { Accounts = first.Accounts });
        Assert.Single(await Host.HistoryAsync("person", id.Value));
    }

    [Fact]
    public async Task CreatePerson_WithoutName_IsInvalid()
    {
        var ex = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => Host.Person(PersonId.New()).CreateAsync(new CreatePerson("  "), Csr));
        Assert.Equal("name", ex.Field);
    }

    [Fact]
    public async Task Account_HasExactlyOneMainCustomer()
    {
        var ann = await Host.NewPersonAsync("Ann");
        var bob = await Host.NewPersonAsync("Bob");
        var id = AccountId.New();
        var account = Host.Account(id);

        var two = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => account.CreateAsync(
            new CreateAccount(CustomerClass.Residential, [new AccountPerson(ann, true), new AccountPerson(bob, true)]), Csr));
        var none = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => account.CreateAsync(
            new CreateAccount(CustomerClass.Residential, [new AccountPerson(ann, false)]), Csr));
        await account.CreateAsync(new CreateAccount(CustomerClass.Residential, [new AccountPerson(ann, true), new AccountPerson(bob, false)]), Csr);
        var removeMain = await ThrowsDomainAsync(DomainErrorCode.Conflict, () => account.RemovePersonAsync(ann, Csr));
        var demoteMain = await ThrowsDomainAsync(DomainErrorCode.Conflict, () => account.SetPersonAsync(new AccountPerson(ann, false), Csr));
        var promoted = await account.SetPersonAsync(new AccountPerson(bob, IsMainCustomer: true), Csr);
        var removed = await account.RemovePersonAsync(ann, Csr);

        Assert.Equal(("persons", "persons"), (two.Field, none.Field));
        Assert.Equal(("personId", "isMainCustomer"), (removeMain.Field, demoteMain.Field));
        Assert.Equal([new AccountPerson(ann, false), new AccountPerson(bob, true)], promoted.Persons);
        Assert.Equal([new AccountPerson(bob, true)], removed.Persons);
        Assert.Empty(await Host.Person(ann).GetAccountsAsync());
        Assert.Equal([id], await Host.Person(bob).GetAccountsAsync());
        Assert.Equal(
            ["AccountCreated", "AccountPersonSet", "AccountMainCustomerChanged", "AccountPersonRemoved"],
            (await Host.HistoryAsync("account", id.Value)).Select(e => e.Type));
    }

    [Fact]
    public async Task CreateAccount_WithUnknownPerson_IsNotFound_AndCreatesNothing()
    {
        var id = AccountId.New();

        await ThrowsDomainAsync(DomainErrorCode.NotFound, () => Host.Account(id).CreateAsync(
            new CreateAccount(CustomerClass.Commercial, [new AccountPerson(PersonId.New(), true)]), Csr));

        await ThrowsDomainAsync(DomainErrorCode.NotFound, () => Host.Account(id).GetAsync());
    }

    [Fact]
    public async Task UpdateAccount_WithStaleVersion_IsRefused()
    {
        var id = await Host.NewAccountAsync();

        var updated = await Host.Account(id).UpdateAsync(new UpdateAccount(CustomerClass.Commercial, Version: 1), Csr);
        await ThrowsDomainAsync(DomainErrorCode.StaleVersion, () => Host.Account(id).UpdateAsync(new UpdateAccount(CustomerClass.Industrial, Version: 1), Csr));

        Assert.Equal((CustomerClass.Commercial, 2), (updated.CustomerClass, updated.Version));
        Assert.Equal(CustomerClass.Commercial, (await Host.Account(id).GetAsync()).CustomerClass);
    }
}
