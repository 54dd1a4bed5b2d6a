using System.Security.Claims;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.ReadModels;
using Actors.Api.Security;

namespace Actors.Api.Apis;

public static class FieldActivitiesApi
{
    public static IEndpointRouteBuilder MapFieldActivitiesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/field-activities").WithTags("Field activities");
        group.MapGet("/", List).WithName("ListFieldActivities")
            .WithSummary("Field activities by premise, SA and status (created by the SAs' reminders ahead of their dates).");
        group.MapGet("/{id}", GetAsync).WithName("GetFieldActivity").WithSummary("A field activity.");
        group.MapPost("/{id}/complete", CompleteAsync).WithName("CompleteFieldActivity")
            .WithSummary("Completes a field activity with its meter read; on or after the SA's date it activates or stops the SA at once.");
        return routes;
    }

    internal static IReadOnlyList<FieldActivityResponse> List(string? premiseId, string? serviceAgreementId, FieldActivityStatus? status, CustomerCareReadModel readModel)
    {
        var rules = new RequestRules();
        var premise = rules.Id<PremiseId>(premiseId, "premiseId", required: false);
        var serviceAgreement = rules.Id<ServiceAgreementId>(serviceAgreementId, "serviceAgreementId", required: false);
        rules.ThrowIfAny();
        return readModel.FieldActivities(premise, serviceAgreement, status);
    }

    internal static async Task<FieldActivityResponse> GetAsync(string id, IGrainFactory grains) =>
        FieldActivityResponse.From(await Grain(id, grains).GetAsync());

    internal static async Task<FieldActivityResponse> CompleteAsync(string id, CompleteFieldActivityRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = Grain(id, grains);
        var rules = new RequestRules();
        var read = rules.Required(request.Read, "read");
        var completedOn = rules.Required(request.CompletedOn, "completedOn");
        rules.ThrowIfAny();
        return FieldActivityResponse.From(await grain.CompleteAsync(read, completedOn, user.ToActor(comment: request.Comment)));
    }

    private static IFieldActivityGrain Grain(string id, IGrainFactory grains) =>
        grains.GetGrain<IFieldActivityGrain>(RouteIds.Parse<FieldActivityId>(id, "Field activity").Value);
}
