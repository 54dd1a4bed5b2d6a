using Actors.Api;
using Actors.Api.Demo;
using Actors.Api.Security;
using Actors.Grains;
using Actors.Runtime.Cluster;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Storage.Postgres;
using Actors.Runtime.Storage.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Actors.Silo;

/// <summary>
/// The silo: the actor runtime with the utility's grains on the configured store, the customer-care API, health
/// endpoints and (on an empty embedded store) the demo customers. Tests build it the same way as the executable.
/// </summary>
public static partial class SiloApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var configuration = builder.Configuration;
        var cluster = ClusterSettings.Read(configuration);
        configuration.AddInMemoryCollection(cluster.RuntimeSettings(configuration));
        builder.WebHost.ConfigureKestrel(kestrel => cluster.ConfigureKestrel(kestrel, configuration));
        var storage = configuration.GetSection("Storage").Get<StorageSettings>() ?? new StorageSettings();
        var clock = builder.Services.AddBusinessClock(configuration);
        builder.Services.AddUtilityDomain(configuration);
        builder.Services.AddActorRuntime(runtime => runtime
            .AddUtilityGrains()
            .UseTimeProvider(clock.Time)
            .UseStorage(_ => CreateStorage(storage, configuration)));
        builder.Services.AddCustomerCareApi(configuration);
        builder.Services.AddHostedService<DemoSeeder>();
        builder.Services.AddHealthChecks().AddCheck<ReadinessCheck>("ready", tags: ["ready"]);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboard();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
        app.MapCustomerCareApi();
        if (cluster.Address is { } internalAddress)
        {
            app.MapActorRuntimeEndpoints().RequireHost($"*:{internalAddress.Port}");
        }

        WarnAboutSignIn(app);
        return app;
    }

    private static IStorageProvider CreateStorage(StorageSettings settings, IConfiguration configuration)
    {
        if (settings.Provider == StorageProviderKind.Postgres)
        {
            var connectionString = configuration.GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Storage:Provider is Postgres but ConnectionStrings:Postgres is not set.");
            }

            return new PostgresStorageProvider(connectionString);
        }

        var path = Path.GetFullPath(settings.Sqlite.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new SqliteStorageProvider(path);
    }

    private static void WarnAboutSignIn(WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (options.Users.Count == 0)
        {
            LogNoUsers(app.Logger);
        }

        if (options.SigningKey is null)
        {
            LogEphemeralKey(app.Logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:Users is empty: nobody can sign in to the API")]
    private static partial void LogNoUsers(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth:SigningKey is not set: tokens are signed with a key made at start-up, valid on this silo until it restarts")]
    private static partial void LogEphemeralKey(ILogger logger);
}

/// <summary>Ready when the store answers and this node holds partition leases.</summary>
internal sealed class ReadinessCheck(IStorageProvider storage, INodeStatus node) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.GetStoreTimeAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("storage does not answer", ex);
        }

        var held = node.HeldPartitions;
        return held > 0
            ? HealthCheckResult.Healthy($"{held} partitions held")
            : HealthCheckResult.Unhealthy("no partition leases held");
    }
}
