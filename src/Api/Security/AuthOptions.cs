using System.ComponentModel.DataAnnotations;

namespace Actors.Api.Security;

/// <summary>Who may sign in and how tokens are signed ("Auth" section).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>The users who may sign in. Empty: nobody can (the silo logs a warning at start-up).</summary>
    public List<ApiUser> Users { get; set; } = [];

    /// <summary>
    /// The key that signs bearer tokens (at least 32 characters). When unset a random key is made at start-up, so
    /// tokens do not survive a restart and are valid on this silo only: set it for a cluster.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a token is valid; default 8 hours (a CSR's shift).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKey is { Length: < 32 })
        {
            yield return new ValidationResult("Auth:SigningKey must be at least 32 characters.", [nameof(SigningKey)]);
        }

        if (TokenLifetime <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Auth:TokenLifetime must be positive.", [nameof(TokenLifetime)]);
        }

        for (var i = 0; i < Users.Count; i++)
        {
            var user = Users[i];
            if (string.IsNullOrWhiteSpace(user.Username) || string.IsNullOrEmpty(user.Password))
            {
                yield return new ValidationResult($"Auth:Users:{i} needs a Username and a Password.", [nameof(Users)]);
            }

            foreach (var role in user.Roles.Where(r => !ApiRoles.All.Contains(r)))
            {
                yield return new ValidationResult($"Auth:Users:{i} has the unknown role '{role}' (known: {string.Join(", ", ApiRoles.All)}).", [nameof(Users)]);
            }
        }

        foreach (var duplicate in Users.GroupBy(u => u.Username, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            yield return new ValidationResult($"Auth:Users names '{duplicate.Key}' more than once.", [nameof(Users)]);
        }
    }
}

/// <summary>A user from configuration.</summary>
public sealed class ApiUser
{
    public string Username { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    public List<string> Roles { get; set; } = [];
}

/// <summary>The roles of the API and the policies built on them.</summary>
public static class ApiRoles
{
    /// <summary>A customer service representative: customers, service requests, field activities, To Dos.</summary>
    public const string Csr = "CSR";

    /// <summary>An administrator: everything a CSR may do, and the clock.</summary>
    public const string Admin = "Admin";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Csr, Admin };

    /// <summary>Staff working customers' accounts (CSR or Admin): the default for every API endpoint.</summary>
    public const string StaffPolicy = "Staff";

    /// <summary>Administrators only.</summary>
    public const string AdminPolicy = "Admin";
}
