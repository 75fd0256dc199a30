using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutoDev.Testing;

namespace AutoDev.Tests.Learning.Evolution;

/// <summary>
/// A fake sandbox for the evolution logic: a module's speed and answers come from markers in its code
/// (<c># speed: 40</c> milliseconds per run, <c># answer: x</c>), with seeded multiplicative noise on every call.
/// Deterministic for a seed when calls come in a fixed order. A test run of a module answering <c>same</c> gives the
/// expected values of <see cref="ScriptedAnswers.ProcessInvoiceTests"/> (the harness sends only inputs); any other
/// answer gives that answer, which no case expects.
/// </summary>
internal sealed partial class TimedSandbox(int seed = 7, double noise = 0.1) : ISandbox
{
    private static readonly Dictionary<string, string> KnownAnswers = TestCase.ListOf(SkillTests.Normalize(ScriptedAnswers.ProcessInvoiceTests).Json!)
        .Where(c => c.ExpectedJson is not null)
        .ToDictionary(c => c.InputsJson, c => c.ExpectedJson!);

    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();
    private int _executions;

    public string Tier => "timed-fake";

    public int Executions => Volatile.Read(ref _executions);

    /// <summary>A module with markers, defining <c>process_invoice</c>.</summary>
    public static string Module(double speed, string answer = "same", string extra = "") =>
        $"# speed: {speed.ToString(CultureInfo.InvariantCulture)}\n# answer: {answer}\n{extra}def process_invoice(invoice_id: str, items: list) -> dict:\n    return {{\"speed\": {speed.ToString(CultureInfo.InvariantCulture)}}}\n";

    /// <summary>A model answer holding <see cref="Module"/>.</summary>
    public static string Answer(double speed, string answer = "same") => $"Here it is:\n\n```python\n{Module(speed, answer)}```\n";

    public Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref _executions);
        var speed = double.Parse(SpeedMarker().Match(request.Code).Groups[1].Value, CultureInfo.InvariantCulture);
        var answer = AnswerMarker().Match(request.Code).Groups[1].Value;
        using var inputs = JsonDocument.Parse(JsonSerializer.Deserialize<string>(Literal(request.Code, "for _inputs in _json.loads(", "):"))!);
        if (request.EntryPoint == SkillTests.HarnessEntryPoint)
        {
            return Task.FromResult(FakeSandbox.Success(inputs.RootElement.EnumerateArray()
                .Select(i => new string?[] { null, answer == "same" ? KnownAnswers.GetValueOrDefault(i.GetRawText(), "null") : JsonSerializer.Serialize(answer) })
                .ToArray()));
        }

        var count = inputs.RootElement.GetArrayLength();
        var calls = new object[count];
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                calls[i] = new object[] { true, JsonSerializer.Serialize($"{answer}-{i}"), speed / count * (1 + (noise * ((_random.NextDouble() * 2) - 1))) };
            }
        }

        return Task.FromResult(FakeSandbox.Success(calls));
    }

    private static string Literal(string code, string before, string after)
    {
        var start = code.IndexOf(before, StringComparison.Ordinal) + before.Length;
        var end = code.IndexOf(after, start, StringComparison.Ordinal);
        return code[start..end];
    }

    [GeneratedRegex(@"# speed: ([0-9.]+)")]
    private static partial Regex SpeedMarker();

    [GeneratedRegex(@"# answer: (\S+)")]
    private static partial Regex AnswerMarker();
}
