using System.Text.Json;
using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Grains.Tests.Infrastructure;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;

namespace Actors.Grains.Tests.Grains;

/// <summary>A fresh runtime and store per test, and the scenario steps the tests share.</summary>
public abstract class GrainTestBase : IAsyncLifetime
{
    /// <summary>The start date most scenarios use; the clock starts on 2026-03-01 (zone UTC, lead 2 days, aged 3 days).</summary>
    protected static readonly DateOnly D = new(2026, 3, 10);

    protected static readonly Actor Csr = DomainHost.Csr;

    protected DomainHost Host { get; private set; } = null!;

    protected virtual IDictionary<string, string?>? Settings => null;

    /// <summary>What the test puts in front of the real store, if anything.</summary>
    protected virtual Func<IStorageProvider, IStorageProvider>? WrapStore => null;

    public async Task InitializeAsync() => Host = await DomainHost.StartAsync(Settings, WrapStore);

    /// <summary>Replaces the host by another on the same store and clock (<see cref="DomainHost.RestartAsync"/>).</summary>
    protected async Task RestartHostAsync(Func<IStorageProvider, IStorageProvider>? wrapStore = null) => Host = await Host.RestartAsync(wrapStore);

    /// <summary>Every test also checks that each event it caused can be read back as its type, stamped with who and when.</summary>
    public async Task DisposeAsync()
    {
        try
        {
            await AssertEventsReadableAsync();
        }
        finally
        {
            await Host.DisposeAsync();
        }
    }

    private async Task AssertEventsReadableAsync()
    {
        var json = ServiceCollectionExtensions.CreateJsonOptions();
        var types = typeof(DomainEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(DomainEvent))).ToDictionary(t => t.Name);
        foreach (var stored in await Host.Storage.ReadEventsAsync(0, 100_000, null, CancellationToken.None))
        {
            Assert.True(types.TryGetValue(stored.Type, out var type), $"{stored.Type} is not a domain event");
            var domainEvent = Assert.IsAssignableFrom<DomainEvent>(JsonSerializer.Deserialize(stored.Payload, type, json));
            Assert.False(string.IsNullOrEmpty(domainEvent.Actor), $"{stored.Type} on {stored.Stream} has no actor");
            Assert.NotEqual(default, domainEvent.OccurredAt);
            Assert.Equal(stored.Payload, JsonSerializer.Serialize(domainEvent, type, json));
        }
    }

    /// <summary>Moves in a new account at <paramref name="premise"/> on <paramref name="startDate"/> for one service.</summary>
    protected async Task<(AccountId Account, ServiceAgreementId ServiceAgreement)> MoveInAsync(
        PremiseId premise, DateOnly startDate, string requestId = "move-in", bool stopCurrentOccupants = false, ServiceType type = ServiceType.Electric)
    {
        var account = await Host.NewAccountAsync();
        var result = await Host.Account(account).StartServiceAsync(premise, startDate, [type], requestId, Csr, stopCurrentOccupants);
        return (account, Assert.Single(result.ServiceAgreements).Id);
    }

    /// <summary>Waits for the start field activity the lead-time reminder creates (the clock must be past its due time).</summary>
    protected Task<FieldActivitySnapshot> StartFieldActivityAsync(ServiceAgreementId sa) =>
        DomainPolling.UntilExistsAsync(() => Host.FieldActivity(FieldActivityId.For(sa, FieldActivityKind.Start)).GetAsync(), $"the start field activity of {sa}");

    /// <summary>A tenant whose SA at <paramref name="premise"/> went active on <see cref="D"/> with a start read of 100.</summary>
    protected async Task<(AccountId Account, ServiceAgreementId ServiceAgreement)> ActiveTenantAsync(PremiseId premise)
    {
        var tenant = await MoveInAsync(premise, D);
        Host.SetDate(D.AddDays(-2));
        await StartFieldActivityAsync(tenant.ServiceAgreement);
        await Host.FieldActivity(FieldActivityId.For(tenant.ServiceAgreement, FieldActivityKind.Start)).CompleteAsync(100m, D.AddDays(-2), Csr);
        Host.SetDate(D);
        await Polling.UntilAsync(() => Host.ServiceAgreement(tenant.ServiceAgreement).GetAsync(), s => s.Status == ServiceAgreementStatus.Active, "the tenant's activation");
        await Polling.UntilAsync(
            () => Host.Account(tenant.Account).GetAsync(),
            a => a.ServiceAgreements.Single().Status == ServiceAgreementStatus.Active,
            "the tenant's account summary to show the SA active");
        return tenant;
    }

    protected async Task<ServicePointOccupancy> OccupancyAsync(PremiseId premise, ServiceAgreementId sa) =>
        (await Host.Premise(premise).GetAsync()).ServicePoints.SelectMany(p => p.ServiceAgreements).Single(o => o.ServiceAgreementId == sa);

    protected static async Task<DomainException> ThrowsDomainAsync(DomainErrorCode code, Func<Task> action)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(action);
        Assert.Equal(code, ex.Code);
        return ex;
    }
}
