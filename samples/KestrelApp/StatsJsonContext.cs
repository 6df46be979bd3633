using System.Text.Json.Serialization;

namespace KestrelApp;

/// <summary>Source-generated JSON for <see cref="StatsSnapshot"/>.</summary>
[JsonSerializable(typeof(StatsSnapshot))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
