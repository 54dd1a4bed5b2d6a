using System.Diagnostics.CodeAnalysis;
using Actors.Grains.Abstractions;

namespace Actors.Grains.Rules;

/// <summary>Field checks shared by the grains. Each failure is an Invalid <see cref="DomainException"/> naming the field.</summary>
public static class Validate
{
    public static void Actor([NotNull] Actor? actor)
    {
        if (actor is null || string.IsNullOrWhiteSpace(actor.User) || actor.User.Length > 200)
        {
            throw DomainException.Invalid("actor", "The acting user is required (at most 200 characters).");
        }
    }

    /// <summary>Manual overrides and cancellations must say why.</summary>
    public static void Reason(Actor actor)
    {
        if (string.IsNullOrWhiteSpace(actor.Reason))
        {
            throw DomainException.Invalid("reason", "A reason is required.");
        }
    }

    public static string Required(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw DomainException.Invalid(field, $"'{field}' is required.");
        }

        return trimmed.Length <= maxLength ? trimmed : throw DomainException.Invalid(field, $"'{field}' is longer than {maxLength} characters.");
    }

    public static string? Optional(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return trimmed.Length <= maxLength ? trimmed : throw DomainException.Invalid(field, $"'{field}' is longer than {maxLength} characters.");
    }

    /// <summary>Digits with the usual separators (+, space, -, parentheses, dot), 3 to 32 characters.</summary>
    public static string? Phone(string? value)
    {
        var phone = Optional(value, "phone", 32);
        if (phone is not null && (phone.Length < 3 || !phone.Any(char.IsAsciiDigit) || !phone.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')))
        {
            throw DomainException.Invalid("phone", $"'{phone}' is not a phone number.");
        }

        return phone;
    }

    /// <summary>A plausible address: one '@' with text on both sides, a dot in the domain, no spaces.</summary>
    public static string? Email(string? value)
    {
        var email = Optional(value, "email", 254);
        if (email is null)
        {
            return null;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        var valid = at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1
            && email[(at + 1)..].Contains('.', StringComparison.Ordinal) && !email.Any(char.IsWhiteSpace);
        return valid ? email : throw DomainException.Invalid("email", $"'{email}' is not an e-mail address.");
    }

    /// <summary>A business date may lie in the past only within the back-dating window.</summary>
    public static void NotBeforeWindow(DateOnly date, DateOnly today, int backdateWindowDays, string field)
    {
        var earliest = today.AddDays(-backdateWindowDays);
        if (date < earliest)
        {
            throw DomainException.Invalid(field, $"{date:yyyy-MM-dd} is more than {backdateWindowDays} days in the past (earliest allowed: {earliest:yyyy-MM-dd}).");
        }
    }

    /// <summary>A non-empty list of distinct, known service types.</summary>
    public static IReadOnlyList<ServiceType> ServiceTypes(IReadOnlyList<ServiceType>? serviceTypes, string field = "serviceTypes")
    {
        if (serviceTypes is null || serviceTypes.Count == 0)
        {
            throw DomainException.Invalid(field, "At least one service type is required.");
        }

        if (serviceTypes.Any(t => !Enum.IsDefined(t)))
        {
            throw DomainException.Invalid(field, "Unknown service type.");
        }

        if (serviceTypes.Distinct().Count() != serviceTypes.Count)
        {
            throw DomainException.Invalid(field, "A service type is listed twice.");
        }

        return [.. serviceTypes];
    }

    public static string RequestId(string? requestId) => Required(requestId, "requestId", 200);
}
