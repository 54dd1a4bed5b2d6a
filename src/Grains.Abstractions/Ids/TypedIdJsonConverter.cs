using System.Text.Json;
using System.Text.Json.Serialization;

namespace Actors.Grains.Abstractions;

/// <summary>Writes a typed id as its plain string (also as a dictionary key) and validates it on read.</summary>
public sealed class TypedIdJsonConverter<TId> : JsonConverter<TId>
    where TId : struct, ITypedId<TId>
{
    public override bool HandleNull => false;

    public override TId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Parse(reader.GetString());

    public override void Write(Utf8JsonWriter writer, TId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);

    public override TId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Parse(reader.GetString());

    public override void WriteAsPropertyName(Utf8JsonWriter writer, TId value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Value);

    private static TId Parse(string? text) =>
        TId.TryParse(text, null, out var id) ? id : throw new JsonException($"'{text}' is not a valid {typeof(TId).Name}.");
}
