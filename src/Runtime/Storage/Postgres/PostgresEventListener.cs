using Microsoft.Extensions.Logging;
using Npgsql;

namespace Actors.Runtime.Storage.Postgres;

/// <summary>
/// One long-lived LISTEN connection per provider, started by the first waiter. A notification of appended outbox rows
/// carries the commit's last seq and wakes every waiter that has not seen it; the provider's own commits also signal
/// here directly (<see cref="Notify"/>), without waiting for their notification. When the connection breaks the loop
/// reconnects with a short back-off and, once it listens again, reads the last seq, because notifications sent in the
/// gap are lost; until then waiters fall back on their own timeout. A notification without a seq (a node of an older
/// version) is answered the same way.
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

    public Task<long> WaitAsync(long seenSeq, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        EnsureStarted();
        return _appended.WaitAsync(seenSeq, maxWait, cancellationToken);
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

    /// <summary>This node committed rows up to <paramref name="seq"/>.</summary>
    public void Notify(long seq) => _appended.Set(seq);

    /// <summary>After a (re)connect, or a notification without a seq: the last seq, read on the listening connection.</summary>
    private async Task ReadLastSeqAsync(NpgsqlConnection connection, CancellationToken stopping)
    {
        await using var command = new NpgsqlCommand(PostgresSql.ReadLastSeq, connection);
        _appended.Set((long)(await command.ExecuteScalarAsync(stopping))!);
    }

    private async Task ListenLoopAsync(CancellationToken stopping)
    {
        var retryDelay = FirstRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                var unnumbered = false;
                connection.Notification += (_, notification) =>
                {
                    if (long.TryParse(notification.Payload, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
                    {
                        _appended.Set(seq);
                    }
                    else
                    {
                        unnumbered = true;
                    }
                };
                await connection.OpenAsync(stopping);
                await using (var listen = new NpgsqlCommand(PostgresSql.Listen, connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                LogListening();
                retryDelay = FirstRetryDelay;
                await ReadLastSeqAsync(connection, stopping);
                Interlocked.Increment(ref _connections);
                while (true)
                {
                    // A notification without a seq may also arrive while the last seq is being read: read it again.
                    while (unnumbered)
                    {
                        unnumbered = false;
                        await ReadLastSeqAsync(connection, stopping);
                    }

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
