using System.Security.Claims;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Actors.Api.Apis;

/// <summary>Start, stop and transfer service: CC&amp;B's start/stop process as single requests to the account.</summary>
public static class ServiceRequestsApi
{
    public static IEndpointRouteBuilder MapServiceRequestsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Start and stop service");
        group.MapPost("/start-service", StartAsync).WithName("StartService")
            .WithSummary("Starts service for an account at a premise: one pending-start SA per service type.");
        group.MapPost("/stop-service", StopAsync).WithName("StopService")
            .WithSummary("Requests a stop of the account's active SAs at a premise (all, or the service types given).");
        group.MapPost("/transfer-service", TransferAsync).WithName("TransferService")
            .WithSummary("Moves an account from one premise to another: a stop and a start on the same date, in one request.");
        return routes;
    }

    internal static async Task<Created<StartServiceResponse>> StartAsync(
        StartServiceRequest request,
        [FromHeader(Name = IdempotencyKey.Header)] string? idempotencyKey,
        IGrainFactory grains,
        ClaimsPrincipal user)
    {
        var rules = new RequestRules();
        var account = rules.Id<AccountId>(request.AccountId, "accountId");
        var premise = rules.Id<PremiseId>(request.PremiseId, "premiseId");
        var startDate = rules.Required(request.StartDate, "startDate");
        var types = rules.RequiredList(request.ServiceTypes, "serviceTypes");
        var key = IdempotencyKey.Resolve(idempotencyKey);
        rules.ThrowIfAny();
        var result = await grains.GetGrain<IAccountGrain>(account!.Value.Value).StartServiceAsync(
            premise!.Value, startDate, types, key, user.ToActor(request.Reason, request.Comment), request.StopCurrentOccupants ?? false);
        return TypedResults.Created($"/api/accounts/{account.Value.Value}", StartServiceResponse.From(result));
    }

    internal static async Task<StopServiceResponse> StopAsync(StopServiceRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var rules = new RequestRules();
        var account = rules.Id<AccountId>(request.AccountId, "accountId");
        var premise = rules.Id<PremiseId>(request.PremiseId, "premiseId");
        var stopDate = rules.Required(request.StopDate, "stopDate");
        rules.ThrowIfAny();
        var result = await grains.GetGrain<IAccountGrain>(account!.Value.Value)
            .StopServiceAsync(premise!.Value, stopDate, NullIfEmpty(request.ServiceTypes), user.ToActor(request.Reason, request.Comment));
        return StopServiceResponse.From(result);
    }

    internal static async Task<Created<TransferServiceResponse>> TransferAsync(
        TransferServiceRequest request,
        [FromHeader(Name = IdempotencyKey.Header)] string? idempotencyKey,
        IGrainFactory grains,
        ClaimsPrincipal user)
    {
        var rules = new RequestRules();
        var account = rules.Id<AccountId>(request.AccountId, "accountId");
        var from = rules.Id<PremiseId>(request.FromPremiseId, "fromPremiseId");
        var to = rules.Id<PremiseId>(request.ToPremiseId, "toPremiseId");
        var date = rules.Required(request.Date, "date");
        if (from is not null && from == to)
        {
            rules.Add("toPremiseId", "'toPremiseId' must differ from 'fromPremiseId'.");
        }

        var key = IdempotencyKey.Resolve(idempotencyKey);
        rules.ThrowIfAny();
        var result = await grains.GetGrain<IAccountGrain>(account!.Value.Value).TransferServiceAsync(
            from!.Value, to!.Value, date, NullIfEmpty(request.ServiceTypes), key, user.ToActor(request.Reason, request.Comment));
        return TypedResults.Created($"/api/accounts/{account.Value.Value}", TransferServiceResponse.From(result));
    }

    private static IReadOnlyList<ServiceType>? NullIfEmpty(IReadOnlyList<ServiceType>? types) => types is { Count: > 0 } ? types : null;
}
