using Actors.Grains.Abstractions;
using Actors.Runtime;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Grains.Tests.Infrastructure;

/// <summary>
/// The real runtime in this process with the domain grains, on a fresh SQLite file, with a business clock the test
/// drives. Helpers create the usual fixtures (person, premise, account) with fresh ids.
/// </summary>
public sealed class DomainHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly Actor Csr = new("csr:alice", "test", "set up by the test");

    private readonly IHost _host;
    private readonly string _directory;
    private readonly IDictionary<string, string?>? _settings;
    private bool _restarted;

    private DomainHost(IHost host, ManualTimeProvider clock, string directory, IDictionary<string, string?>? settings)
    {
        _host = host;
        Clock = clock;
        _directory = directory;
        _settings = settings;
    }

    public ManualTimeProvider Clock { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IStorageProvider Storage => _host.Services.GetRequiredService<IStorageProvider>();

    /// <summary>Starts a host on a fresh store; <paramref name="wrapStore"/> puts a fault in front of the real store.</summary>
    public static Task<DomainHost> StartAsync(IDictionary<string, string?>? settings = null, Func<IStorageProvider, IStorageProvider>? wrapStore = null) =>
        StartAsync(settings, wrapStore, Directory.CreateTempSubdirectory("actors-grains-").FullName, new ManualTimeProvider(Start));

    /// <summary>
    /// Stops this host, keeping its store, and starts another on the same store and clock: a node that went away and
    /// the one that takes over. Use the returned host from then on.
    /// </summary>
    public async Task<DomainHost> RestartAsync(Func<IStorageProvider, IStorageProvider>? wrapStore = null)
    {
        await StopAsync();
        _restarted = true;
        return await StartAsync(_settings, wrapStore, _directory, Clock);
    }

    private static async Task<DomainHost> StartAsync(
        IDictionary<string, string?>? settings, Func<IStorageProvider, IStorageProvider>? wrapStore, string directory, ManualTimeProvider clock)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ACTORS_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Information);
        }

        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddUtilityDomain();
        builder.Services.AddActorRuntime(b => b
            .AddUtilityGrains()
            .UseStorage(_ => (wrapStore ?? (store => store))(new SqliteStorageProvider(Path.Combine(directory, "store.db"))))
            .UseTimeProvider(clock));
        builder.Services.Configure<ActorRuntimeOptions>(o => o.CallTimeout = TimeSpan.FromSeconds(10));
        var host = builder.Build();
        await host.StartAsync();
        return new DomainHost(host, clock, directory, settings);
    }

    public IPersonGrain Person(PersonId id) => Grains.GetGrain<IPersonGrain>(id.Value);

    public IAccountGrain Account(AccountId id) => Grains.GetGrain<IAccountGrain>(id.Value);

    public IPremiseGrain Premise(PremiseId id) => Grains.GetGrain<IPremiseGrain>(id.Value);

    public IServiceAgreementGrain ServiceAgreement(ServiceAgreementId id) => Grains.GetGrain<IServiceAgreementGrain>(id.Value);

    public IFieldActivityGrain FieldActivity(FieldActivityId id) => Grains.GetGrain<IFieldActivityGrain>(id.Value);

    public IToDoGrain ToDo(ToDoId id) => Grains.GetGrain<IToDoGrain>(id.Value);

    private async Task StopAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(cts.Token);
        _host.Dispose();
    }

    /// <summary>Moves business time to 00:00 UTC (the default zone) of <paramref name="date"/> plus <paramref name="offset"/>.</summary>
    public void SetDate(DateOnly date, TimeSpan offset = default) =>
        Clock.SetUtcNow(new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + offset);

    public async Task<PersonId> NewPersonAsync(string name = "Ann Tenant")
    {
        var id = PersonId.New();
        await Person(id).CreateAsync(new CreatePerson(name, "+1 415 555 0100", "ann@example.com"), Csr);
        return id;
    }

    public async Task<PremiseId> NewPremiseAsync(params ServiceType[] types)
    {
        var id = PremiseId.New();
        var points = (types.Length == 0 ? [ServiceType.Electric] : types).Select(t => new ServicePointInput(t)).ToList();
        await Premise(id).CreateAsync(new CreatePremise(new Address("1 Main St", "Springfield", "CA", "94107"), points), Csr);
        return id;
    }

    public async Task<AccountId> NewAccountAsync(PersonId? mainCustomer = null)
    {
        var person = mainCustomer ?? await NewPersonAsync();
        var id = AccountId.New();
        await Account(id).CreateAsync(new CreateAccount(CustomerClass.Residential, [new AccountPerson(person, IsMainCustomer: true)]), Csr);
        return id;
    }

    /// <summary>The types of the events on one stream (an entity's history), in order.</summary>
    public async Task<IReadOnlyList<StoredEvent>> HistoryAsync(string streamNamespace, string key) =>
        await Storage.ReadEventsAsync(0, 1000, $"{streamNamespace}/{key}", CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_restarted)
        {
            return;
        }

        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner takes what a lingering handle kept.
        }
    }
}
