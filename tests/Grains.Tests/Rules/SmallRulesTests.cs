using System.ComponentModel.DataAnnotations;
using Actors.Grains.Abstractions;
using Actors.Grains.Rules;

namespace Actors.Grains.Tests.Rules;

public sealed class ServiceTerritoryTests
{
    [Fact]
    public void NoPrefixes_MeansEverywhere() => Assert.True(ServiceTerritory.Contains([], "99999"));

    [Theory]
    [InlineData("94107", true)]
    [InlineData("94-107", true)]
    [InlineData("95014", false)]
    [InlineData("sw1a 1aa", true)]
    [InlineData("SW1B 1AA", false)]
    [InlineData("9", false)]
    public void Contains_MatchesPrefixesIgnoringCaseSpacesAndHyphens(string postalCode, bool expected) =>
        Assert.Equal(expected, ServiceTerritory.Contains(["941", "SW1A"], postalCode));

    [Theory]
    [InlineData("941", true)]
    [InlineData("SW1A 1", true)]
    [InlineData(" - ", false)]
    [InlineData("94*", false)]
    public void IsValidPrefix(string prefix, bool expected) => Assert.Equal(expected, ServiceTerritory.IsValidPrefix(prefix));
}

public sealed class ToDoCausesTests
{
    private static readonly DateOnly Today = new(2026, 3, 20);

    [Theory]
    [InlineData(ToDoType.ActivationException, ServiceAgreementStatus.PendingStart, false)]
    [InlineData(ToDoType.ActivationException, ServiceAgreementStatus.Active, true)]
    [InlineData(ToDoType.ActivationException, ServiceAgreementStatus.Canceled, true)]
    [InlineData(ToDoType.AgedPendingStart, ServiceAgreementStatus.PendingStart, false)]
    [InlineData(ToDoType.AgedPendingStart, ServiceAgreementStatus.Active, true)]
    public void StartToDos_ClearWhenTheSaLeavesPendingStart(ToDoType type, ServiceAgreementStatus status, bool cleared) =>
        Assert.Equal(cleared, ToDoCauses.IsCleared(type, status, stopDate: null, Today, agedPendingDays: 3));

    [Fact]
    public void FinalizationException_ClearsWhenStoppedWithdrawnOrMovedToTheFuture()
    {
        Assert.False(ToDoCauses.IsCleared(ToDoType.FinalizationException, ServiceAgreementStatus.PendingStop, Today, Today, 3));
        Assert.True(ToDoCauses.IsCleared(ToDoType.FinalizationException, ServiceAgreementStatus.Stopped, Today, Today, 3));
        Assert.True(ToDoCauses.IsCleared(ToDoType.FinalizationException, ServiceAgreementStatus.Active, null, Today, 3));
        Assert.True(ToDoCauses.IsCleared(ToDoType.FinalizationException, ServiceAgreementStatus.PendingStop, Today.AddDays(1), Today, 3));
    }

    [Fact]
    public void AgedPendingStop_ClearsWhenTheStopIsNoLongerAged()
    {
        Assert.False(ToDoCauses.IsCleared(ToDoType.AgedPendingStop, ServiceAgreementStatus.PendingStop, Today.AddDays(-3), Today, 3));
        Assert.True(ToDoCauses.IsCleared(ToDoType.AgedPendingStop, ServiceAgreementStatus.PendingStop, Today.AddDays(-2), Today, 3));
        Assert.True(ToDoCauses.IsCleared(ToDoType.AgedPendingStop, ServiceAgreementStatus.Stopped, Today.AddDays(-3), Today, 3));
    }
}

public sealed class ValidateTests
{
    [Theory]
    [InlineData("ann@example.com", true)]
    [InlineData("ann@example", false)]
    [InlineData("@example.com", false)]
    [InlineData("ann@@example.com", false)]
    [InlineData("ann smith@example.com", false)]
    public void Email(string email, bool valid)
    {
        if (valid)
        {
            Assert.Equal(email, Validate.Email(email));
        }
        else
        {
            Assert.Equal("email", Assert.Throws<DomainException>(() => Validate.Email(email)).Field);
        }
    }

    [Theory]
    [InlineData("+1 (415) 555-0100", true)]
    [InlineData("555", true)]
    [InlineData("12", false)]
    [InlineData("call me", false)]
    public void Phone(string phone, bool valid)
    {
        if (valid)
        {
            Assert.Equal(phone, Validate.Phone(phone));
        }
        else
        {
            Assert.Equal("phone", Assert.Throws<DomainException>(() => Validate.Phone(phone)).Field);
        }
    }

    [Fact]
    public void BlankOptionalFields_BecomeNull()
    {
        Assert.Null(Validate.Phone("  "));
        Assert.Null(Validate.Email(""));
    }

    [Fact]
    public void NotBeforeWindow_AllowsBackdatingUpToTheWindow()
    {
        var today = new DateOnly(2026, 3, 31);

        Validate.NotBeforeWindow(new DateOnly(2026, 3, 1), today, 30, "startDate");
        var ex = Assert.Throws<DomainException>(() => Validate.NotBeforeWindow(new DateOnly(2026, 2, 28), today, 30, "startDate"));

        Assert.Equal(DomainErrorCode.Invalid, ex.Code);
        Assert.Equal("startDate", ex.Field);
    }

    [Fact]
    public void ServiceTypes_MustBeNonEmptyAndDistinct()
    {
        Assert.Equal("serviceTypes", Assert.Throws<DomainException>(() => Validate.ServiceTypes([])).Field);
        Assert.Equal("serviceTypes", Assert.Throws<DomainException>(() => Validate.ServiceTypes([ServiceType.Gas, ServiceType.Gas])).Field);
        Assert.Equal("serviceTypes", Assert.Throws<DomainException>(() => Validate.ServiceTypes([(ServiceType)42])).Field);
        Assert.Equal([ServiceType.Gas, ServiceType.Water], Validate.ServiceTypes([ServiceType.Gas, ServiceType.Water]));
    }
}

public sealed class UtilityOptionsTests
{
    private static List<ValidationResult> Check(UtilityOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Defaults_AreValid_AndAsDocumented()
    {
        var options = new UtilityOptions();

        Assert.Empty(Check(options));
        Assert.Equal(2, options.FieldActivityLeadDays);
        Assert.Equal("UTC", options.TimeZone);
        Assert.Equal(3, options.AgedPendingDays);
        Assert.Equal(30, options.BackdateWindowDays);
        Assert.Empty(options.ServiceTerritory.PostalCodes);
    }

    [Fact]
    public void UnknownTimeZone_IsReported()
    {
        var result = Assert.Single(Check(new UtilityOptions { TimeZone = "Mars/Olympus_Mons" }));
        Assert.Contains("Mars/Olympus_Mons", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeLeadDays_IsReported()
    {
        var result = Assert.Single(Check(new UtilityOptions { FieldActivityLeadDays = -1 }));
        Assert.Equal([nameof(UtilityOptions.FieldActivityLeadDays)], result.MemberNames);
    }

    [Fact]
    public void MalformedPostalCodePrefix_IsReported()
    {
        var options = new UtilityOptions();
        options.ServiceTerritory.PostalCodes.Add("9*");

        var result = Assert.Single(Check(options));
        Assert.Contains("'9*'", result.ErrorMessage, StringComparison.Ordinal);
    }
}
