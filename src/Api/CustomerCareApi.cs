using System.Text.Json.Serialization;
using Actors.Api.Apis;
using Actors.Api.Clock;
using Actors.Api.Errors;
using Actors.Api.Live;
using Actors.Api.ReadModels;
using Actors.Api.Security;
using Actors.Runtime.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Actors.Api;

/// <summary>Registration of the customer-care HTTP API.</summary>
public static class CustomerCareApi
{
    /// <summary>
    /// Adds the API's services: bearer-token authentication with users from "Auth", the role policies (every endpoint
    /// needs a signed-in CSR or Admin unless it says otherwise), problem details for every error, the JSON shape
    /// (camelCase, enums by name, unknown fields refused), OpenAPI, the read model and the business clock.
    /// </summary>
    public static IServiceCollection AddCustomerCareApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ClockOptions>().Bind(configuration.GetSection(ClockOptions.SectionName));
        // Token expiry runs on the real clock: the TimeProvider in the container is the business clock a demo moves.
        services.AddSingleton(sp => new TokenService(sp.GetRequiredService<IOptions<AuthOptions>>()));
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiRoles.StaffPolicy, p => p.RequireAuthenticatedUser().RequireRole(ApiRoles.Csr, ApiRoles.Admin))
            .AddPolicy(ApiRoles.AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(ApiRoles.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        services.AddOpenApi();
        services.AddSingleton<HistoryReader>();
        services.AddAccountAlertRules();
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddSingleton<ILiveUpdateSink, HubLiveUpdateSink>();
        services.AddOutboxConsumer<CustomerCareReadModel>();

        // After the runtime's own hosted service, so the store is initialised when the clock reads it.
        services.AddHostedService<ManualClockSync>();
        return services;
    }

    /// <summary>The business clock from the "Clock" section: hand its <see cref="BusinessClock.Time"/> to the runtime.</summary>
    public static BusinessClock AddBusinessClock(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var clock = BusinessClock.Create(configuration.GetSection(ClockOptions.SectionName).Get<ClockOptions>() ?? new ClockOptions());
        services.AddSingleton(clock);
        return clock;
    }

    /// <summary>Maps every API endpoint and the OpenAPI document (<c>/openapi/v1.json</c>).</summary>
    public static IEndpointRouteBuilder MapCustomerCareApi(this IEndpointRouteBuilder routes)
    {
        // The document describes the contract, not anybody's data: clients may read it before they sign in.
        routes.MapOpenApi().AllowAnonymous();
        routes.MapAuthApi();
        var api = routes.MapGroup(string.Empty).RequireAuthorization(ApiRoles.StaffPolicy);
        api.MapPersonsApi();
        api.MapAccountsApi();
        api.MapPremisesApi();
        api.MapServiceRequestsApi();
        api.MapServiceAgreementsApi();
        api.MapFieldActivitiesApi();
        api.MapToDosApi();
        api.MapSearchApi();
        api.MapEventsApi();
        api.MapClockApi();
        routes.MapHub<AlertsHub>(AlertsHub.Path);
        return routes;
    }
}
