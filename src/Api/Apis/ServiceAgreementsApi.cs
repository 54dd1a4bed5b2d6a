using System.Security.Claims;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.Security;

namespace Actors.Api.Apis;

public static class ServiceAgreementsApi
{
    public static IEndpointRouteBuilder MapServiceAgreementsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/service-agreements").WithTags("Service agreements");
        group.MapGet("/{id}", GetAsync).WithName("GetServiceAgreement").WithSummary("A service agreement.");
        group.MapPost("/{id}/activate", ActivateAsync).WithName("ActivateServiceAgreement")
            .WithSummary("Activates a pending start by hand (on or after its start date); a reason is required.");
        group.MapPost("/{id}/stop", StopAsync).WithName("StopServiceAgreement")
            .WithSummary("Requests a stop at a date (or moves a pending stop); a reason is required.");
        group.MapPost("/{id}/cancel", CancelAsync).WithName("CancelServiceAgreement")
            .WithSummary("Cancels the SA with a reason; a canceled pending start withdraws the stop it requested of the previous customer.");
        group.MapHistory<ServiceAgreementId>(
            StreamNamespaces.ServiceAgreement, "Service agreement", "Who changed the SA, when, why, and what (reminders appear as system:<name>).");
        return routes;
    }

    internal static async Task<ServiceAgreementResponse> GetAsync(string id, IGrainFactory grains) =>
        ServiceAgreementResponse.From(await Grain(id, grains).GetAsync());

    internal static async Task<ServiceAgreementResponse> ActivateAsync(string id, ServiceAgreementActionRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = Grain(id, grains);
        RequireReason(request.Reason);
        return ServiceAgreementResponse.From(await grain.ActivateAsync(user.ToActor(request.Reason, request.Comment), request.Version));
    }

    internal static async Task<ServiceAgreementResponse> StopAsync(string id, StopServiceAgreementRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = Grain(id, grains);
        var rules = new RequestRules();
        var stopDate = rules.Required(request.StopDate, "stopDate");
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            rules.Add("reason", "'reason' is required.");
        }

        rules.ThrowIfAny();
        return ServiceAgreementResponse.From(await grain.StopAsync(stopDate, user.ToActor(request.Reason, request.Comment), expectedVersion: request.Version));
    }

    internal static async Task<ServiceAgreementResponse> CancelAsync(string id, ServiceAgreementActionRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = Grain(id, grains);
        RequireReason(request.Reason);
        return ServiceAgreementResponse.From(await grain.CancelAsync(user.ToActor(request.Reason, request.Comment), request.Version));
    }

    private static void RequireReason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new RequestValidationException("reason", "'reason' is required.");
        }
    }

    private static ServiceAgreementId Parse(string id) => RouteIds.Parse<ServiceAgreementId>(id, "Service agreement");

    private static IServiceAgreementGrain Grain(string id, IGrainFactory grains) => grains.GetGrain<IServiceAgreementGrain>(Parse(id).Value);
}
