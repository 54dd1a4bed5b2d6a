using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Actors.Bench;

/// <summary>An <c>alerts</c> message as a client received it: the account, the event sequence, and whether the alert set names a life-support person.</summary>
internal readonly record struct AlertsReceived(string AccountId, long Seq, bool LifeSupportPerson, long ReceivedAt);

/// <summary>
/// One dashboard's connection to <c>/hubs/alerts</c>, speaking SignalR's JSON hub protocol over a raw WebSocket (as
/// tests/Api.Tests/Infrastructure/HubClient.cs does): the handshake, invocations with their completions, a ping every
/// 10 s so the server keeps the connection, and each <c>alerts</c> message handed to a callback with the instant it was
/// read off the socket.
/// </summary>
internal sealed class HubConnection : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly byte[] s_ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly Action<AlertsReceived> _onAlerts;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private Task _receiving = Task.CompletedTask;
    private Task _pinging = Task.CompletedTask;
    private int _invocationId;

    private HubConnection(Action<AlertsReceived> onAlerts)
    {
        _onAlerts = onAlerts;
    }

    public static async Task<HubConnection> ConnectAsync(Uri baseAddress, string accessToken, Action<AlertsReceived> onAlerts, CancellationToken cancellationToken)
    {
        var connection = new HubConnection(onAlerts);
        var uri = new UriBuilder(baseAddress) { Scheme = "ws", Path = "/hubs/alerts", Query = "access_token=" + Uri.EscapeDataString(accessToken) };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await connection._socket.ConnectAsync(uri.Uri, timeout.Token);
            await connection.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"));
            var handshake = await connection.ReceiveRecordsAsync(timeout.Token);
            if (handshake.Count != 1 || handshake[0] != "{}")
            {
                throw new InvalidOperationException($"The hub refused the handshake: {string.Join(" ", handshake)}");
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        connection._receiving = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
        connection._pinging = Task.Run(connection.PingLoopAsync, CancellationToken.None);
        return connection;
    }

    /// <summary>Calls a hub method and returns its result.</summary>
    public async Task<JsonElement> InvokeAsync(string target, string argument, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _invocationId).ToString(CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        var message = $$"""{"type":1,"invocationId":"{{id}}","target":"{{target}}","arguments":[{{JsonSerializer.Serialize(argument)}}]}""" + "\u001e";
        await SendAsync(Encoding.UTF8.GetBytes(message));
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Closing anyway.
            }
        }

        _socket.Abort();
        try
        {
            await Task.WhenAll(_receiving, _pinging);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted on purpose.
        }

        _socket.Dispose();
        _closing.Dispose();
        _sending.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (!_closing.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var records = await ReceiveRecordsAsync(_closing.Token);
                var receivedAt = Stopwatch.GetTimestamp();
                foreach (var record in records)
                {
                    Handle(record, receivedAt);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Closed.
        }
    }

    private void Handle(string record, long receivedAt)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1 when root.GetProperty("target").ValueEquals("alerts"):
                var message = root.GetProperty("arguments")[0];
                var lifeSupport = message.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("code").ValueEquals("LIFE_SUPPORT_PERSON"));
                _onAlerts(new AlertsReceived(message.GetProperty("accountId").GetString()!, message.GetProperty("seq").GetInt64(), lifeSupport, receivedAt));
                break;
            case 3 when _pending.TryRemove(root.GetProperty("invocationId").GetString()!, out var completion):
                if (root.TryGetProperty("error", out var error))
                {
                    completion.SetException(new InvalidOperationException(error.GetString()));
                }
                else
                {
                    completion.SetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                }

                break;
            case 7:
                _closing.Cancel();
                break;
        }
    }

    private async Task PingLoopAsync()
    {
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), _closing.Token);
                await SendAsync(s_ping);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed.
        }
    }

    private async Task<List<string>> ReceiveRecordsAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var text = new MemoryStream();
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await _closing.CancelAsync();
                    return [];
                }

                text.Write(buffer, 0, result.Count);
                if (result.EndOfMessage && text.Length > 0 && text.GetBuffer()[text.Length - 1] == RecordSeparator)
                {
                    return [.. Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length).Split((char)RecordSeparator, StringSplitOptions.RemoveEmptyEntries)];
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SendAsync(byte[] message)
    {
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }
}
