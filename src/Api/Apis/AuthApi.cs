using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.Api.Apis;

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/auth/token", IssueToken)
            .AllowAnonymous()
            .WithTags("Authentication")
            .WithName("IssueToken")
            .WithSummary("Signs a user in: a bearer token for the Authorization header (or access_token on the hubs).");
        return routes;
    }

    internal static Results<Ok<TokenResponse>, ProblemHttpResult> IssueToken(TokenRequest request, TokenService tokens)
    {
        var rules = new RequestRules();
        var username = rules.Required(request.Username, "username");
        var password = rules.Required(request.Password, "password");
        rules.ThrowIfAny();
        if (tokens.Authenticate(username, password) is not { } user)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: "The user name or password is wrong.");
        }

        var token = tokens.Issue(user);
        return TypedResults.Ok(new TokenResponse(token.AccessToken, token.ExpiresAt, user.Username, user.Roles));
    }
}
