using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Actors.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Actors.Api.Tests.Cluster;

/// <summary>
/// A bounded chaos run: for about a minute, while move-ins keep coming and the clock keeps moving, a silo is killed,
/// restarted or added every few seconds. Afterwards every acknowledged move-in exists, and every SA was created once
/// and activated once, with its account's summary agreeing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(TestSilo.Start.UtcDateTime);
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KillsRestartsAndNewSilosUnderTraffic_LoseNothing_AndActivateEachSaOnce()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var acknowledged = new ConcurrentBag<(string Account, string Sa, DateOnly Due)>();
        using var stop = new CancellationTokenSource();
        var traffic = Enumerable.Range(0, 3).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var due = Today.AddDays(1 + (n % 5));
                var (account, sa) = await cluster.MoveInAsync($"chaos-{worker}-{n}", due);
                acknowledged.Add((account, sa, due));
            }
        })).ToList();

        // The clock walks forward a day at a time (activations run under the chaos too); nothing waits for it to settle.
        var clock = Task.Run(async () =>
        {
            for (var day = 1; !stop.IsCancellationRequested && day <= 3; day++)
            {
                await Polling.UntilAsync(() => stop.IsCancellationRequested || acknowledged.Count >= day * 8, "move-ins before the next day", RunFor * 3);
                await cluster.SendAsync(HttpMethod.Post, "/api/admin/clock", new { now = new DateTimeOffset(Today.AddDays(day).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) }, token: cluster.AdminToken);
            }
        });

        var random = new Random(42);
        var started = Stopwatch.GetTimestamp();
        var actions = new List<string>();
        for (var round = 0; Stopwatch.GetElapsedTime(started) < RunFor; round++)
        {
            var live = cluster.Silos.Where(s => !s.HasExited).ToList();
            switch (round % 3)
            {
                case 0 when live.Count > 1:
                    var victim = live[random.Next(live.Count)];
                    await victim.KillAsync();
                    actions.Add($"killed {victim.Name}");
                    break;
                case 1 when live.Count > 1:
                    var leaving = live[random.Next(live.Count)];
                    await leaving.StopAsync();
                    actions.Add($"stopped {leaving.Name}");
                    break;
                default:
                    var added = await cluster.AddSiloAsync($"silo-{cluster.Silos.Count}");
                    actions.Add($"started {added.Name}");
                    break;
            }

            Assert.False(traffic.Any(t => t.IsFaulted) || clock.IsFaulted, "traffic failed: " + string.Join(" | ", traffic.Append(clock).Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!.Message)) + Environment.NewLine + cluster.LoggedErrors());
            var before = acknowledged.Count;
            await Polling.UntilAsync(() => traffic.Any(t => t.IsFaulted) || acknowledged.Count >= before + 3, "move-ins to continue after: " + actions[^1], TimeSpan.FromSeconds(60));
        }

        await stop.CancelAsync();
        await Task.WhenAll(traffic.Append(clock));
        output.WriteLine($"{acknowledged.Count} move-ins acknowledged; {string.Join(", ", actions)}");

        // Quiet again: every SA is due, activated once, and its account agrees.
        var survivors = cluster.Silos.Where(s => !s.HasExited).Select(s => s.Name).ToList();
        await cluster.WaitUntilBalancedAsync(survivors, TimeSpan.FromSeconds(90));
        await cluster.MoveClockAsync(new DateTimeOffset(Today.AddDays(6).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        foreach (var (accountId, sa, _) in acknowledged)
        {
            var read = await cluster.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/service-agreements/{sa}");
            Assert.Equal("Active", read.GetProperty("status").GetString());
            var page = await cluster.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/events?after=0&limit=1000&stream=sa/{sa}");
            var types = page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
            Assert.Equal(1, types.Count(t => t == "ServiceAgreementCreated"));
            Assert.Equal(1, types.Count(t => t == "ServiceAgreementActivated"));
            await Polling.UntilAsync(
                async () => (await cluster.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/accounts/{accountId}"))
                    .GetProperty("serviceAgreements").EnumerateArray().Any(s => s.GetProperty("id").GetString() == sa && s.GetProperty("status").GetString() == "Active"),
                $"account {accountId} to show {sa} active");
        }
    }
}
