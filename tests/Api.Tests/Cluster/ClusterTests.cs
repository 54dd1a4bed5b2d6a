using System.Diagnostics;
using System.Net;
using Actors.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Actors.Api.Tests.Cluster;

/// <summary>
/// Three silo processes on one PostgreSQL: any silo serves any call, each grain lives on one silo, and a silo that
/// dies, freezes or stops hands its grains and reminders to the others without losing an acknowledged request or
/// running an activation twice. Leases last 4 s here (10 s by default).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(TestSilo.Start.UtcDateTime);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task ThreeSilos_SpreadThePartitions_ServeAnyCall_AndPushAlertsAcrossSilos()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var owners = await cluster.WaitUntilBalancedAsync(["silo-0", "silo-1", "silo-2"]);
        output.WriteLine($"partitions: {string.Join(", ", owners.Select(o => $"{o.Key}={o.Value}"))}");

        // A dashboard on silo 0 watches an account whose changes are made through silo 1.
        using var viaSilo1 = cluster.Silos[1].Client(cluster.CsrToken);
        var person = await viaSilo1.PostAsync<Contracts.PersonResponse>("/api/persons", new { name = "Yara Across" }, HttpStatusCode.Created);
        var account = await viaSilo1.PostAsync<Contracts.AccountResponse>("/api/accounts", new { mainCustomerId = person.Id, customerClass = "Residential" }, HttpStatusCode.Created);
        await using var hub = await HubClient.ConnectAsync(cluster.Silos[0].BaseAddress, cluster.CsrToken);
        await hub.InvokeAsync("WatchAccount", account.Id);
        var premise = await viaSilo1.PostAsync<Contracts.PremiseResponse>(
            "/api/premises",
            new { address = new { line1 = "1 Across Way", city = "Springfield", state = "IL", postalCode = "62701" }, servicePoints = new[] { new { serviceType = "Electric" }, new { serviceType = "Gas" } } },
            HttpStatusCode.Created);
        await viaSilo1.PostAsync<Contracts.StartServiceResponse>(
            "/api/start-service", new { accountId = account.Id, premiseId = premise.Id, startDate = Today.AddDays(5), serviceTypes = new[] { "Electric", "Gas" } }, HttpStatusCode.Created);
        await hub.WaitForAsync("alerts", m => m.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("code").GetString() == "PENDING_START"), "PENDING_START on silo 0");
        await hub.WaitForAsync("serviceAgreement", m => true, "the SAs on silo 0");

        // Every silo reads the same account.
        foreach (var silo in cluster.Silos)
        {
            using var client = silo.Client(cluster.CsrToken);
            var read = await client.GetAsync<Contracts.AccountResponse>($"/api/accounts/{account.Id}");
            Assert.Equal(2, read.ServiceAgreements.Count);
        }

        var seqs = hub.Received.Select(m => (m.Target, m.Seq, Key: m.Target == "serviceAgreement" ? m.Argument.GetProperty("serviceAgreement").GetProperty("id").GetString() : m.Target)).ToList();
        Assert.Equal(seqs.Count, seqs.Distinct().Count());

        // The manual clock is the cluster's: moved through silo 2, every silo reads the new time.
        var moved = TestSilo.Start.AddDays(1);
        using var admin2 = cluster.Silos[2].Client(cluster.AdminToken);
        await admin2.PostAsync<Contracts.ClockResponse>("/api/admin/clock", new { now = moved });
        foreach (var silo in cluster.Silos)
        {
            using var admin = silo.Client(cluster.AdminToken);
            await Polling.UntilAsync(() => admin.GetAsync<Contracts.ClockResponse>("/api/admin/clock"), c => c.Now == moved, $"{silo.Name}'s clock to follow");
        }
    }

    [Fact]
    public async Task ASiloKilledDuringMoveInsAndActivations_LosesNoAcknowledgedMoveIn_AndActivatesEachSaOnce()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        await cluster.WaitUntilBalancedAsync(["silo-0", "silo-1", "silo-2"]);
        var due = Today.AddDays(3);
        var pending = new List<(string Account, string Sa)>();
        for (var i = 0; i < 24; i++)
        {
            pending.Add(await cluster.MoveInAsync($"due-{i}", due));
        }

        // The clock passes the start date (activations run on every silo) while move-ins keep coming; silo 0 dies.
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<(string Account, string Sa)>();
        using var stop = new CancellationTokenSource();
        var burst = Enumerable.Range(0, 3).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                acknowledged.Add(await cluster.MoveInAsync($"burst-{worker}-{n}", due.AddDays(10)));
            }
        })).ToList();
        var clock = cluster.MoveClockAsync(new DateTimeOffset(due.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        await Polling.UntilAsync(() => burst.Any(t => t.IsFaulted) || acknowledged.Count >= 6, "a few move-ins before the kill");
        await cluster.Silos[0].KillAsync();
        var killedAt = Stopwatch.GetTimestamp();

        // Its grains answer again from the other silos within the lease time and 5 s.
        foreach (var (accountId, _) in pending)
        {
            await Polling.UntilAsync(
                async () => (await cluster.SendAsync(HttpMethod.Get, $"/api/accounts/{accountId}", timeout: Lease + TimeSpan.FromSeconds(5))).Status == HttpStatusCode.OK,
                $"account {accountId} to answer after the kill",
                Lease + TimeSpan.FromSeconds(5));
        }

        output.WriteLine($"all accounts answered {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.0} s after the kill (lease {Lease.TotalSeconds} s)");
        await Polling.UntilAsync(() => burst.Any(t => t.IsFaulted) || acknowledged.Count >= 20, "more move-ins after the kill");
        await stop.CancelAsync();
        await Task.WhenAll(burst);
        await clock.ContinueWith(_ => { }, TaskScheduler.Default);
        await cluster.MoveClockAsync(new DateTimeOffset(due.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddMinutes(1));

        foreach (var (accountId, sa) in pending)
        {
            var read = await cluster.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/service-agreements/{sa}");
            Assert.Equal("Active", read.GetProperty("status").GetString());
            Assert.Equal(1, await cluster.CountEventsAsync($"sa/{sa}", "ServiceAgreementActivated"));
        }

        foreach (var (accountId, sa) in acknowledged)
        {
            var account = await cluster.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/accounts/{accountId}");
            Assert.Contains(account.GetProperty("serviceAgreements").EnumerateArray(), s => s.GetProperty("id").GetString() == sa);
            Assert.Equal(1, await cluster.CountEventsAsync($"sa/{sa}", "ServiceAgreementCreated"));
        }

        output.WriteLine($"{acknowledged.Count} acknowledged move-ins during the kill, {pending.Count} activations");
    }

    [Fact]
    public async Task ASiloFrozenPastItsLease_IsReplaced_CannotWriteAfterwards_AndRejoins()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        await cluster.WaitUntilBalancedAsync(["silo-0", "silo-1", "silo-2"]);
        var persons = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            persons.Add(TestCluster.Id(await cluster.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/persons", new { name = $"Frozen {i}" }, $"frozen-{i}")));
        }

        cluster.Silos[0].Freeze();
        var frozenAt = Stopwatch.GetTimestamp();
        foreach (var person in persons)
        {
            var current = await cluster.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/persons/{person}");
            await cluster.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/persons/{person}", new { version = current.GetProperty("version").GetInt32(), phone = "555-0101" });
        }

        output.WriteLine($"every person updated {Stopwatch.GetElapsedTime(frozenAt).TotalSeconds:0.0} s after the freeze");
        var owners = await cluster.WaitUntilBalancedAsync(["silo-1", "silo-2"]);
        Assert.DoesNotContain("silo-0", owners.Keys);

        // Thawed, it finds its leases gone: it drops its activations, writes nothing, and takes a share again.
        cluster.Silos[0].Resume();
        await cluster.WaitUntilBalancedAsync(["silo-0", "silo-1", "silo-2"], TimeSpan.FromSeconds(90));
        using var viaSilo0 = cluster.Silos[0].Client(cluster.CsrToken);
        foreach (var person in persons)
        {
            var read = await viaSilo0.GetAsync<Contracts.PersonResponse>($"/api/persons/{person}");
            Assert.Equal(("555-0101", 2), (read.Phone, read.Version));
            Assert.Equal(1, await cluster.CountEventsAsync($"person/{person}", "PersonUpdated"));
        }
    }

    [Fact]
    public async Task AGracefulStop_HandsThePartitionsOver_WithoutAnErrorToCallers()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        await cluster.WaitUntilBalancedAsync(["silo-0", "silo-1", "silo-2"]);
        var persons = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            persons.Add(TestCluster.Id(await cluster.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/persons", new { name = $"Graceful {i}" }, $"graceful-{i}")));
        }

        // Callers use silos 1 and 2 only, and accept no error at all while silo 0 stops.
        using var silo1 = cluster.Silos[1].Client(cluster.CsrToken);
        using var silo2 = cluster.Silos[2].Client(cluster.CsrToken);
        using var done = new CancellationTokenSource();
        var reads = 0;
        var traffic = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                foreach (var person in persons)
                {
                    await (reads % 2 == 0 ? silo1 : silo2).GetAsync<Contracts.PersonResponse>($"/api/persons/{person}");
                    Interlocked.Increment(ref reads);
                }
            }
        });
        await Polling.UntilAsync(() => traffic.IsFaulted || Volatile.Read(ref reads) > 24, "traffic before the stop");
        var stopping = Stopwatch.GetTimestamp();
        await cluster.Silos[0].StopAsync();
        await cluster.WaitUntilBalancedAsync(["silo-1", "silo-2"]);
        output.WriteLine($"partitions handed over {Stopwatch.GetElapsedTime(stopping).TotalSeconds:0.0} s after SIGTERM");
        var before = Volatile.Read(ref reads);
        await Polling.UntilAsync(() => traffic.IsFaulted || Volatile.Read(ref reads) > before + 24, "traffic after the hand-over");
        await done.CancelAsync();
        await traffic;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}
