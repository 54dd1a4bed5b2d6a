using System.Security.Claims;
using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.Live;
using Actors.Api.ReadModels;
using Actors.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Actors.Api.Apis;

public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/accounts").WithTags("Accounts");
        group.MapPost("/", CreateAsync).WithName("CreateAccount").WithSummary("Creates an account with its main customer.");
        group.MapGet("/{id}", GetAsync).WithName("GetAccount").WithSummary("An account: persons, SAs with status and dates.");
        group.MapPatch("/{id}", UpdateAsync).WithName("UpdateAccount").WithSummary("Changes the customer class (version required).");
        group.MapPost("/{id}/persons", SetPersonAsync).WithName("SetAccountPerson")
            .WithSummary("Adds a person to the account or changes their role; making one main customer demotes the previous one.");
        group.MapDelete("/{id}/persons/{personId}", RemovePersonAsync).WithName("RemoveAccountPerson")
            .WithSummary("Removes a person (not the main customer) from the account.");
        group.MapGet("/{id}/alerts", AlertsAsync).WithName("GetAccountAlerts")
            .WithSummary("The account's Control Central alert zone: code, message, severity (live over /hubs/alerts).");
        group.MapHistory<AccountId>(StreamNamespaces.Account, "Account", "Who changed the account, when, why, and what.");
        return routes;
    }

    internal static async Task<Created<AccountResponse>> CreateAsync(
        CreateAccountRequest request,
        [FromHeader(Name = IdempotencyKey.Header)] string? idempotencyKey,
        IGrainFactory grains,
        ClaimsPrincipal user)
    {
        var rules = new RequestRules();
        var mainCustomer = rules.Id<PersonId>(request.MainCustomerId, "mainCustomerId");
        var customerClass = rules.Required(request.CustomerClass, "customerClass");
        var key = IdempotencyKey.Resolve(idempotencyKey);
        rules.ThrowIfAny();
        var id = AccountId.ForRequest(key);
        var account = await grains.GetGrain<IAccountGrain>(id.Value)
            .CreateAsync(new CreateAccount(customerClass, [new AccountPerson(mainCustomer!.Value, IsMainCustomer: true)]), user.ToActor());
        return TypedResults.Created($"/api/accounts/{id.Value}", AccountResponse.From(account));
    }

    internal static async Task<AccountResponse> GetAsync(string id, IGrainFactory grains) =>
        AccountResponse.From(await grains.GetGrain<IAccountGrain>(Parse(id).Value).GetAsync());

    internal static async Task<AccountResponse> UpdateAsync(string id, UpdateAccountRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = grains.GetGrain<IAccountGrain>(Parse(id).Value);
        var rules = new RequestRules();
        var version = rules.Required(request.Version, "version");
        var customerClass = rules.Required(request.CustomerClass, "customerClass");
        rules.ThrowIfAny();
        return AccountResponse.From(await grain.UpdateAsync(new UpdateAccount(customerClass, version), user.ToActor(request.Reason, request.Comment)));
    }

    internal static async Task<AccountResponse> SetPersonAsync(string id, SetAccountPersonRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = grains.GetGrain<IAccountGrain>(Parse(id).Value);
        var rules = new RequestRules();
        var personId = rules.Id<PersonId>(request.PersonId, "personId");
        rules.ThrowIfAny();
        var person = new AccountPerson(personId!.Value, request.IsMainCustomer ?? false, request.IsFinanciallyResponsible ?? true, request.ReceivesBillCopy ?? false);
        return AccountResponse.From(await grain.SetPersonAsync(person, user.ToActor(request.Reason, request.Comment)));
    }

    internal static async Task<AccountResponse> RemovePersonAsync(string id, string personId, IGrainFactory grains, ClaimsPrincipal user)
    {
        var grain = grains.GetGrain<IAccountGrain>(Parse(id).Value);
        return AccountResponse.From(await grain.RemovePersonAsync(RouteIds.Parse<PersonId>(personId, "Person"), user.ToActor()));
    }

    internal static async Task<IReadOnlyList<AccountAlert>> AlertsAsync(string id, IGrainFactory grains, CustomerCareReadModel readModel)
    {
        var accountId = Parse(id);
        await grains.GetGrain<IAccountGrain>(accountId.Value).GetAsync();
        return readModel.Alerts(accountId).Alerts;
    }

    private static AccountId Parse(string id) => RouteIds.Parse<AccountId>(id, "Account");
}
