namespace Actors.Api.Apis;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/events", (long? after, string? stream, int? limit, HistoryReader history, CancellationToken ct) =>
                history.ReadEventsAsync(after, stream, limit, ct))
            .WithTags("Events")
            .WithName("GetEvents")
            .WithSummary("The event log in commit order after a sequence, optionally of one stream (e.g. sa/SA-…): how a client catches up after a reconnect.");
        return routes;
    }
}
