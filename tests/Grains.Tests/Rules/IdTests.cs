using System.Text.Json;
using Actors.Grains.Abstractions;
using Actors.Runtime.Hosting;

namespace Actors.Grains.Tests.Rules;

public sealed class IdTests
{
    private static readonly JsonSerializerOptions Json = ServiceCollectionExtensions.CreateJsonOptions();

    [Fact]
    public void New_HasPrefixAndTenCrockfordCharacters_AndParsesBack()
    {
        var id = PersonId.New();

        Assert.Matches("^PER-[0-9A-HJKMNP-TV-Z]{10}$", id.Value);
        Assert.Equal(id, PersonId.Parse(id.Value));
        Assert.NotEqual(id, PersonId.New());
    }

    [Fact]
    public void Parse_NormalisesToUpperCase()
    {
        Assert.Equal("ACC-0123456789", AccountId.Parse("acc-0123456789").Value);
        Assert.Equal(AccountId.Parse("ACC-ABCDEFGHJK"), AccountId.Parse("acc-abcdefghjk"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("PER-")]
    [InlineData("PER-012345678")]
    [InlineData("PER-01234567890")]
    [InlineData("PER-01234567I9")]
    [InlineData("PER-0123456U89")]
    [InlineData("ACC-0123456789")]
    [InlineData("PER 0123456789")]
    [InlineData("PER-01234/6789")]
    public void TryParse_RejectsMalformedPersonIds(string? text)
    {
        Assert.False(PersonId.TryParse(text, out var id));
        Assert.Equal(default, id);
    }

    [Fact]
    public void Constructor_ThrowsFormatException_ForMalformedValue()
    {
        var ex = Assert.Throws<FormatException>(() => new PremiseId("PRM-xyz"));
        Assert.Contains("PRM-", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServiceAgreementId_IsDerivedFromAccountRequestAndServiceType()
    {
        var account = AccountId.Parse("ACC-0000000001");

        var electric = ServiceAgreementId.For(account, "key-1", ServiceType.Electric);

        Assert.Equal(electric, ServiceAgreementId.For(account, "key-1", ServiceType.Electric));
        Assert.NotEqual(electric, ServiceAgreementId.For(account, "key-1", ServiceType.Gas));
        Assert.NotEqual(electric, ServiceAgreementId.For(account, "key-2", ServiceType.Electric));
        Assert.NotEqual(electric, ServiceAgreementId.For(AccountId.Parse("ACC-0000000002"), "key-1", ServiceType.Electric));
        Assert.Matches("^SA-[0-9A-HJKMNP-TV-Z]{10}$", electric.Value);
    }

    [Fact]
    public void ServicePointId_IsDerivedFromPremiseAndServiceType()
    {
        var premise = PremiseId.Parse("PRM-0000000001");

        Assert.Equal(ServicePointId.For(premise, ServiceType.Water), ServicePointId.For(premise, ServiceType.Water));
        Assert.NotEqual(ServicePointId.For(premise, ServiceType.Water), ServicePointId.For(premise, ServiceType.Gas));
    }

    [Fact]
    public void FieldActivityAndToDoIds_EmbedTheServiceAgreementId()
    {
        var sa = ServiceAgreementId.Parse("SA-0123456789");

        Assert.Equal("FA-SA-0123456789-start", FieldActivityId.For(sa, FieldActivityKind.Start).Value);
        Assert.Equal("FA-SA-0123456789-stop", FieldActivityId.For(sa, FieldActivityKind.Stop).Value);
        Assert.Equal("TD-SA-0123456789-activation", ToDoId.For(sa, "activation").Value);
        Assert.True(FieldActivityId.TryParse("FA-SA-0123456789-stop-2", out _));
        Assert.False(FieldActivityId.TryParse("FA-SA-0123456789-", out _));
        Assert.False(ToDoId.TryParse("TD-a b", out _));
    }

    [Fact]
    public void Ids_AreUrlSafe()
    {
        foreach (var value in new[] { PersonId.New().Value, ServiceAgreementId.New().Value, FieldActivityId.For(ServiceAgreementId.New(), FieldActivityKind.Start).Value })
        {
            Assert.Equal(value, Uri.EscapeDataString(value));
        }
    }

    [Fact]
    public void Json_WritesIdsAsPlainStrings_AlsoAsDictionaryKeys()
    {
        var id = ServiceAgreementId.Parse("SA-0123456789");
        var map = new Dictionary<ServiceAgreementId, PersonId?> { [id] = null };

        Assert.Equal("\"SA-0123456789\"", JsonSerializer.Serialize(id, Json));
        Assert.Equal("{\"SA-0123456789\":null}", JsonSerializer.Serialize(map, Json));
        Assert.Equal(id, JsonSerializer.Deserialize<ServiceAgreementId>("\"sa-0123456789\"", Json));
        Assert.Equal(id, Assert.Single(JsonSerializer.Deserialize<Dictionary<ServiceAgreementId, PersonId?>>("{\"SA-0123456789\":null}", Json)!).Key);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ServiceAgreementId>("\"nope\"", Json));
    }
}
