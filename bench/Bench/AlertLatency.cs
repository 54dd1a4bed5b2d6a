using System.Diagnostics;
using System.Globalization;

namespace Actors.Bench;

/// <summary>One round of alert changes: how many messages were due at clients, how many came, and how late.</summary>
internal sealed record AlertRun(long Expected, long Received, long Lost, long Late, double[] LatenciesMs, double[] CallMs, double ChangesPerSecond, CpuUsage Usage);

/// <summary>
/// Alert latency with many dashboards connected: <c>clients</c> hub connections, each watching one of the
/// <c>accounts</c> (so every account has clients/accounts watchers). A change is a CSR's
/// <c>PATCH /api/persons/{id}</c> toggling the life-support flag of the account's main customer, which adds or removes
/// the account's LIFE_SUPPORT_PERSON alert; every watcher of that account must then receive an <c>alerts</c> message
/// whose alert set shows the new flag. Latency is from the moment the PATCH is sent to the moment a watcher reads the
/// message off its socket (both on this process's clock), per watcher. Changes to one account go one after the other
/// (the next only once every watcher has the last one, or 10 s have passed), so the read model never folds two changes
/// of an account into one message and every expected message is accounted for: received, or lost.
/// </summary>
internal sealed class AlertLatency : IAsyncDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    private readonly List<HubConnection> _connections = [];
    private readonly Watched[] _accounts;
    private readonly Dictionary<string, Watched> _byId;

    private AlertLatency(Watched[] accounts)
    {
        _accounts = accounts;
        _byId = accounts.ToDictionary(a => a.AccountId, StringComparer.Ordinal);
    }

    public int Clients => _connections.Count;

    public int Accounts => _accounts.Length;

    /// <summary>Creates <paramref name="accounts"/> customers and connects <paramref name="clients"/> dashboards spread over them.</summary>
    public static async Task<AlertLatency> StartAsync(SiloApi api, int accounts, int clients, CancellationToken cancellationToken)
    {
        var watched = new Watched[accounts];
        await Parallel.ForAsync(0, accounts, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var key = "alerts-" + i.ToString(CultureInfo.InvariantCulture);
            var person = await api.CreatePersonAsync(key + "-person", $"Dashboard Customer {i}", ct);
            var account = await api.CreateAccountAsync(key + "-account", person.Id, ct);
            watched[i] = new Watched(account, person);
        });

        var run = new AlertLatency(watched);
        try
        {
            var connections = new HubConnection[clients];
            await Parallel.ForAsync(0, clients, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var account = watched[i % accounts];
                var slot = account.AddWatcher();
                var connection = await HubConnection.ConnectAsync(api.BaseAddress, api.CsrToken, message => run.OnAlerts(account, slot, message), ct);
                connections[i] = connection;
                await connection.InvokeAsync("WatchAccount", account.AccountId, ct);
            });
            run._connections.AddRange(connections);
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Changes accounts at <paramref name="changesPerSecond"/> in all for <paramref name="duration"/>, then waits for the last messages.</summary>
    public async Task<AlertRun> RunAsync(SiloApi api, double changesPerSecond, TimeSpan duration, CpuSampler cpu, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var calls = new List<double>();
        long expected = 0;
        long received = 0;
        long lost = 0;
        long changes = 0;
        foreach (var account in _accounts)
        {
            account.Late = 0;
        }

        var period = TimeSpan.FromSeconds(_accounts.Length / changesPerSecond);
        var cpuStart = CpuSampler.Take(cpu);
        var start = Stopwatch.GetTimestamp();

        async Task DriveAsync(Watched account, int index)
        {
            // Accounts start spread over one period, so changes arrive evenly rather than in waves.
            var next = period * index / _accounts.Length;
            while (next < duration)
            {
                var wait = next - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                var change = account.Begin();
                var sent = Stopwatch.GetTimestamp();
                account.Person = await api.SetPersonLifeSupportAsync(account.Person, change.LifeSupport, cancellationToken);
                var called = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                try
                {
                    await change.AllReceived.Task.WaitAsync(s_deadline, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // Counted as lost below: a message more than 10 s late is no live update.
                }

                var outcome = account.End();
                lock (latencies)
                {
                    latencies.AddRange(outcome.LatenciesMs);
                    calls.Add(called);
                    expected += account.Watchers;
                    received += outcome.LatenciesMs.Length;
                    lost += account.Watchers - outcome.LatenciesMs.Length;
                    changes++;
                }

                next += period;
                var now = Stopwatch.GetElapsedTime(start);
                if (next < now)
                {
                    next = now;
                }
            }
        }

        await Task.WhenAll(_accounts.Select((account, index) => DriveAsync(account, index)));
        var elapsed = Stopwatch.GetElapsedTime(start);
        var cpuEnd = CpuSampler.Take(cpu);
        return new AlertRun(
            expected, received, lost, _accounts.Sum(a => a.Late), [.. latencies], [.. calls], changes / elapsed.TotalSeconds, CpuSampler.Between(cpuStart, cpuEnd));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var batch in _connections.Chunk(50))
        {
            await Task.WhenAll(batch.Select(c => c.DisposeAsync().AsTask()));
        }

        _connections.Clear();
    }

    private void OnAlerts(Watched account, int slot, AlertsReceived message)
    {
        if (_byId.TryGetValue(message.AccountId, out var target) && ReferenceEquals(target, account))
        {
            account.Receive(slot, message);
        }
    }

    /// <summary>An account, its main customer, its watchers, and the change in flight.</summary>
    private sealed class Watched(string accountId, PersonRef person)
    {
        private readonly Lock _lock = new();
        private readonly List<bool> _received = [];
        private readonly List<double> _latencies = [];
        private Change? _current;
        private bool _lifeSupport;

        public string AccountId { get; } = accountId;

        public PersonRef Person { get; set; } = person;

        public int Watchers => _received.Count;

        /// <summary>Messages that showed the awaited flag after their change was given up on, or that matched no change.</summary>
        public long Late { get; set; }

        public int AddWatcher()
        {
            lock (_lock)
            {
                _received.Add(false);
                return _received.Count - 1;
            }
        }

        public Change Begin()
        {
            lock (_lock)
            {
                for (var i = 0; i < _received.Count; i++)
                {
                    _received[i] = false;
                }

                _latencies.Clear();
                _current = new Change(!_lifeSupport, Stopwatch.GetTimestamp());
                return _current;
            }
        }

        public (double[] LatenciesMs, bool Complete) End()
        {
            lock (_lock)
            {
                var change = _current!;
                _current = null;
                _lifeSupport = change.LifeSupport;
                return ([.. _latencies], _latencies.Count == _received.Count);
            }
        }

        public void Receive(int slot, AlertsReceived message)
        {
            lock (_lock)
            {
                if (_current is not { } change || message.LifeSupportPerson != change.LifeSupport || _received[slot])
                {
                    Late++;
                    return;
                }

                _received[slot] = true;
                _latencies.Add(Stopwatch.GetElapsedTime(change.SentAt, message.ReceivedAt).TotalMilliseconds);
                if (_latencies.Count == _received.Count)
                {
                    change.AllReceived.TrySetResult();
                }
            }
        }
    }

    /// <summary>A change in flight: the flag it sets and when its PATCH was sent.</summary>
    private sealed class Change(bool lifeSupport, long sentAt)
    {
        public bool LifeSupport { get; } = lifeSupport;

        public long SentAt { get; } = sentAt;

        public TaskCompletionSource AllReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
