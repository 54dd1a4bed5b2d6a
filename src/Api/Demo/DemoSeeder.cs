using Actors.Api.Clock;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Api.Demo;

/// <summary>
/// Loads a handful of demo customers into an empty store so a new user has someone to search for: active service,
/// a move-out with the next tenant moving in the same day, a pending start, a life-support customer, a commercial
/// account, a vacant premise. <c>Demo:Seed</c>: unset, it seeds an empty embedded (SQLite) store only; <c>true</c>
/// seeds any empty store; <c>false</c> never. A store with any event in it is never seeded.
/// </summary>
public sealed partial class DemoSeeder(
    IConfiguration configuration,
    IStorageProvider storage,
    IGrainFactory grains,
    BusinessClock clock,
    IRuntimeQuiescence quiescence,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    private static readonly Actor s_actor = Actor.System("demo-seed", "demo data");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seed = configuration.GetValue<bool?>("Demo:Seed");
        if (seed == false || (seed is null && !storage.IsSingleProcess))
        {
            return;
        }

        if (await storage.GetLastSequenceAsync(stoppingToken) > 0)
        {
            LogSkipped(logger);
            return;
        }

        try
        {
            await SeedAsync(stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex);
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(clock.Time.GetUtcNow().UtcDateTime);
        var maria = await PersonAsync(1, "Maria Garcia", "555-0101", "maria.garcia@example.com", lifeSupport: false);
        var james = await PersonAsync(2, "James Chen", "555-0102", "james.chen@example.com", lifeSupport: true);
        var priya = await PersonAsync(3, "Priya Patel", "555-0103", "priya.patel@example.com", lifeSupport: false);
        var bakery = await PersonAsync(4, "Northwind Bakery", "555-0104", "accounts@northwind.example.com", lifeSupport: false);
        var robert = await PersonAsync(5, "Robert Johnson", "555-0105", null, lifeSupport: false);

        var oak = await PremiseAsync(1, new Address("12 Oak Street", "Springfield", "IL", "62701"), ServiceType.Electric, ServiceType.Gas);
        var elm = await PremiseAsync(2, new Address("48 Elm Avenue", "Springfield", "IL", "62702", "Apt 2"), ServiceType.Electric, ServiceType.Water);
        var main = await PremiseAsync(3, new Address("200 Main Street", "Springfield", "IL", "62701"), ServiceType.Electric, ServiceType.Gas, ServiceType.Water);
        var birch = await PremiseAsync(4, new Address("7 Birch Lane", "Springfield", "IL", "62704"), ServiceType.Electric);
        await PremiseAsync(5, new Address("9 Cedar Court", "Springfield", "IL", "62703"), ServiceType.Electric, ServiceType.Gas);

        var mariaAccount = await AccountAsync(1, maria, CustomerClass.Residential);
        var jamesAccount = await AccountAsync(2, james, CustomerClass.Residential);
        var priyaAccount = await AccountAsync(3, priya, CustomerClass.Residential);
        var bakeryAccount = await AccountAsync(4, bakery, CustomerClass.Commercial);
        var robertAccount = await AccountAsync(5, robert, CustomerClass.Residential);

        var active = new List<StartServiceResult>
        {
            await StartAsync(mariaAccount, oak, today.AddDays(-20), "demo-start-1", ServiceType.Electric, ServiceType.Gas),
            await StartAsync(jamesAccount, elm, today.AddDays(-25), "demo-start-2", ServiceType.Electric, ServiceType.Water),
            await StartAsync(bakeryAccount, main, today.AddDays(-15), "demo-start-3", ServiceType.Electric, ServiceType.Gas, ServiceType.Water),
        };

        // The start field activities of back-dated starts are created at once by the SAs' reminders; complete them
        // with a read, as a field crew would, and the SAs activate.
        await quiescence.WaitForQuiescenceAsync(TimeSpan.FromSeconds(30), cancellationToken);
        foreach (var sa in active.SelectMany(r => r.ServiceAgreements).Where(s => s.Status == ServiceAgreementStatus.PendingStart))
        {
            await grains.GetGrain<IFieldActivityGrain>(FieldActivityId.For(sa.Id, FieldActivityKind.Start).Value)
                .CompleteAsync(1000m + sa.StartDate.DayNumber % 997, sa.StartDate, s_actor);
        }

        await grains.GetGrain<IAccountGrain>(jamesAccount.Value).StopServiceAsync(elm, today.AddDays(5), null, s_actor with { Reason = "moving out" });
        await StartAsync(priyaAccount, elm, today.AddDays(5), "demo-start-4", ServiceType.Electric, ServiceType.Water);
        await StartAsync(robertAccount, birch, today.AddDays(3), "demo-start-5", ServiceType.Electric);
        LogSeeded(logger);
    }

    private async Task<PersonId> PersonAsync(int n, string name, string? phone, string? email, bool lifeSupport)
    {
        var id = PersonId.ForRequest($"demo-person-{n}");
        await grains.GetGrain<IPersonGrain>(id.Value).CreateAsync(new CreatePerson(name, phone, email, lifeSupport), s_actor);
        return id;
    }

    private async Task<PremiseId> PremiseAsync(int n, Address address, params ServiceType[] types)
    {
        var id = PremiseId.ForRequest($"demo-premise-{n}");
        await grains.GetGrain<IPremiseGrain>(id.Value).CreateAsync(new CreatePremise(address, [.. types.Select(t => new ServicePointInput(t))]), s_actor);
        return id;
    }

    private async Task<AccountId> AccountAsync(int n, PersonId mainCustomer, CustomerClass customerClass)
    {
        var id = AccountId.ForRequest($"demo-account-{n}");
        await grains.GetGrain<IAccountGrain>(id.Value).CreateAsync(new CreateAccount(customerClass, [new AccountPerson(mainCustomer, IsMainCustomer: true)]), s_actor);
        return id;
    }

    private Task<StartServiceResult> StartAsync(AccountId account, PremiseId premise, DateOnly startDate, string requestId, params ServiceType[] types) =>
        grains.GetGrain<IAccountGrain>(account.Value).StartServiceAsync(premise, startDate, types, requestId, s_actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo customers loaded (Demo:Seed=false turns this off)")]
    private static partial void LogSeeded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "The store is not empty: no demo customers loaded")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Loading the demo customers failed; the engine runs without them")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
