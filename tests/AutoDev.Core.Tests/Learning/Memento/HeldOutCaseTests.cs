using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static AutoDev.Tests.Learning.Memento.MementoHost;

namespace AutoDev.Tests.Learning.Memento;

/// <summary>Held-out ground truth for skill candidates, on the real sandbox: resolutions, acceptance cases, and several samples per pattern.</summary>
public sealed class HeldOutCaseTests
{
    /// <summary>Returns what the examples it was shown map to, and nothing else: its own tests, drawn from the same examples, pass.</summary>
    private const string HardCodedAnswer = """
        ```python
        def extract_invoice_id(text: str) -> str:
            "Return the invoice id in the text."
            known = {"Hi, invoice INV-2024-0042 is wrong": "INV-2024-0042", "Please resend invoice #INV-2024-0077": "INV-2024-0077"}
            if text not in known:
                raise ValueError("no invoice id in the text")
            return known[text]
        ```

        ```json
        [{"inputs": {"text": "Hi, invoice INV-2024-0042 is wrong"}, "expected": "INV-2024-0042"},
         {"inputs": {"text": "Please resend invoice #INV-2024-0077"}, "expected": "INV-2024-0077"},
         {"inputs": {"text": "Where is my order?"}, "raises": "ValueError"}]
        ```
        """;

    /// <summary>Misunderstands the task (lower-case ids) and writes tests that agree with its own code.</summary>
    private const string MisunderstoodAnswer = """
        ```python
        import re

        def extract_invoice_id(text: str) -> str:
            "Return the invoice id in the text, normalized to lower case."
            match = re.search(r"INV-\d{4}-\d{4}", text)
            if match is None:
                raise ValueError("no invoice id in the text")
            return match.group(0).lower()
        ```

        ```json
        [{"inputs": {"text": "Hi, invoice INV-2024-0042 is wrong"}, "expected": "inv-2024-0042"},
         {"inputs": {"text": "Please resend invoice #INV-2024-0077"}, "expected": "inv-2024-0077"}]
        ```
        """;

    private const string UnseenEmail = "Charged twice for INV-2031-5555, please refund";

    [Fact]
    public async Task ACandidateThatHardCodesTheExamplesItWasShown_FailsAnAcceptanceCase_TheModelNeverSaw()
    {
        await using var host = await StartAsync(answer: (_, _, _) => Task.FromResult(ScriptedChatClient.Text(HardCodedAnswer)));
        var registered = await host.Get<AcceptanceCases>().AddForTaskAsync(Tenant, TaskText, TestCase.Returns($$"""{"text": "{{UnseenEmail}}"}""", "\"INV-2031-5555\""), "alice", Ct);

        await host.FailAsync();
        await host.FailAsync(email: "Please resend invoice #INV-2024-0077");

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal("extract_invoice_id", registered.SkillName);
        Assert.Equal(SkillCandidateStatus.Failed, candidate.Status);
        Assert.All(candidate.TestResults, r => Assert.True(r.Passed, r.ToString()));
        var heldOut = Assert.Single(candidate.HeldOutResults);
        Assert.False(heldOut.Passed);
        Assert.Equal("registered by alice", heldOut.Case.Source);
        Assert.StartsWith("raised ValueError", heldOut.Actual, StringComparison.Ordinal);
        // The first differing case, in full: its inputs, the answer expected and the one given.
        Assert.Contains($"1 of 1 held-out cases failed: case 0 {{\"text\":\"{UnseenEmail}\"}} → expected \"INV-2031-5555\", got raised ValueError", candidate.FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain(UnseenEmail, host.Chat.Calls[0].Messages[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("INV-2031-5555", host.Chat.Calls[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResolutionOnAFailure_CatchesAModelWhoseCodeAndTestsAgreeOnTheWrongAnswer()
    {
        await using var host = await StartAsync(answer: (_, _, _) => Task.FromResult(ScriptedChatClient.Text(MisunderstoodAnswer)));
        var first = await host.FailAsync(resolution: TestCase.Returns("""{"text": "Hi, invoice INV-2024-0042 is wrong"}""", "\"INV-2024-0042\""));

        await host.FailAsync(email: "Please resend invoice #INV-2024-0077");

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(SkillCandidateStatus.Failed, candidate.Status);
        Assert.Equal(2, candidate.TestResults.Count(r => r.Passed));
        var heldOut = Assert.Single(candidate.HeldOutResults);
        Assert.Equal($"episode {first.Id}", heldOut.Case.Source);
        Assert.Equal("\"inv-2024-0042\"", heldOut.Actual);
        Assert.Equal("at $: expected \"INV-2024-0042\", got \"inv-2024-0042\"", heldOut.Difference);
        Assert.Contains("held-out cases failed", candidate.FailureReason, StringComparison.Ordinal);
        Assert.Empty(await host.Get<IReviewService>().ListPendingAsync(Tenant, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task ARightCandidate_PassesEveryHeldOutCase_AndEachIsRecordedForTheReviewer()
    {
        await using var host = await StartAsync();
        await host.Get<AcceptanceCases>().AddAsync(Tenant, "extract_invoice_id", TestCase.Returns($$"""{"text": "{{UnseenEmail}}"}""", "\"INV-2031-5555\""), cancellationToken: Ct);
        await host.Get<AcceptanceCases>().AddAsync(Tenant, "extract_invoice_id", TestCase.Throws("""{"text": "no id here"}""", "ValueError"), cancellationToken: Ct);
        var first = await host.FailAsync(resolution: TestCase.Returns("""{"text": "Hi, invoice INV-2024-0042 is wrong"}""", "\"INV-2024-0042\""));

        await host.FailAsync(email: "Please resend invoice #INV-2024-0077");

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.True(candidate.Status == SkillCandidateStatus.Validated, candidate.FailureReason);
        Assert.Equal([$"episode {first.Id}", "registered", "registered"], candidate.HeldOutResults.Select(r => r.Case.Source));
        Assert.All(candidate.HeldOutResults, r => Assert.True(r.Passed, r.ToString()));
        Assert.Equal(3, candidate.TestResults.Count);
        var pending = Assert.Single(await host.Get<IReviewService>().ListPendingAsync(Tenant, Ct).ToListAsync(Ct));
        Assert.Equal(3, pending.Candidate.HeldOutResults.Count);
        Assert.Equal(first.Resolution, Assert.Single(pending.SourceEpisodes, e => e.Id == first.Id).Resolution);
    }

    [Fact]
    public async Task SeveralSamples_AreEachAskedForAndValidated_AndTheKeptOnePassesTheMostHeldOutCases_ThenIsShortest()
    {
        var answers = new[] { HardCodedAnswer, GoodAnswer.Replace("import re", "import re\n# a comment that makes this answer longer", StringComparison.Ordinal), GoodAnswer };
        var calls = 0;
        await using var host = await StartAsync(
            answer: (_, _, _) => Task.FromResult(ScriptedChatClient.Text(answers[Interlocked.Increment(ref calls) - 1])),
            configure: s => s.Configure<AutoDevOptions>(o => o.CandidatesPerPattern = 3));
        await host.Get<AcceptanceCases>().AddForTaskAsync(Tenant, TaskText, TestCase.Returns($$"""{"text": "{{UnseenEmail}}"}""", "\"INV-2031-5555\""), cancellationToken: Ct);

        await host.FailAsync();
        await host.FailAsync(email: "Please resend invoice #INV-2024-0077");

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(3, host.Chat.Calls.Count);
        Assert.All(host.Chat.Calls, c => Assert.Equal(new AutoDevOptions().SampleTemperature, c.Options!.Temperature));
        Assert.True(candidate.Status == SkillCandidateStatus.Validated, candidate.FailureReason);
        Assert.DoesNotContain("# a comment", candidate.Code, StringComparison.Ordinal);
        Assert.Equal(2, candidate.OtherSamples.Count);
        Assert.Contains("# a comment", candidate.OtherSamples[0].Code, StringComparison.Ordinal);
        Assert.StartsWith("Not chosen: it passed as many cases as the kept answer, which is shorter", candidate.OtherSamples[0].Reason, StringComparison.Ordinal);
        Assert.Contains("known = {", candidate.OtherSamples[1].Code, StringComparison.Ordinal);
        Assert.StartsWith("Not chosen: it passed 0 of 1 held-out cases and 3 of 3 of its own tests; the kept answer 1 and 3 of 3.", candidate.OtherSamples[1].Reason, StringComparison.Ordinal);
        Assert.False(Assert.Single(candidate.OtherSamples[1].HeldOutResults).Passed);
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        Assert.Equal(3, await host.Get<ICapabilityUsageStore>().CountAsync(Tenant, CapabilityNames.MementoSkills, Agent, today, Ct));
    }

    [Fact]
    public async Task SamplesStopAtTheDailyLimit_AndTheCandidateKeepsTheAnswersItGot()
    {
        await using var host = await StartAsync(
            settings: new WorkspaceSettings { Enabled = true, MaxSkillCandidatesPerDay = 2 },
            configure: s => s.Configure<AutoDevOptions>(o => o.CandidatesPerPattern = 5));

        await host.FailAsync();
        await host.FailAsync(email: "Please resend invoice #INV-2024-0077");

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(2, host.Chat.Calls.Count);
        Assert.True(candidate.Status == SkillCandidateStatus.Validated, candidate.FailureReason);
        Assert.Single(candidate.OtherSamples);
    }

    [Fact]
    public async Task SamplesStopAtTheTokenBudget_AndTheCandidateKeepsTheAnswersItGot()
    {
        // The scripted client reports 10 + length / 4 tokens per answer. On the first call the budget is set so that
        // it still holds a second call's bound after one answer, and no longer after two.
        var perCall = 10 + Math.Max(1, GoodAnswer.Length / 4);
        MementoHost? started = null;
        await using var host = await StartAsync(
            answer: async (messages, _, ct) =>
            {
                if (started!.Chat.Calls.Count == 1)
                {
                    var bound = TokenBudget.BoundOf(messages[^1].Text, ChatResilienceOptions.DefaultMaxOutputTokens);
                    await started.Get<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings { Enabled = true, DailyTokenBudget = bound + perCall + (perCall / 2) }, ct);
                }

                return ScriptedChatClient.Text(GoodAnswer);
            },
            configure: s => s.Configure<AutoDevOptions>(o => o.CandidatesPerPattern = 5));
        started = host;

        await host.FailAsync();
        await host.FailAsync(email: "Please resend invoice #INV-2024-0077");

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(2, host.Chat.Calls.Count);
        Assert.True(candidate.Status == SkillCandidateStatus.Validated, candidate.FailureReason);
        Assert.Single(candidate.OtherSamples);
    }

    [Fact]
    public async Task AnUnusableSample_IsRecordedWithItsReason_AndAnotherIsKept()
    {
        var answers = new[] { "I cannot write that function.", GoodAnswer };
        var calls = 0;
        await using var host = await StartAsync(
            answer: (_, _, _) => Task.FromResult(ScriptedChatClient.Text(answers[Interlocked.Increment(ref calls) - 1])),
            configure: s => s.Configure<AutoDevOptions>(o => o.CandidatesPerPattern = 2));

        await host.FailAsync();
        await host.FailAsync(email: "Please resend invoice #INV-2024-0077");

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.True(candidate.Status == SkillCandidateStatus.Validated, candidate.FailureReason);
        var unusable = Assert.Single(candidate.OtherSamples);
        Assert.Equal("I cannot write that function.", unusable.Code);
        Assert.NotNull(unusable.Reason);
        Assert.Empty(unusable.TestResults);
    }

    [Fact]
    public async Task AcceptanceCases_RefuseMalformedCases_KeepOnePerInputs_AndAreInvisibleToOtherWorkspaces()
    {
        await using var host = await StartAsync();
        var cases = host.Get<AcceptanceCases>();

        Assert.Throws<ArgumentException>(() => TestCase.Returns("[1, 2]", "1"));
        Assert.Throws<ArgumentException>(() => TestCase.Returns("{\"a\": 1}", "not json"));
        Assert.Throws<ArgumentException>(() => TestCase.Throws("{\"a\": 1}", "Value Error"));
        Assert.Throws<ArgumentException>(() => new TestCase { InputsJson = "{}", ExpectedJson = "1", Raises = "ValueError" }.EnsureValid());
        await Assert.ThrowsAsync<ArgumentException>(() => cases.AddAsync(Tenant, "Not A Skill Name", TestCase.Returns("{}", "1"), cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await host.Get<IEpisodeRecorder>().RecordAsync(new Episode { TenantId = Tenant, AgentId = Agent, TaskDescription = TaskText, Resolution = new TestCase { InputsJson = "{}" } }, Ct));

        var first = await cases.AddAsync(Tenant, "extract_invoice_id", TestCase.Returns("{\"text\": \"a INV-2000-0001\"}", "\"INV-2000-0001\""), cancellationToken: Ct);
        var again = await cases.AddAsync(Tenant, "extract_invoice_id", TestCase.Returns("{ \"text\" : \"a INV-2000-0001\" }", "\"other\""), cancellationToken: Ct);
        Assert.Equal(first.Id, again.Id);
        Assert.Single(await cases.ListAsync(Tenant, "extract_invoice_id", Ct));
        Assert.Empty(await cases.ListAsync("globex", "extract_invoice_id", Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(() => cases.RemoveAsync("globex", first.Id, Ct));
        await cases.RemoveAsync(Tenant, first.Id, Ct);
        Assert.Empty(await cases.ListAsync(Tenant, "extract_invoice_id", Ct));
    }
}
