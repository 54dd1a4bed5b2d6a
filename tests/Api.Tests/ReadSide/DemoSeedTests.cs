using Actors.Api.Contracts;
using Actors.Api.Tests.Infrastructure;
using Actors.Grains.Abstractions;

namespace Actors.Api.Tests.ReadSide;

public sealed class DemoSeedTests
{
    [Fact]
    public async Task AnEmptyEmbeddedStore_IsLoadedWithDemoCustomers_WithActiveAndPendingService()
    {
        await using var silo = await TestSilo.StartAsync(Store.Sqlite, new Dictionary<string, string?> { ["Demo:Seed"] = null });
        using var csr = await silo.SignInAsync();
        var maria = await Polling.UntilAsync(
            () => csr.GetAsync<IReadOnlyList<SearchResult>>("/api/search?q=Maria%20Garcia"),
            results => results.Count == 1 && results[0].PremiseId is not null,
            "the demo customer Maria Garcia");
        var account = await Polling.UntilAsync(
            () => csr.GetAsync<AccountResponse>($"/api/accounts/{maria[0].AccountId}"),
            a => a.ServiceAgreements.Count == 2 && a.ServiceAgreements.All(s => s.Status == ServiceAgreementStatus.Active),
            "Maria's two SAs to be active");
        Assert.Equal(maria[0].PremiseId, account.ServiceAgreements[0].PremiseId);
        var robert = (await Polling.UntilAsync(
            () => csr.GetAsync<IReadOnlyList<SearchResult>>("/api/search?q=Robert"), r => r.Count == 1 && r[0].PremiseId is not null, "Robert at his premise"))[0];
        var pending = await csr.GetAsync<AccountResponse>($"/api/accounts/{robert.AccountId}");
        Assert.Equal(ServiceAgreementStatus.PendingStart, Assert.Single(pending.ServiceAgreements).Status);
    }

    [Fact]
    public async Task WithDemoSeedOff_TheStoreStaysEmpty()
    {
        await using var silo = await TestSilo.StartAsync(Store.Sqlite, new Dictionary<string, string?> { ["Demo:Seed"] = "false" });
        using var csr = await silo.SignInAsync();
        await csr.PostAsync<PersonResponse>("/api/persons", new { name = "Only Person" }, System.Net.HttpStatusCode.Created);
        await Polling.UntilAsync(
            () => csr.GetAsync<IReadOnlyList<SearchResult>>("/api/search?q=Only%20Person"), r => r.Count == 1, "the one person to be searchable");
        Assert.Empty(await csr.GetAsync<IReadOnlyList<SearchResult>>("/api/search?q=Garcia"));
        Assert.Single((await csr.GetAsync<EventPage>("/api/events?after=0")).Events);
    }
}
