using System.Security.Claims;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.ReadModels;
using Actors.Api.Security;

namespace Actors.Api.Apis;

public static class ToDosApi
{
    public static IEndpointRouteBuilder MapToDosApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/todos").WithTags("To Do entries");
        group.MapGet("/", (string? role, ToDoStatus? status, ToDoType? type, CustomerCareReadModel readModel) => readModel.ToDos(role, status, type))
            .WithName("ListToDos").WithSummary("A role's To Do queue, by status and type.");
        group.MapGet("/{id}", GetAsync).WithName("GetToDo").WithSummary("A To Do entry.");
        group.MapPost("/{id}/assign", AssignAsync).WithName("AssignToDo").WithSummary("Assigns the entry to a user: it is being worked.");
        group.MapPost("/{id}/complete", CompleteAsync).WithName("CompleteToDo").WithSummary("Completes the entry with a comment.");
        return routes;
    }

    internal static async Task<ToDoResponse> GetAsync(string id, IGrainFactory grains) => ToDoResponse.From(await Grain(id, grains).GetAsync());

    internal static async Task<ToDoResponse> AssignAsync(string id, AssignToDoRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = Grain(id, grains);
        var rules = new RequestRules();
        var assignee = rules.Required(request.User, "user");
        rules.ThrowIfAny();
        return ToDoResponse.From(await grain.AssignAsync(assignee, user.ToActor(comment: request.Comment)));
    }

    internal static async Task<ToDoResponse> CompleteAsync(string id, CompleteToDoRequest request, IGrainFactory grains, ClaimsPrincipal user) =>
        ToDoResponse.From(await Grain(id, grains).CompleteAsync(user.ToActor(comment: request.Comment)));

    private static IToDoGrain Grain(string id, IGrainFactory grains) =>
        grains.GetGrain<IToDoGrain>(RouteIds.Parse<ToDoId>(id, "To Do entry").Value);
}
