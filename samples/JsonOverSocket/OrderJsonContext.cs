using System.Text.Json.Serialization;

namespace JsonOverSocket;

/// <summary>System.Text.Json's source-generated metadata for <see cref="Order"/>: no reflection, trimming-safe.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Order))]
public sealed partial class OrderJsonContext : JsonSerializerContext;
