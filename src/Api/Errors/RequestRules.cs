using Actors.Grains.Abstractions;

namespace Actors.Api.Errors;

/// <summary>
/// Collects what is wrong with a request, field by field, and throws once with all of it: a client fixes every
/// field in one round trip. Rules about the request's shape live here; business rules stay in the grains.
/// </summary>
public sealed class RequestRules
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public T Required<T>(T? value, string field)
        where T : struct
    {
        if (value is null)
        {
            Add(field, $"'{field}' is required.");
        }

        return value.GetValueOrDefault();
    }

    public string Required(string? value, string field)
    {
        if (value is null)
        {
            Add(field, $"'{field}' is required.");
        }

        return value ?? string.Empty;
    }

    public IReadOnlyList<T> RequiredList<T>(IReadOnlyList<T>? values, string field)
    {
        if (values is null || values.Count == 0)
        {
            Add(field, $"'{field}' needs at least one item.");
            return [];
        }

        return values;
    }

    /// <summary>A typed id in the request body or query (a route id that is malformed is simply not found).</summary>
    public TId? Id<TId>(string? value, string field, bool required = true)
        where TId : struct, ITypedId<TId>
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, $"'{field}' is required.");
            }

            return null;
        }

        if (TId.TryParse(value, null, out var id))
        {
            return id;
        }

        Add(field, $"'{field}' is not a valid {Describe(typeof(TId))}: '{value}'.");
        return null;
    }

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>Throws <see cref="RequestValidationException"/> when any rule was broken.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new RequestValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }

    private static string Describe(Type idType) => idType.Name switch
    {
        nameof(PersonId) => "person id (PER- and 10 characters)",
        nameof(AccountId) => "account id (ACC- and 10 characters)",
        nameof(PremiseId) => "premise id (PRM- and 10 characters)",
        nameof(ServiceAgreementId) => "service agreement id (SA- and 10 characters)",
        nameof(ServicePointId) => "service point id (SP- and 10 characters)",
        _ => idType.Name,
    };
}

/// <summary>Ids taken from the route.</summary>
public static class RouteIds
{
    /// <summary>The id, or a NotFound when it is malformed (no such entity can exist).</summary>
    public static TId Parse<TId>(string value, string entity)
        where TId : struct, ITypedId<TId> =>
        TId.TryParse(value, null, out var id) ? id : throw DomainException.NotFound(entity, value);
}
