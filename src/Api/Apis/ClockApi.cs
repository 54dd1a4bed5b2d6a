using Actors.Api.Clock;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.Security;
using Actors.Runtime.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Api.Apis;

/// <summary>
/// The manual business clock (<c>Clock:Mode=Manual</c>), for demos and tests: read it, move it forward. Due
/// reminders fire as it passes them; the move answers once they have run (or after <c>Clock:SettleTimeout</c>,
/// with <c>settled: false</c>). With the system clock these endpoints do not exist (404).
/// </summary>
public static class ClockApi
{
    public static IEndpointRouteBuilder MapClockApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/clock").WithTags("Administration").RequireAuthorization(ApiRoles.AdminPolicy);
        group.MapGet("/", Get).WithName("GetClock").WithSummary("The business clock.");
        group.MapPost("/", SetAsync).WithName("SetClock").WithSummary("Moves the manual business clock forward to an instant.");
        return routes;
    }

    internal static Results<Ok<ClockResponse>, ProblemHttpResult> Get(BusinessClock clock) =>
        clock.Manual is null ? NoManualClock() : TypedResults.Ok(new ClockResponse(clock.Time.GetUtcNow(), nameof(ClockMode.Manual), Settled: true));

    internal static async Task<Results<Ok<ClockResponse>, ProblemHttpResult>> SetAsync(
        SetClockRequest request,
        BusinessClock clock,
        IRuntimeQuiescence quiescence,
        Actors.Runtime.Storage.IStorageProvider storage,
        IOptions<ClockOptions> options,
        CancellationToken cancellationToken)
    {
        if (clock.Manual is not { } manual)
        {
            return NoManualClock();
        }

        var rules = new RequestRules();
        var target = rules.Required(request.Now, "now");
        rules.ThrowIfAny();
        try
        {
            await ManualClockSync.MoveAsync(manual, storage, target, cancellationToken);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw DomainException.Invalid("now", $"The clock is at {manual.GetUtcNow():O} and never goes backwards.");
        }

        var settled = await quiescence.WaitForQuiescenceAsync(options.Value.SettleTimeout, cancellationToken);
        return TypedResults.Ok(new ClockResponse(manual.GetUtcNow(), nameof(ClockMode.Manual), settled));
    }

    private static ProblemHttpResult NoManualClock() => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found",
        detail: "Business time runs on the system clock; start the silo with Clock:Mode=Manual to move it.");
}
