using System.Security.Claims;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Actors.Api.Apis;

public static class PremisesApi
{
    public static IEndpointRouteBuilder MapPremisesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/premises").WithTags("Premises");
        group.MapPost("/", CreateAsync).WithName("CreatePremise").WithSummary("Creates a premise with its service points (one per service type).");
        group.MapGet("/{id}", GetAsync).WithName("GetPremise").WithSummary("A premise: its service points and the SAs on each.");
        group.MapPost("/{id}/life-support", SetLifeSupportAsync).WithName("SetPremiseLifeSupport")
            .WithSummary("Sets or clears the premise's life-support / sensitive-load flag.");
        group.MapHistory<PremiseId>(StreamNamespaces.Premise, "Premise", "Who changed the premise, when, why, and what.");
        return routes;
    }

    internal static async Task<Created<PremiseResponse>> CreateAsync(
        CreatePremiseRequest request,
        [FromHeader(Name = IdempotencyKey.Header)] string? idempotencyKey,
        IGrainFactory grains,
        ClaimsPrincipal user)
    {
        var rules = new RequestRules();
        var address = request.Address;
        if (address is null)
        {
            rules.Add("address", "'address' is required.");
        }

        var line1 = rules.Required(address?.Line1, "address.line1");
        var city = rules.Required(address?.City, "address.city");
        var state = rules.Required(address?.State, "address.state");
        var postalCode = rules.Required(address?.PostalCode, "address.postalCode");
        var parent = rules.Id<PremiseId>(request.ParentPremiseId, "parentPremiseId", required: false);
        var points = rules.RequiredList(request.ServicePoints, "servicePoints");
        var servicePoints = points.Select((p, i) => new ServicePointInput(rules.Required(p?.ServiceType, $"servicePoints[{i}].serviceType"), p?.MeterId, p?.Metered ?? true)).ToList();
        var key = IdempotencyKey.Resolve(idempotencyKey);
        rules.ThrowIfAny();
        var id = PremiseId.ForRequest(key);
        var premise = await grains.GetGrain<IPremiseGrain>(id.Value)
            .CreateAsync(new CreatePremise(new Address(line1, city, state, postalCode, address!.Line2), servicePoints, parent, request.LifeSupport ?? false), user.ToActor());
        return TypedResults.Created($"/api/premises/{id.Value}", PremiseResponse.From(premise));
    }

    internal static async Task<PremiseResponse> SetLifeSupportAsync(string id, SetPremiseLifeSupportRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = grains.GetGrain<IPremiseGrain>(RouteIds.Parse<PremiseId>(id, "Premise").Value);
        var rules = new RequestRules();
        var lifeSupport = rules.Required(request.LifeSupport, "lifeSupport");
        rules.ThrowIfAny();
        return PremiseResponse.From(await grain.SetLifeSupportAsync(lifeSupport, user.ToActor(request.Reason, request.Comment)));
    }

    internal static async Task<PremiseResponse> GetAsync(string id, IGrainFactory grains) =>
        PremiseResponse.From(await grains.GetGrain<IPremiseGrain>(RouteIds.Parse<PremiseId>(id, "Premise").Value).GetAsync());
}
