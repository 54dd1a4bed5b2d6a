using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace Actors.Bench;

/// <summary>pg_stat_wal totals: WAL flushes and the milliseconds spent in them.</summary>
internal readonly record struct WalSnapshot(long Syncs, double SyncMs);

/// <summary>
/// Reads the server's own counters so that "store transactions per write" and "WAL flushes per transaction" are
/// what PostgreSQL counted, not what the runtime believes it sent.
/// </summary>
/// <remarks>
/// PostgreSQL 15 backends publish their counters to shared memory at most once a second while busy; a backend that
/// goes idle soon after a publication waits PGSTAT_IDLE_INTERVAL (10 s) before publishing the rest. The runtime's
/// pooled connections stay open and go idle when a phase ends, so a reading is only exact once 11 s have passed since
/// the last pooled work: readings wait for that. pgbench's backends exit at its end and publish as they exit.
/// </remarks>
internal sealed class ServerStats(PostgresInstance server)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(11);

    // The one-silo and the cluster phases start up at the same time: both mark their databases.
    private readonly ConcurrentDictionary<string, long> _quietSince = new(StringComparer.Ordinal);
    private long _clusterQuietSince;

    /// <summary>Pooled connections of <paramref name="database"/> have just stopped working.</summary>
    public void PooledWorkEnded(string database)
    {
        var now = Stopwatch.GetTimestamp();
        _quietSince[database] = now;
        _clusterQuietSince = now;
    }

    /// <summary>Committed transactions of one database (pg_stat_database.xact_commit), once they are all published.</summary>
    public async Task<long> ReadCommitsAsync(string database, CancellationToken cancellationToken)
    {
        await SettleAsync(_quietSince.GetValueOrDefault(database), cancellationToken);
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = database } },
        };
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>WAL flush count and time of the whole server, once every backend's share is published.</summary>
    public async Task<WalSnapshot> ReadWalAsync(CancellationToken cancellationToken)
    {
        await SettleAsync(_clusterQuietSince, cancellationToken);
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT wal_sync, wal_sync_time FROM pg_stat_wal", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new WalSnapshot(reader.GetInt64(0), reader.GetDouble(1));
    }

    /// <summary>The WAL insert position in bytes: exact at any instant, no publication delay.</summary>
    public Task<decimal> ReadWalPositionAsync(CancellationToken cancellationToken) =>
        server.QueryScalarAsync<decimal>("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn", cancellationToken);

    /// <summary>Waits until pgbench's backends have exited, and so published their counters.</summary>
    public async Task WaitForNoBackendsAsync(string database, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (await server.QueryScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'", cancellationToken) > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Backends of database '{database}' were still connected 10 s after pgbench ended.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task SettleAsync(long quietSince, CancellationToken cancellationToken)
    {
        if (quietSince == 0)
        {
            return;
        }

        var remaining = s_settle - Stopwatch.GetElapsedTime(quietSince);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancellationToken);
        }
    }
}
