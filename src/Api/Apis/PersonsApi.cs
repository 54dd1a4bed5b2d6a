using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Actors.Api.Apis;

public static class PersonsApi
{
    private static readonly HashSet<string> s_patchFields = new(StringComparer.Ordinal)
    {
        "version", "name", "phone", "email", "lifeSupport", "reason", "comment",
    };

    public static IEndpointRouteBuilder MapPersonsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/persons").WithTags("Persons");
        group.MapPost("/", CreateAsync).WithName("CreatePerson").WithSummary("Creates a person (customer, contact).");
        group.MapGet("/{id}", GetAsync).WithName("GetPerson").WithSummary("A person.");
        group.MapPatch("/{id}", UpdateAsync).WithName("UpdatePerson")
            .WithSummary("Changes a person: version and the fields to change; a field sent as null is cleared.");
        group.MapHistory<PersonId>(StreamNamespaces.Person, "Person", "Who changed the person, when, why, and what.");
        return routes;
    }

    internal static async Task<Created<PersonResponse>> CreateAsync(
        CreatePersonRequest request,
        [FromHeader(Name = IdempotencyKey.Header)] string? idempotencyKey,
        IGrainFactory grains,
        ClaimsPrincipal user)
    {
        var rules = new RequestRules();
        var name = rules.Required(request.Name, "name");
        var key = IdempotencyKey.Resolve(idempotencyKey);
        rules.ThrowIfAny();
        var id = PersonId.ForRequest(key);
        var person = await grains.GetGrain<IPersonGrain>(id.Value)
            .CreateAsync(new CreatePerson(name, request.Phone, request.Email, request.LifeSupport ?? false), user.ToActor());
        return TypedResults.Created($"/api/persons/{id.Value}", PersonResponse.From(person));
    }

    internal static async Task<PersonResponse> GetAsync(string id, IGrainFactory grains) =>
        PersonResponse.From(await grains.GetGrain<IPersonGrain>(RouteIds.Parse<PersonId>(id, "Person").Value).GetAsync());

    internal static async Task<PersonResponse> UpdateAsync(string id, JsonObject patch, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = grains.GetGrain<IPersonGrain>(RouteIds.Parse<PersonId>(id, "Person").Value);
        var rules = new RequestRules();
        foreach (var field in patch.Select(p => p.Key).Where(f => !s_patchFields.Contains(f)))
        {
            rules.Add(field, $"'{field}' cannot be changed here (fields: {string.Join(", ", s_patchFields)}).");
        }

        var version = rules.Required(Read<int?>(patch, "version", rules), "version");
        rules.ThrowIfAny();
        var current = await grain.GetAsync();
        var name = patch.ContainsKey("name") ? rules.Required(Read<string>(patch, "name", rules), "name") : current.Name;
        var phone = patch.ContainsKey("phone") ? Read<string>(patch, "phone", rules) : current.Phone;
        var email = patch.ContainsKey("email") ? Read<string>(patch, "email", rules) : current.Email;
        var lifeSupport = patch.ContainsKey("lifeSupport") ? rules.Required(Read<bool?>(patch, "lifeSupport", rules), "lifeSupport") : current.LifeSupport;
        var reason = Read<string>(patch, "reason", rules);
        var comment = Read<string>(patch, "comment", rules);
        rules.ThrowIfAny();
        var updated = await grain.UpdateAsync(new UpdatePerson(name, phone, email, lifeSupport, version), user.ToActor(reason, comment));
        return PersonResponse.From(updated);
    }

    private static T? Read<T>(JsonObject patch, string field, RequestRules rules)
    {
        if (!patch.TryGetPropertyValue(field, out var node) || node is null)
        {
            return default;
        }

        try
        {
            return node.Deserialize<T>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            rules.Add(field, $"'{field}' has a value of the wrong type ({node.GetValueKind()}).");
            return default;
        }
    }
}
