using Actors.Grains.Abstractions;
using Actors.Grains.Tests.Infrastructure;

namespace Actors.Grains.Tests.Grains;

public sealed class StartServiceTests : GrainTestBase
{
    [Fact]
    public async Task MoveIn_CreatesOnePendingStartSaPerService_AndARetryCreatesNothing()
    {
        var premise = await Host.NewPremiseAsync(ServiceType.Electric, ServiceType.Gas);
        var account = await Host.NewAccountAsync();

        var result = await Host.Account(account).StartServiceAsync(premise, D, [ServiceType.Electric, ServiceType.Gas], "idem-1", Csr);
        var retried = await Host.Account(account).StartServiceAsync(premise, D, [ServiceType.Gas, ServiceType.Electric], "idem-1", Csr);

        var expected = new[] { ServiceAgreementId.For(account, "idem-1", ServiceType.Electric), ServiceAgreementId.For(account, "idem-1", ServiceType.Gas) };
        Assert.Equal(expected, result.ServiceAgreements.Select(s => s.Id));
        Assert.Equal(expected, retried.ServiceAgreements.Select(s => s.Id));
        Assert.All(result.ServiceAgreements, s => Assert.Equal((ServiceAgreementStatus.PendingStart, D, (DateOnly?)null), (s.Status, s.StartDate, s.StopDate)));
        var electric = await Host.ServiceAgreement(expected[0]).GetAsync();
        Assert.Equal((account, premise, ServicePointId.For(premise, ServiceType.Electric)), (electric.AccountId, electric.PremiseId, electric.ServicePointId));
        Assert.Equal(expected, (await Host.Account(account).GetAsync()).ServiceAgreements.Select(s => s.Id));
        var points = (await Host.Premise(premise).GetAsync()).ServicePoints;
        Assert.All(points, p => Assert.Equal(ServiceAgreementStatus.PendingStart, Assert.Single(p.ServiceAgreements).Status));
        Assert.Equal(["AccountCreated", "ServiceStartRequested"], (await Host.HistoryAsync("account", account.Value)).Select(e => e.Type));
        Assert.Equal(["ServiceAgreementCreated"], (await Host.HistoryAsync("sa", expected[0].Value)).Select(e => e.Type));
    }

    [Fact]
    public async Task ReusingARequestIdForAnotherStart_IsAConflict()
    {
        var premise = await Host.NewPremiseAsync(ServiceType.Electric, ServiceType.Gas);
        var account = await Host.NewAccountAsync();
        await Host.Account(account).StartServiceAsync(premise, D, [ServiceType.Electric], "idem-2", Csr);

        var ex = await ThrowsDomainAsync(DomainErrorCode.Conflict, () => Host.Account(account).StartServiceAsync(premise, D, [ServiceType.Gas], "idem-2", Csr));

        Assert.Equal("requestId", ex.Field);
        Assert.Single((await Host.Account(account).GetAsync()).ServiceAgreements);
    }

    [Fact]
    public async Task Start_OverlappingAnotherAccountsSa_IsRefused_AndCreatesNothing()
    {
        var premise = await Host.NewPremiseAsync();
        await ActiveTenantAsync(premise);
        var newcomer = await Host.NewAccountAsync();

        var ex = await ThrowsDomainAsync(DomainErrorCode.Conflict, () => Host.Account(newcomer).StartServiceAsync(premise, D.AddDays(10), [ServiceType.Electric], "late", Csr));

        Assert.Equal("startDate", ex.Field);
        Assert.Empty((await Host.Account(newcomer).GetAsync()).ServiceAgreements);
        await ThrowsDomainAsync(DomainErrorCode.NotFound, () => Host.ServiceAgreement(ServiceAgreementId.For(newcomer, "late", ServiceType.Electric)).GetAsync());
        Assert.Single((await Host.Premise(premise).GetAsync()).ServicePoints.Single().ServiceAgreements);
    }

    [Fact]
    public async Task Start_OnTheReciprocalsStopDate_IsAllowed_ButNotADayEarlier()
    {
        var premise = await Host.NewPremiseAsync();
        var tenant = await ActiveTenantAsync(premise);
        await Host.Account(tenant.Account).StopServiceAsync(premise, D.AddDays(10), null, Csr);
        var newcomer = await Host.NewAccountAsync();

        await ThrowsDomainAsync(DomainErrorCode.Conflict, () => Host.Account(newcomer).StartServiceAsync(premise, D.AddDays(9), [ServiceType.Electric], "in", Csr));
        var started = await Host.Account(newcomer).StartServiceAsync(premise, D.AddDays(10), [ServiceType.Electric], "in", Csr);

        Assert.Equal(ServiceAgreementStatus.PendingStart, Assert.Single(started.ServiceAgreements).Status);
        Assert.Empty(started.StoppedServiceAgreements);
    }

    [Fact]
    public async Task Start_InThePastBeyondTheBackdateWindow_IsInvalid()
    {
        var premise = await Host.NewPremiseAsync();
        var account = await Host.NewAccountAsync();

        var ex = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => Host.Account(account).StartServiceAsync(premise, new DateOnly(2026, 1, 29), [ServiceType.Electric], "old", Csr));
        var withinWindow = await Host.Account(account).StartServiceAsync(premise, new DateOnly(2026, 1, 30), [ServiceType.Electric], "old", Csr);

        Assert.Equal("startDate", ex.Field);
        Assert.Single(withinWindow.ServiceAgreements);
    }

    [Fact]
    public async Task Start_ForAServiceThePremiseLacks_OrAnUnknownPremise_IsRefused()
    {
        var premise = await Host.NewPremiseAsync(ServiceType.Electric);
        var account = await Host.NewAccountAsync();

        var missing = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => Host.Account(account).StartServiceAsync(premise, D, [ServiceType.Water], "w", Csr));
        await ThrowsDomainAsync(DomainErrorCode.NotFound, () => Host.Account(account).StartServiceAsync(PremiseId.New(), D, [ServiceType.Electric], "x", Csr));

        Assert.Equal("serviceTypes", missing.Field);
        Assert.Empty((await Host.Account(account).GetAsync()).ServiceAgreements);
    }

    [Fact]
    public async Task UnmeteredService_ActivatesAtTheStartDate_WithoutAFieldActivity()
    {
        var premise = PremiseId.New();
        await Host.Premise(premise).CreateAsync(
            new CreatePremise(new Address("2 Lamp Rd", "Springfield", "CA", "94107"), [new ServicePointInput(ServiceType.Electric, Metered: false)]), Csr);
        var (_, sa) = await MoveInAsync(premise, D);

        Host.SetDate(D);
        var active = await Polling.UntilAsync(() => Host.ServiceAgreement(sa).GetAsync(), s => s.Status == ServiceAgreementStatus.Active, "the unmetered SA to activate");

        Assert.Null(active.StartFieldActivityId);
        Assert.Null(active.StartRead);
        await ThrowsDomainAsync(DomainErrorCode.NotFound, () => Host.FieldActivity(FieldActivityId.For(sa, FieldActivityKind.Start)).GetAsync());
    }
}

public sealed class ServiceTerritoryStartTests : GrainTestBase
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Utility:ServiceTerritory:PostalCodes:0"] = "100",
        ["Utility:ServiceTerritory:PostalCodes:1"] = "941",
    };

    [Fact]
    public async Task Start_OutsideTheServiceTerritory_IsRefused()
    {
        var inside = await Host.NewPremiseAsync();
        var outside = PremiseId.New();
        await Host.Premise(outside).CreateAsync(new CreatePremise(new Address("9 Far Rd", "Elsewhere", "NV", "89501"), [new ServicePointInput(ServiceType.Electric)]), Csr);
        var account = await Host.NewAccountAsync();

        var ex = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => Host.Account(account).StartServiceAsync(outside, D, [ServiceType.Electric], "out", Csr));
        var ok = await Host.Account(account).StartServiceAsync(inside, D, [ServiceType.Electric], "in", Csr);

        Assert.Equal("premiseId", ex.Field);
        Assert.False((await Host.Premise(outside).GetAsync()).InServiceTerritory);
        Assert.Single(ok.ServiceAgreements);
    }
}
