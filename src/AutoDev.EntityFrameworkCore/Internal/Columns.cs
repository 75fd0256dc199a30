using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AutoDev.EntityFrameworkCore.Internal;

/// <summary>How domain values that no database stores natively become columns.</summary>
internal static class Columns
{
    /// <summary>The length of a W3C <c>traceparent</c> (<c>00-</c>, 32 hex digits, <c>-</c>, 16, <c>-</c>, 2): 55.</summary>
    public const int TraceParentLength = 55;

    /// <summary>
    /// Times are UTC <see cref="DateTime"/>s: SQLite cannot order <see cref="DateTimeOffset"/>, and PostgreSQL's
    /// <c>timestamp with time zone</c> takes UTC. Read back with offset zero.
    /// </summary>
    public static readonly ValueConverter<DateTimeOffset, DateTime> Utc = new(
        v => v.UtcDateTime,
        v => new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)));

    /// <summary>
    /// A version as one sortable number, <c>major·10¹² + minor·10⁶ + patch</c> (each part is at most 999,999), so the
    /// database orders versions and keeps them unique with one column and one index.
    /// </summary>
    public static readonly ValueConverter<SemanticVersion, long> Version = new(
        v => (v.Major * 1_000_000_000_000L) + (v.Minor * 1_000_000L) + v.Patch,
        v => new SemanticVersion((int)(v / 1_000_000_000_000L), (int)(v / 1_000_000L % 1_000_000L), (int)(v % 1_000_000L)));

    /// <summary>A duration in milliseconds, a number every database sums and compares.</summary>
    public static readonly ValueConverter<TimeSpan, double> Milliseconds = new(v => v.TotalMilliseconds, v => TimeSpan.FromMilliseconds(v));

    /// <summary>Maps a property to a JSON text column. Values are immutable records, so a snapshot is the value itself.</summary>
    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property, JsonTypeInfo<T> json)
        where T : class?
    {
        property.HasConversion(
            new ValueConverter<T, string>(v => JsonSerializer.Serialize(v, json), v => JsonSerializer.Deserialize(v, json)!),
            new ValueComparer<T>(
                (a, b) => ReferenceEquals(a, b) || (a != null && b != null && JsonSerializer.Serialize(a, json) == JsonSerializer.Serialize(b, json)),
                v => JsonSerializer.Serialize(v, json).GetHashCode(StringComparison.Ordinal),
                v => v));
        return property;
    }
}

/// <summary>The JSON columns' shapes.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyList<Guid>))]
[JsonSerializable(typeof(IReadOnlyList<FitnessSignal>))]
[JsonSerializable(typeof(IReadOnlyList<EpisodeSegment>))]
[JsonSerializable(typeof(SandboxResult))]
[JsonSerializable(typeof(MutationEvaluation))]
[JsonSerializable(typeof(IReadOnlyList<Review>))]
[JsonSerializable(typeof(TestCase))]
[JsonSerializable(typeof(IReadOnlyList<CaseResult>))]
[JsonSerializable(typeof(IReadOnlyList<CandidateSample>))]
internal sealed partial class StoreJson : JsonSerializerContext;
