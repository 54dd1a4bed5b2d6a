using System.Text.Json;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Runtime.Storage;

namespace Actors.Api.Apis;

/// <summary>The <c>GET {id}/history</c> route every entity group has: its stream, read by <see cref="HistoryReader"/>.</summary>
internal static class HistoryRoutes
{
    public static RouteHandlerBuilder MapHistory<TId>(this RouteGroupBuilder group, string streamNamespace, string entity, string summary)
        where TId : struct, ITypedId<TId> =>
        group.MapGet("/{id}/history", (string id, long? after, int? limit, HistoryReader history, CancellationToken ct) =>
                history.ReadAsync(streamNamespace, RouteIds.Parse<TId>(id, entity).Value, after, limit, ct))
            .WithName($"Get{entity.Replace(" ", string.Empty, StringComparison.Ordinal)}History")
            .WithSummary(summary);
}

/// <summary>
/// Reads the outbox for the events API and for entity histories. An entity's stream is its history: each event
/// names who (a user, or <c>system:&lt;reminder&gt;</c>), when, the reason and comment, and what changed.
/// </summary>
public sealed class HistoryReader(IStorageProvider storage)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    private static readonly string[] s_auditFields = ["actor", "reason", "comment", "occurredAt"];

    public async Task<EventPage> ReadEventsAsync(long? after, string? stream, int? limit, CancellationToken cancellationToken)
    {
        var (from, max) = Page(after, limit);
        var events = await storage.ReadEventsAsync(from, max + 1, string.IsNullOrWhiteSpace(stream) ? null : stream, cancellationToken);
        var page = events.Take(max).Select(e =>
        {
            using var payload = JsonDocument.Parse(e.Payload);
            return new EventResponse(e.Seq, e.Stream, e.Type, OccurredAt(payload.RootElement, e), payload.RootElement.Clone());
        }).ToList();
        return new EventPage(page, page.Count > 0 ? page[^1].Seq : from, events.Count > max);
    }

    public async Task<IReadOnlyList<HistoryEntry>> ReadAsync(string streamNamespace, string entityId, long? after, int? limit, CancellationToken cancellationToken)
    {
        var (from, max) = Page(after, limit);
        var events = await storage.ReadEventsAsync(from, max, $"{streamNamespace}/{entityId}", cancellationToken);
        return [.. events.Select(ToHistory)];
    }

    private static HistoryEntry ToHistory(StoredEvent stored)
    {
        using var payload = JsonDocument.Parse(stored.Payload);
        var root = payload.RootElement;
        var changes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject().Where(p => !s_auditFields.Contains(p.Name, StringComparer.Ordinal)))
        {
            changes[property.Name] = property.Value.Clone();
        }

        return new HistoryEntry(
            stored.Seq,
            stored.Type,
            OccurredAt(root, stored),
            Text(root, "actor") ?? "unknown",
            Text(root, "reason"),
            Text(root, "comment"),
            JsonSerializer.SerializeToElement(changes));
    }

    private static (long From, int Max) Page(long? after, int? limit)
    {
        var rules = new RequestRules();
        if (after < 0)
        {
            rules.Add("after", "'after' must be 0 or more.");
        }

        if (limit is < 1 or > MaxLimit)
        {
            rules.Add("limit", $"'limit' must be between 1 and {MaxLimit}.");
        }

        rules.ThrowIfAny();
        return (after ?? 0, limit ?? DefaultLimit);
    }

    private static DateTimeOffset OccurredAt(JsonElement root, StoredEvent stored) =>
        root.TryGetProperty("occurredAt", out var value) && value.TryGetDateTimeOffset(out var at) ? at : stored.CreatedAt;

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
