using System.Text.Json;

namespace AutoDev;

/// <summary>
/// One call of a skill and its right outcome: the keyword arguments, and either the value it must return or the
/// exception it must raise. A skill's own tests, an episode's <see cref="Episode.Resolution"/> and a host's
/// <see cref="AcceptanceCase"/> are all test cases; how an answer is compared is <see cref="AnswerComparison"/>.
/// </summary>
public sealed record TestCase
{
    /// <summary>The keyword arguments, as a JSON object: <c>{"email": "Invoice INV-1001 is late"}</c>.</summary>
    public required string InputsJson { get; init; }

    /// <summary>The value the call must return, as JSON; <see langword="null"/> when it must raise.</summary>
    public string? ExpectedJson { get; init; }

    /// <summary>The exception type the call must raise (<c>ValueError</c>); <see langword="null"/> when it must return.</summary>
    public string? Raises { get; init; }

    /// <summary>Where the case came from, for a reviewer: <c>episode 6c1f…</c>, <c>registered by alice</c>; <see langword="null"/> for a skill's own test.</summary>
    public string? Source { get; init; }

    /// <summary>A case whose call must return <paramref name="expectedJson"/>.</summary>
    /// <exception cref="ArgumentException">The inputs are not a JSON object, or the expected value is not JSON.</exception>
    public static TestCase Returns(string inputsJson, string expectedJson, string? source = null) =>
        new TestCase { InputsJson = inputsJson, ExpectedJson = expectedJson, Source = source }.EnsureValid();

    /// <summary>A case whose call must raise <paramref name="exceptionType"/>.</summary>
    /// <exception cref="ArgumentException">The inputs are not a JSON object, or the type is no Python identifier.</exception>
    public static TestCase Throws(string inputsJson, string exceptionType, string? source = null) =>
        new TestCase { InputsJson = inputsJson, Raises = exceptionType, Source = source }.EnsureValid();

    /// <summary>Checks the case: inputs a JSON object, exactly one of an expected value (JSON) or an exception type (an identifier).</summary>
    /// <returns>This case, with its JSON written compactly.</returns>
    /// <exception cref="ArgumentException">What is wrong, named.</exception>
    public TestCase EnsureValid()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(InputsJson, nameof(InputsJson));
        var inputs = Compact(InputsJson, nameof(InputsJson));
        if (!inputs.StartsWith('{'))
        {
            throw new ArgumentException("InputsJson must be a JSON object of keyword arguments.", nameof(InputsJson));
        }

        if ((ExpectedJson is null) == (Raises is null))
        {
            throw new ArgumentException("A test case has either ExpectedJson or Raises, not both and not neither.", nameof(ExpectedJson));
        }

        if (Raises is not null && (Raises.Length is 0 or > 100 || !Raises.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.') || char.IsAsciiDigit(Raises[0])))
        {
            throw new ArgumentException($"Raises must name an exception type, for example ValueError; it is '{Raises}'.", nameof(Raises));
        }

        Internal.Guard.Text(Source, nameof(Source));
        return this with { InputsJson = inputs, ExpectedJson = ExpectedJson is null ? null : Compact(ExpectedJson, nameof(ExpectedJson)) };
    }

    /// <summary>The cases of a test-cases JSON array (<see cref="SkillCandidate.TestCasesJson"/>); none for an empty text.</summary>
    internal static IReadOnlyList<TestCase> ListOf(string testsJson)
    {
        if (string.IsNullOrWhiteSpace(testsJson))
        {
            return [];
        }

        using var document = JsonDocument.Parse(testsJson);
        return [.. document.RootElement.EnumerateArray().Select(item => new TestCase
        {
            InputsJson = item.GetProperty("inputs").GetRawText(),
            ExpectedJson = item.TryGetProperty("expected", out var expected) ? expected.GetRawText() : null,
            Raises = item.TryGetProperty("raises", out var raises) ? raises.GetString() : null,
        })];
    }

    private static string Compact(string json, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{name} is not JSON: {ex.Message}", name, ex);
        }
    }
}

/// <summary>How one test case went: what the call gave, and whether that was the right outcome.</summary>
public sealed record CaseResult
{
    /// <summary>The case.</summary>
    public required TestCase Case { get; init; }

    /// <summary>Whether the call gave the case's outcome (<see cref="AnswerComparison"/>).</summary>
    public bool Passed { get; init; }

    /// <summary>What the call gave: the returned value as JSON, or <c>raised ValueError: …</c>.</summary>
    public string Actual { get; init; } = string.Empty;

    /// <summary>Where a failed case first differs (<c>at [2]: expected 0.5, got 0.25</c>); <see langword="null"/> when it passed.</summary>
    public string? Difference { get; init; }

    /// <summary>The most characters of <see cref="Actual"/> that <see cref="ToString"/> shows; the inputs and the expected answer are shown whole.</summary>
    public const int MaxShownActualLength = 1_000;

    /// <summary>The case in full (its inputs, the expected answer) and what the call gave, for a failure reason or a review screen.</summary>
    public override string ToString() =>
        $"{Case.InputsJson} → expected {(Case.ExpectedJson is { } e ? e : "to raise " + Case.Raises)}, got {(Actual.Length <= MaxShownActualLength ? Actual : string.Concat(Actual.AsSpan(0, MaxShownActualLength), " …"))}" +
        (Difference is { } d ? $" ({d})" : string.Empty) + (Case.Source is { } s ? $" [{s}]" : string.Empty);
}

/// <summary>
/// A case a host knows the answer to, registered for a skill (by name, learned or not yet) so that every candidate
/// and every mutation of it must give that answer. It is held out: never shown to the model.
/// </summary>
public sealed record AcceptanceCase
{
    /// <summary>The case's id.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The skill it applies to: <c>extract_invoice_id</c>.</summary>
    public required string SkillName { get; init; }

    /// <summary>The call and its right outcome.</summary>
    public required TestCase Case { get; init; }

    /// <summary>Who registered it.</summary>
    public string? AddedBy { get; init; }

    /// <summary>When it was registered.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
