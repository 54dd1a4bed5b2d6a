using Actors.CrashHost;
using Actors.Runtime;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Actors.Runtime.Storage.Postgres;
using Actors.Runtime.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A node that writes as fast as it can until it is killed: the crash test's child process.
// Usage: Actors.CrashHost <sqlite|postgres> <path|connection string> <start instant> <node name>
// It prints "ACK <key>" once a write is acknowledged, and moves its clock past the reminders' due time after the
// first acknowledgements so deliveries run alongside the writes when the kill comes.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Actors.CrashHost <sqlite|postgres> <location> <start instant> <node name>");
    return 2;
}

var start = DateTimeOffset.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var clock = new ManualTimeProvider(start);
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Services.AddActorRuntime(b => b
    .AddGrains<CrashGrain>()
    .UseStorage(_ => args[0] == "sqlite" ? new SqliteStorageProvider(args[1]) : new PostgresStorageProvider(args[1]))
    .UseTimeProvider(clock));
builder.Services.Configure<ActorRuntimeOptions>(o =>
{
    o.NodeName = args[3];
    o.ReminderClaimDuration = TimeSpan.FromSeconds(2);
    o.LeaseDuration = TimeSpan.FromSeconds(2);
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var dueAt = start.AddMinutes(1);
var next = -1;
var acknowledged = 0;
var output = Console.Out;
await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
{
    while (true)
    {
        var key = $"g{Interlocked.Increment(ref next)}";
        await grains.GetGrain<ICrashGrain>(key).WriteAndRemindAsync(dueAt);
        lock (output)
        {
            output.WriteLine($"ACK {key}");
            output.Flush();
        }

        if (Interlocked.Increment(ref acknowledged) == 50)
        {
            clock.SetUtcNow(dueAt);
        }
    }
}));
return 0;
