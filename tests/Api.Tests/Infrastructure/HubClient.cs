using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Actors.Api.Tests.Infrastructure;

/// <summary>
/// A SignalR client speaking the JSON hub protocol over a raw WebSocket (the .NET SignalR client package cannot be
/// restored here): handshake, invocations with completions, and the server's messages in arrival order.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Channel<HubMessage> _messages = Channel.CreateUnbounded<HubMessage>();
    private readonly List<HubMessage> _received = [];
    private readonly CancellationTokenSource _closing = new();
    private Task _receiving = Task.CompletedTask;
    private int _invocationId;

    private HubClient()
    {
    }

    /// <summary>Every server message received so far, in order.</summary>
    public IReadOnlyList<HubMessage> Received
    {
        get
        {
            while (_messages.Reader.TryRead(out var message))
            {
                _received.Add(message);
            }

            return _received;
        }
    }

    public static async Task<HubClient> ConnectAsync(Uri baseAddress, string? accessToken)
    {
        var client = new HubClient();
        var uri = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws", Path = "/hubs/alerts" };
        if (accessToken is not null)
        {
            uri.Query = "access_token=" + Uri.EscapeDataString(accessToken);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client._socket.ConnectAsync(uri.Uri, timeout.Token);
        await client.SendAsync("{\"protocol\":\"json\",\"version\":1}");
        var handshake = await client.ReceiveRecordsAsync(timeout.Token);
        Assert.Equal("{}", handshake.Single());
        client._receiving = Task.Run(client.ReceiveLoopAsync);
        return client;
    }

    /// <summary>Calls a hub method and returns its result (a hub error fails the call).</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object[] arguments)
    {
        var id = Interlocked.Increment(ref _invocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        var message = new JsonObject
        {
            ["type"] = 1,
            ["invocationId"] = id,
            ["target"] = target,
            ["arguments"] = JsonSerializer.SerializeToNode(arguments),
        };
        await SendAsync(message.ToJsonString());
        await Polling.CompletesAsync(completion.Task, $"the hub's answer to {target}");
        return await completion.Task;
    }

    /// <summary>Waits for the first message (received before or after the call) that satisfies the predicate.</summary>
    public async Task<HubMessage> WaitForAsync(string target, Func<JsonElement, bool> predicate, string waitingFor, TimeSpan? timeout = null)
    {
        var found = Received.FirstOrDefault(m => m.Target == target && predicate(m.Argument));
        if (found is not null)
        {
            return found;
        }

        using var limit = new CancellationTokenSource(timeout ?? Polling.DefaultTimeout);
        try
        {
            while (true)
            {
                var message = await _messages.Reader.ReadAsync(limit.Token);
                _received.Add(message);
                if (message.Target == target && predicate(message.Argument))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out waiting for a '{target}' message: {waitingFor}. Received: {string.Join(" | ", _received.Select(m => m.Target + " " + m.Argument))}");
            throw;
        }
    }

    /// <summary>Drops the connection without a close handshake, as a network failure would.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _socket.Abort();
        try
        {
            await _receiving;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The socket was aborted on purpose.
        }

        _socket.Dispose();
        _closing.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_closing.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            foreach (var record in await ReceiveRecordsAsync(_closing.Token))
            {
                using var document = JsonDocument.Parse(record);
                var root = document.RootElement;
                switch (root.GetProperty("type").GetInt32())
                {
                    case 1:
                        await _messages.Writer.WriteAsync(new HubMessage(root.GetProperty("target").GetString()!, root.GetProperty("arguments")[0].Clone()));
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
                }
            }
        }
    }

    private async Task<List<string>> ReceiveRecordsAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return [];
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (result.EndOfMessage && text.Length > 0 && text[^1] == RecordSeparator)
            {
                return [.. text.ToString().Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries)];
            }
        }
    }

    private Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
}

/// <summary>A message the hub sent: its target (<c>alerts</c>, <c>serviceAgreement</c>, <c>todos</c>) and its argument.</summary>
public sealed record HubMessage(string Target, JsonElement Argument)
{
    public long Seq => Argument.GetProperty("seq").GetInt64();
}
