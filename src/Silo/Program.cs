using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Storage.Postgres;
using Actors.Runtime.Storage.Sqlite;
using Actors.Silo;
using Microsoft.Extensions.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

var storage = builder.Configuration.GetSection("Storage").Get<StorageSettings>() ?? new StorageSettings();
builder.Services.AddActorRuntime(runtime => runtime
    .AddGrains<Program>()
    .UseStorage(_ => CreateStorage(storage, builder.Configuration)));
builder.Services.AddHealthChecks()
    .AddCheck<ReadinessCheck>("ready", tags: ["ready"]);

var app = builder.Build();
app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
app.Run();

static IStorageProvider CreateStorage(StorageSettings settings, IConfiguration configuration)
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

/// <summary>Ready when the store answers and this node holds partition leases.</summary>
internal sealed class ReadinessCheck(IStorageProvider storage, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.GetStoreTimeAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("storage does not answer", ex);
        }

        var held = services.GetRequiredService<INodeStatus>().HeldPartitions;
        return held > 0 ? HealthCheckResult.Healthy($"{held} partitions held") : HealthCheckResult.Unhealthy("no partition leases held");
    }
}
