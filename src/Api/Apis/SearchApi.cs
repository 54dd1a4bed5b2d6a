using Actors.Api.Contracts;
using Actors.Api.Errors;
using Actors.Api.ReadModels;

namespace Actors.Api.Apis;

public static class SearchApi
{
    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/search", Search)
            .WithTags("Control Central")
            .WithName("Search")
            .WithSummary("Control Central search by name, phone, address, or account, premise or person id.");
        return routes;
    }

    internal static IReadOnlyList<SearchResult> Search(string? q, CustomerCareReadModel readModel)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Trim().Length < 2)
        {
            throw new RequestValidationException("q", "'q' needs at least 2 characters: a name, phone, address or id.");
        }

        return readModel.Search(q);
    }
}
