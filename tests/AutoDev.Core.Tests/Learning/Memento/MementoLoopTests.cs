using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static AutoDev.Tests.Learning.Memento.MementoHost;
using Microsoft.Extensions.Logging.Testing;

namespace AutoDev.Tests.Learning.Memento;

/// <summary>The whole Memento-Skills loop on the real sandbox with a scripted model.</summary>
public sealed class MementoLoopTests
{
    [Fact]
    public async Task OneFailure_GivesNoCandidate_TheSecondGivesAValidatedOne()
    {
        await using var host = await StartAsync();

        await host.FailAsync();
        Assert.Empty(await host.CandidatesAsync());
        Assert.Empty(host.Chat.Calls);

        var second = await host.FailAsync(email: "Please resend invoice #INV-2024-0077");

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(SkillCandidateStatus.Validated, candidate.Status);
        Assert.Equal("extract_invoice_id", candidate.Name);
        Assert.Contains(second.Id, candidate.SourceEpisodeIds);
        Assert.Equal(2, candidate.SourceEpisodeIds.Count);
        Assert.Equal(1.0, candidate.FitnessScore);
        Assert.True(candidate.Validation!.Succeeded);
        Assert.Single(host.Chat.Calls);
        var prompt = host.Chat.Calls[0].Messages[0].Text;
        Assert.Contains("INV-2024-0077", prompt, StringComparison.Ordinal);
        Assert.Contains("KeyError", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherAgentsFailingTheSameTask_DoNotJoinTheFirstAgentsCandidate_AndAJoinIsLogged()
    {
        var log = new FakeLogger<FailurePatternDetector>();
        await using var host = await StartAsync(configure: s => s.AddSingleton<Microsoft.Extensions.Logging.ILogger<FailurePatternDetector>>(log));
        await host.FailAsync();
        await host.FailAsync();
        var first = Assert.Single(await host.CandidatesAsync());

        foreach (var other in (string[])["billing-agent", "support-agent", "billing-agent", "support-agent"])
        {
            await host.FailAsync(agent: other);
        }

        await host.FailAsync();
        var after = Assert.Single(await host.CandidatesAsync(), c => c.Id == first.Id);
        Assert.Equal(3, after.SourceEpisodeIds.Count);
        Assert.All(await host.CandidatesAsync(), c => Assert.StartsWith(c.AgentId + ": ", c.PatternKey, StringComparison.Ordinal));
        Assert.Single(log.Collector.GetSnapshot(), e => e.Message.Contains("joined the open candidate", StringComparison.Ordinal) && e.Message.Contains(MementoHost.Agent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedStepsRecordedAsSegments_AreWhatTheModelIsTold()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < 2; i++)
        {
            await host.Get<IEpisodeRecorder>().RecordAsync(new Episode
            {
                TenantId = Tenant,
                AgentId = Agent,
                TaskDescription = TaskText,
                Segments =
                [
                    new EpisodeSegment { Sequence = 0, Kind = "tool_call", ToolName = "mailbox.read", Content = "read 1 email" },
                    new EpisodeSegment { Sequence = 1, Kind = "tool_call", ToolName = "regex.match", Content = "ValueError: pattern INV-\\d+ found nothing", Success = false },
                    new EpisodeSegment { Sequence = 2, Kind = "observation", Content = "the id was written as INV 2024 0042", Success = false },
                ],
            }, Ct);
        }

        var prompt = Assert.Single(host.Chat.Calls).Messages[0].Text;
        Assert.Contains("tool_call regex.match failed: ValueError: pattern INV-\\d+ found nothing", prompt, StringComparison.Ordinal);
        Assert.Contains("observation failed: the id was written as INV 2024 0042", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("read 1 email", prompt, StringComparison.Ordinal);
        Assert.Contains("mailbox.read, regex.match", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedPattern_GivesOneCandidate_LaterFailuresAttachWithoutAModelCall()
    {
        await using var host = await StartAsync();

        for (var i = 0; i < 5; i++)
        {
            await host.FailAsync(task: i % 2 == 0 ? TaskText : "from customer email #47" + i + ": extract the invoice ID");
        }

        var all = await host.CandidatesAsync();
        var candidate = Assert.Single(all);
        Assert.Equal(SkillCandidateStatus.Validated, candidate.Status);
        Assert.Equal(5, candidate.SourceEpisodeIds.Count);
        Assert.Single(host.Chat.Calls);
    }

    [Theory]
    [InlineData("Extract invoice ID from customer emails", "extract_invoice_id")]
    [InlineData("From the CRM: look up the customer's VAT number", "crm_look_up_customers_vat")]
    [InlineData("2FA code: read it from SMS", "skill_2fa_code_read_it")]
    [InlineData("!!!", "learned_skill")]
    public void SuggestName_TakesTheWordsBeforeThePreposition(string task, string name) => Assert.Equal(name, MementoEngine.SuggestName(task));

    [Fact]
    public async Task Student_GetsNoCandidate_AndNoModelCall()
    {
        await using var host = await StartAsync(maturity: AgentMaturity.Student);

        await host.FailAsync();
        await host.FailAsync();

        Assert.Empty(await host.CandidatesAsync());
        Assert.Empty(host.Chat.Calls);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task WorkspaceSwitchedOff_GetsNoCandidate(bool enabled, bool mementoSkills)
    {
        await using var host = await StartAsync(settings: new WorkspaceSettings { Enabled = enabled, MementoSkills = mementoSkills });

        await host.FailAsync();
        await host.FailAsync();

        Assert.Empty(await host.CandidatesAsync());
        Assert.Empty(host.Chat.Calls);
    }

    [Fact]
    public async Task PastTheDailyLimit_GetsNoCandidate()
    {
        await using var host = await StartAsync(settings: new WorkspaceSettings { Enabled = true, MaxSkillCandidatesPerDay = 1 });

        await host.FailAsync();
        await host.FailAsync();
        await host.FailAsync(task: "Summarize the refund policy");
        await host.FailAsync(task: "Summarize the refund policy");

        Assert.Single(await host.CandidatesAsync());
        Assert.Single(host.Chat.Calls);
    }

    [Fact]
    public async Task RestartBetweenTwoFailures_LosesNothing()
    {
        var stores = new Stores();
        await using (var before = await StartAsync(stores: stores))
        {
            await before.FailAsync();
            Assert.Empty(await before.CandidatesAsync());
        }

        await using var after = await StartAsync(stores: stores);
        await after.FailAsync();

        Assert.Equal(SkillCandidateStatus.Validated, Assert.Single(await after.CandidatesAsync()).Status);
    }

    [Fact]
    public async Task RestartWithACandidateWaitingForValidation_ValidatesItOnce()
    {
        var stores = new Stores();
        Guid pending;
        await using (var before = await StartAsync(stores: stores))
        {
            // One failure (no trigger yet), then a candidate generated directly: the host stops before validating it.
            var episode = await before.FailAsync();
            pending = (await before.Get<MementoEngine>().GenerateSkillCandidateAsync(Tenant, Agent, episode.Id, Ct)).Id;
        }

        await using var after = await StartAsync(stores: stores);

        var candidate = Assert.Single(await after.CandidatesAsync());
        Assert.Equal(pending, candidate.Id);
        Assert.Equal(SkillCandidateStatus.Validated, candidate.Status);
        Assert.Empty(after.Chat.Calls);
        await after.Get<MementoLoop>().RecoverAsync(Ct);
        Assert.Equal(candidate.ConcurrencyStamp, (await after.CandidatesAsync()).Single().ConcurrencyStamp);
    }

    /// <summary>Regression: one waiting candidate with 12 s of tests made the host take 15.4 s to start; recovery now runs after start.</summary>
    [Fact]
    public async Task Restart_ALongValidation_DoesNotDelayTheStart()
    {
        var stores = new Stores();
        await using (var before = await StartAsync(stores: stores))
        {
            var episode = await before.FailAsync();
            await before.Get<MementoEngine>().GenerateSkillCandidateAsync(Tenant, Agent, episode.Id, Ct);
        }

        var release = new TaskCompletionSource<SandboxResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sandbox = new FakeSandbox((_, ct) => release.Task.WaitAsync(ct));
        var services = new ServiceCollection();
        services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline).UseChatClient(new ScriptedChatClient(GoodAnswer));
        stores.Register(services);
        services.Replace(ServiceDescriptor.Singleton<ISandbox>(sandbox));
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings { Enabled = true }, Ct);
        var loop = provider.GetRequiredService<MementoLoop>();

        await loop.StartAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.False(loop.Recovery.IsCompleted);
        release.SetResult(FakeSandbox.Success(new string?[][] { [null, "\"INV-2024-0042\""], [null, "\"INV-2024-0077\""], ["ValueError", "ValueError: no invoice id in the text"] }));
        await loop.Recovery.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        var candidates = provider.GetRequiredService<ISkillCandidateStore>();
        Assert.Empty(await candidates.ListByStatusAsync(Tenant, SkillCandidateStatus.Pending, Ct).ToListAsync(Ct));
        Assert.Single(await candidates.ListByStatusAsync(Tenant, SkillCandidateStatus.Validated, Ct).ToListAsync(Ct));
        await loop.StopAsync(Ct);
    }

    /// <summary>
    /// Regression (sandbox hardening, defect 1): a waiting candidate whose validation threw stopped recovery inside
    /// StartAsync, so the host could not start and no other waiting candidate was reached.
    /// </summary>
    [Fact]
    public async Task Restart_ACandidateWhoseValidationThrows_StaysPendingAndTheOthersAreValidated()
    {
        var stores = new Stores();
        var named = (IReadOnlyList<ChatMessage> messages, ChatOptions? _, CancellationToken _) =>
        {
            // The good answer, for whichever function the prompt asks for.
            var name = System.Text.RegularExpressions.Regex.Match(messages[0].Text, "Write a function named `([a-z_]+)`").Groups[1].Value;
            return Task.FromResult(ScriptedChatClient.Text(GoodAnswer.Replace("extract_invoice_id", name, StringComparison.Ordinal)));
        };
        await using (var before = await StartAsync(stores: stores, answer: named))
        {
            foreach (var task in new[] { TaskText, "Find the billing reference in supplier letters" })
            {
                var episode = await before.FailAsync(task: task);
                Assert.Equal(SkillCandidateStatus.Pending, (await before.Get<MementoEngine>().GenerateSkillCandidateAsync(Tenant, Agent, episode.Id, Ct)).Status);
            }
        }

        var throwing = 0;
        await using var after = await StartAsync(stores: stores, configure: services => services.AddSingleton<ISandbox>(sp =>
        {
            var real = ActivatorUtilities.CreateInstance<TieredSandbox>(sp);
            return new FakeSandbox((request, ct) => Interlocked.Exchange(ref throwing, 1) == 0
                ? throw new SandboxUnavailableException("fake", "the first validation's sandbox did not start")
                : real.ExecuteAsync(request, ct));
        }));

        var candidates = await after.CandidatesAsync();
        Assert.Equal(2, candidates.Count);
        Assert.Single(candidates, c => c.Status == SkillCandidateStatus.Pending);
        Assert.Single(candidates, c => c.Status == SkillCandidateStatus.Validated);
    }

    [Theory]
    [InlineData("I cannot help with that.", "no Python function")]
    [InlineData("```python\ndef get_invoice(text):\n    return text\n```\n```json\n[{\"inputs\": {\"text\": \"a\"}, \"expected\": \"a\"}]\n```", "'get_invoice' but not 'extract_invoice_id'")]
    [InlineData("```python\ndef extract_invoice_id(text):\n    return text\n```\nNo tests, sorry.", "no block of test cases")]
    [InlineData("```python\ndef extract_invoice_id(text):\n    return text\n```\n```json\n[{\"input\": 1}]\n```", "no \"inputs\" object")]
    [InlineData("```python\ndef extract_invoice_id(text):\n    return text +\n```\n```json\n[{\"inputs\": {\"text\": \"a\"}, \"expected\": \"a\"}]\n```", "SyntaxError")]
    [InlineData("```python\ndef extract_invoice_id(text):\n    return text.upper()\n```\n```json\n[{\"inputs\": {\"text\": \"a\"}, \"expected\": \"a\"}]\n```", "1 of 1 tests failed")]
    [InlineData("```python\nimport time\ndef extract_invoice_id(text):\n    time.sleep(60)\n```\n```json\n[{\"inputs\": {\"text\": \"a\"}, \"expected\": \"a\"}]\n```", "Timeout")]
    public async Task BrokenModelOutput_EndsInAFailedCandidateWithTheReason(string answer, string reason)
    {
        await using var host = await StartAsync(
            answer: (_, _, _) => Task.FromResult(ScriptedChatClient.Text(answer)),
            configure: s => s.Configure<AutoDevOptions>(o => o.ValidationTimeout = TimeSpan.FromSeconds(2)));

        await host.FailAsync();
        await host.FailAsync();

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(SkillCandidateStatus.Failed, candidate.Status);
        Assert.Contains(reason, candidate.FailureReason, StringComparison.Ordinal);
        Assert.Empty(await host.Get<IReviewService>().ListPendingAsync(Tenant, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task ModelErrors_EndInAFailedCandidate_NotAnException()
    {
        await using var host = await StartAsync(answer: (_, _, _) => throw new ChatServiceException(ChatFailureKind.ServerError, "The service answered 503.", 503));

        await host.FailAsync();
        await host.FailAsync();

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(SkillCandidateStatus.Failed, candidate.Status);
        Assert.Contains("503", candidate.FailureReason, StringComparison.Ordinal);
        Assert.Equal(4, host.Chat.Calls.Count); // one attempt and three retries
    }

    /// <summary>Regression: every failed model call committed a reservation, so a short outage used up the day's limit.</summary>
    [Fact]
    public async Task ModelOutage_DoesNotUseUpTheDailyLimit()
    {
        var outage = true;
        await using var host = await StartAsync(
            settings: new WorkspaceSettings { Enabled = true, MaxSkillCandidatesPerDay = 1 },
            answer: (_, _, _) => outage
                ? throw new HttpRequestException("unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable)
                : Task.FromResult(ScriptedChatClient.Text(GoodAnswer)));

        await host.FailAsync();
        await host.FailAsync();
        outage = false;
        await host.FailAsync();
        await host.FailAsync();

        var candidates = await host.CandidatesAsync();
        Assert.Contains(candidates, c => c.Status == SkillCandidateStatus.Failed);
        Assert.Contains(candidates, c => c.Status == SkillCandidateStatus.Validated);
        var day = DateOnly.FromDateTime(host.Get<TimeProvider>().GetUtcNow().UtcDateTime);
        Assert.Equal(1, await host.Get<ICapabilityUsageStore>().CountAsync(Tenant, CapabilityNames.MementoSkills, Agent, day, Ct));
    }

    [Fact]
    public async Task Approved_IsPromotedAs100_AndRunsAsASkillAndAsATool()
    {
        await using var host = await StartAsync();
        await host.FailAsync();
        await host.FailAsync();
        var pending = Assert.Single(await host.Get<IReviewService>().ListPendingAsync(Tenant, Ct).ToListAsync(Ct));
        Assert.Equal(2, pending.SourceEpisodes.Count);
        var executed = new List<SkillExecuted>();
        using var subscription = host.Get<IEventBus>().Subscribe<SkillExecuted>((e, _) =>
        {
            executed.Add(e);
            return default;
        });

        var version = await host.Get<IReviewService>().ApproveAsync(Tenant, pending.Candidate.Id, "alice", "looks right", Ct);
        var run = await host.Get<ISkillRunner>().RunAsync(new SkillRunRequest { TenantId = Tenant, SkillName = "extract_invoice_id", InputsJson = """{"text": "ref INV-2025-0001 please"}""", Retries = 1 }, Ct);
        var tool = Assert.Single(await host.Get<ISkillRunner>().GetToolsAsync(Tenant, cancellationToken: Ct));
        var viaTool = await tool.InvokeAsync(new AIFunctionArguments { ["text"] = "see INV-2025-0002" }, Ct);

        Assert.Equal(SemanticVersion.Initial, version.Version);
        Assert.Equal("INV-2025-0001", run.Result.ReturnValue!.Value.GetString());
        Assert.Equal("INV-2025-0002", ((System.Text.Json.JsonElement)viaTool!).GetString());
        Assert.Contains("\"text\"", tool.JsonSchema.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("Return the first invoice id (INV-YYYY-NNNN) in the text.", tool.Description); // the docstring
        Assert.Equal(2, executed.Count);
        Assert.Equal(1, executed[0].Retries);
        Assert.Equal(SkillCandidateStatus.Promoted, (await host.CandidatesAsync()).Single().Status);
    }

    [Fact]
    public async Task Review_ApprovingTwice_AFailedCandidate_OrAnotherTenants_AreClearErrors()
    {
        await using var host = await StartAsync();
        await host.FailAsync();
        await host.FailAsync();
        var review = host.Get<IReviewService>();
        var candidate = Assert.Single(await host.CandidatesAsync());

        await Assert.ThrowsAsync<EntityNotFoundException>(() => review.ApproveAsync("other-tenant", candidate.Id, "mallory", cancellationToken: Ct));
        await review.ApproveAsync(Tenant, candidate.Id, "alice", cancellationToken: Ct);
        await Assert.ThrowsAsync<InvalidStateTransitionException>(() => review.ApproveAsync(Tenant, candidate.Id, "bob", cancellationToken: Ct));

        var failed = await host.Get<ISkillCandidateStore>().AddAsync(candidate with { Id = Guid.NewGuid(), Status = SkillCandidateStatus.Failed, PatternKey = "other" }, Ct);
        await Assert.ThrowsAsync<InvalidStateTransitionException>(() => review.ApproveAsync(Tenant, failed.Entity.Id, "alice", cancellationToken: Ct));
        Assert.Equal(SkillCandidateStatus.Rejected, (await review.RejectAsync(Tenant, failed.Entity.Id, "alice", "broken", Ct)).Status);
    }

    [Theory]
    [InlineData(true, AgentMaturity.Autonomous, true)]
    [InlineData(false, AgentMaturity.Autonomous, false)]
    [InlineData(true, AgentMaturity.Supervised, false)]
    public async Task AutoPromotion_OnlyForAutonomousAgentsOfWorkspacesThatOptIn(bool optIn, AgentMaturity maturity, bool promoted)
    {
        await using var host = await StartAsync(settings: new WorkspaceSettings { Enabled = true, AutoPromoteSkills = optIn }, maturity: maturity);

        await host.FailAsync();
        await host.FailAsync();

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(promoted ? SkillCandidateStatus.Promoted : SkillCandidateStatus.Validated, candidate.Status);
        Assert.Equal(promoted ? Review.AutoPromoter : null, candidate.ReviewedBy);
    }

    [Fact]
    public async Task TestInSandbox_RunsTheCandidateOnSampleInputs()
    {
        await using var host = await StartAsync();
        await host.FailAsync();
        await host.FailAsync();
        var candidate = Assert.Single(await host.CandidatesAsync());

        var result = await host.Get<IReviewService>().TestInSandboxAsync(Tenant, candidate.Id, """{"text": "INV-1999-0001"}""", Ct);

        Assert.Equal("INV-1999-0001", result.ReturnValue!.Value.GetString());
    }

    [Fact]
    public async Task PromptOverride_ForOneWorkspace_IsWhatTheModelGets()
    {
        await using var host = await StartAsync(configure: s => s.Configure<PromptOptions>(o =>
            o.Override(Tenant, new PromptTemplate(PromptNames.MementoGenerate, "acme-7", "ACME HOUSE STYLE for {{name}}: {{task}}"))));

        await host.FailAsync();
        await host.FailAsync();

        Assert.Equal("ACME HOUSE STYLE for extract_invoice_id: " + TaskText, host.Chat.Calls.Single().Messages[0].Text);
        Assert.Contains("memento.generate@acme-7", (await host.CandidatesAsync()).Single().Description, StringComparison.Ordinal);
    }
}
