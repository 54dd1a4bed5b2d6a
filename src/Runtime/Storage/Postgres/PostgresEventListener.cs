using Microsoft.Extensions.Logging;
using Npgsql;

namespace Actors.Runtime.Storage.Postgres;

/// <summary>
/// One long-lived LISTEN connection per provider, started by the first waiter. A notification of appended outbox rows
/// wakes every waiter. When the connection breaks the loop reconnects with a short back-off and wakes
/// the waiters once it listens again, because notifications sent in the gap are lost; until then waiters fall
/// back on their own timeout.
/// </summary>
internal sealed partial class PostgresEventListener : IAsyncDisposable
{
    /// <summary>The application name of the LISTEN connection, so operators (and tests) can find it.</summary>
    public const string ApplicationName = "actors-listen";

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly AsyncSignal _appended = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private Task? _loop;
    private int _connections;
    private bool _disposed;

    public PostgresEventListener(string connectionString, ILogger logger)
    {
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = ApplicationName,
            Pooling = false,
            MaxAutoPrepare = 0,

            // A LISTEN connection is idle for long stretches; keepalives find a silently dropped one.
            KeepAlive = 30,
        }.ConnectionString;
        _logger = logger;
    }

    /// <summary>How many times a LISTEN connection was established; it grows by one on every reconnect.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public Task<long> WaitAsync(long seenVersion, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        EnsureStarted();
        return _appended.WaitAsync(seenVersion, maxWait, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_startLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        await _stopping.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }

        _stopping.Dispose();
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_startLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _loop ??= Task.Run(() => ListenLoopAsync(_stopping.Token));
        }
    }

    /// <summary>After a (re)connect or a lost connection: notifications may have been missed.</summary>
    private void WakeAll() => _appended.Set();

    private async Task ListenLoopAsync(CancellationToken stopping)
    {
        var retryDelay = FirstRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += (_, _) => _appended.Set();
                await connection.OpenAsync(stopping);
                await using (var listen = new NpgsqlCommand(PostgresSql.Listen, connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                LogListening();
                retryDelay = FirstRetryDelay;
                WakeAll();
                Interlocked.Increment(ref _connections);
                while (true)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Whatever broke (a killed backend, the network, a server restart), the cure is a new connection.
                LogConnectionLost(exception, retryDelay);
                WakeAll();
            }

            try
            {
                await Task.Delay(retryDelay, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listening for outbox notifications")]
    private partial void LogListening();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox LISTEN connection lost; reconnecting in {RetryDelay}")]
    private partial void LogConnectionLost(Exception exception, TimeSpan retryDelay);
}
