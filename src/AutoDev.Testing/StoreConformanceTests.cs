using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit;
using Microsoft.Extensions.Time.Testing;

namespace AutoDev.Testing;

/// <summary>
/// The behaviour every AutoDev store provider must have. Inherit it in a test project, register the provider in
/// <see cref="ConfigureStores"/>, and every test here runs against it: tenant isolation, state transitions,
/// concurrency stamps, lineage, and limits under concurrent reservations.
/// </summary>
/// <remarks>Each test works in workspaces of its own, so a provider may share one database across tests.</remarks>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    private ServiceProvider? _services;
    private string? _unavailable;

    /// <summary>The clock the stores see.</summary>
    protected FakeTimeProvider Time { get; } = new();

    /// <summary>The service provider built for the current test.</summary>
    /// <remarks>When <see cref="CheckServiceAsync"/> found the database unreachable, reading it skips the test (fails it under <c>CI=true</c>).</remarks>
    protected IServiceProvider Services
    {
        get
        {
            if (_unavailable is not null)
            {
                ServiceRequirement.Require(false, _unavailable);
            }

            return _services ?? throw new InvalidOperationException("InitializeAsync has not run.");
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Registers the store provider under test (for example <c>builder.AddEntityFrameworkStores(...)</c>).</summary>
    protected abstract void ConfigureStores(IAutoDevBuilder builder);

    /// <summary>Prepares the stores once the provider is built (for example, applies migrations).</summary>
    protected virtual ValueTask InitializeStoresAsync(IServiceProvider services) => ValueTask.CompletedTask;

    /// <summary>Why the provider's database cannot be reached, or <see langword="null"/> when it can (the default).</summary>
    protected virtual ValueTask<string?> CheckServiceAsync() => ValueTask.FromResult<string?>(null);

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        _unavailable = await CheckServiceAsync().ConfigureAwait(false);
        if (_unavailable is not null)
        {
            return;
        }

        var services = new ServiceCollection();
        var builder = services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline);
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
        ConfigureStores(builder);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await InitializeStoresAsync(_services).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A review for the conformance tests.</summary>
    protected static Review Rev(string who, ReviewDecision decision = ReviewDecision.Rejected) => new(who, decision, "because", DateTimeOffset.UnixEpoch);

    /// <summary>A workspace id no other test uses.</summary>
    protected static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..12];

    private T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    // ---- Workspaces ------------------------------------------------------------------------------------------

    /// <summary>An unknown workspace has the default settings; saved settings come back; other workspaces are untouched.</summary>
    [Fact]
    public async Task Workspace_SaveAndGet_IsolatedPerTenant()
    {
        var store = Get<IWorkspaceStore>();
        string a = NewTenant(), b = NewTenant();
        Assert.Equal(WorkspaceSettings.Default, await store.GetSettingsAsync(a, Ct));

        var settings = new WorkspaceSettings { Enabled = true, MaxMutationsPerDay = 7 };
        await store.SaveSettingsAsync(a, settings, Ct);

        Assert.Equal(settings, await store.GetSettingsAsync(a, Ct));
        Assert.Equal(WorkspaceSettings.Default, await store.GetSettingsAsync(b, Ct));
    }

    /// <summary>Saved workspaces are listed, each once.</summary>
    [Fact]
    public async Task Workspace_List_HoldsEverySavedWorkspaceOnce()
    {
        var store = Get<IWorkspaceStore>();
        var (first, second) = (NewTenant(), NewTenant());

        await store.SaveSettingsAsync(first, new WorkspaceSettings { Enabled = true }, Ct);
        await store.SaveSettingsAsync(second, new WorkspaceSettings(), Ct);
        await store.SaveSettingsAsync(first, new WorkspaceSettings { AutoPromoteSkills = true }, Ct);

        var listed = await ToListAsync(store.ListWorkspacesAsync(Ct));
        Assert.Single(listed, t => t == first);
        Assert.Single(listed, t => t == second);
        Assert.True((await store.GetSettingsAsync(first, Ct)).AutoPromoteSkills);
    }

    /// <summary>Invalid settings are refused and the saved ones stay.</summary>
    [Fact]
    public async Task Workspace_SaveInvalid_ThrowsAndKeepsPrevious()
    {
        var store = Get<IWorkspaceStore>();
        var tenant = NewTenant();
        var valid = new WorkspaceSettings { Enabled = true };
        await store.SaveSettingsAsync(tenant, valid, Ct);

        await Assert.ThrowsAsync<InvalidSettingsException>(async () =>
            await store.SaveSettingsAsync(tenant, valid with { MaxSkillCandidatesPerDay = 21 }, Ct));

        Assert.Equal(valid, await store.GetSettingsAsync(tenant, Ct));
    }

    // ---- Agents ----------------------------------------------------------------------------------------------

    /// <summary>Adding an agent twice returns the first; another tenant cannot see it.</summary>
    [Fact]
    public async Task Agent_AddTwice_ReturnsExistingAndIsTenantScoped()
    {
        var store = Get<IAgentProfileStore>();
        string tenant = NewTenant(), other = NewTenant();
        var first = await store.AddAsync(new AgentProfile { TenantId = tenant, AgentId = "a1", Maturity = AgentMaturity.Intern }, Ct);
        var second = await store.AddAsync(new AgentProfile { TenantId = tenant, AgentId = "a1", Maturity = AgentMaturity.Autonomous }, Ct);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(AgentMaturity.Intern, second.Entity.Maturity);
        Assert.Null(await store.FindAsync(other, "a1", Ct));
    }

    /// <summary>A stale update fails with a concurrency conflict; an update through another tenant is not found.</summary>
    [Fact]
    public async Task Agent_UpdateStaleOrOtherTenant_Throws()
    {
        var store = Get<IAgentProfileStore>();
        var tenant = NewTenant();
        var created = (await store.AddAsync(new AgentProfile { TenantId = tenant, AgentId = "a1" }, Ct)).Entity;
        var updated = await store.UpdateAsync(created with { EpisodeCount = 1 }, Ct);

        Assert.NotEqual(created.ConcurrencyStamp, updated.ConcurrencyStamp);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.UpdateAsync(created with { EpisodeCount = 5 }, Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(async () => await store.UpdateAsync(updated with { TenantId = NewTenant() }, Ct));
        Assert.Equal(1, (await store.FindAsync(tenant, "a1", Ct))!.EpisodeCount);
    }

    // ---- Episodes --------------------------------------------------------------------------------------------

    /// <summary>Episodes come back with their segments, newest first, filtered by outcome, only in their tenant.</summary>
    [Fact]
    public async Task Episode_ListRecent_NewestFirstFilteredAndScoped()
    {
        var store = Get<IEpisodeStore>();
        var tenant = NewTenant();
        var start = Time.GetUtcNow();
        for (var i = 0; i < 5; i++)
        {
            await store.AddAsync(new Episode
            {
                TenantId = tenant,
                AgentId = "a1",
                TaskDescription = $"task {i}",
                Success = i % 2 == 0,
                OccurredAt = start.AddMinutes(i),
                ToolsAttempted = ["regex", "split"],
                Segments = [new EpisodeSegment { Sequence = 0, Kind = "tool_call", Content = "regex", ToolName = "regex" }],
            }, Ct);
        }

        var failures = await ToListAsync(store.ListRecentAsync(tenant, "a1", success: false, count: 10, Ct));
        var latestTwo = await ToListAsync(store.ListRecentAsync(tenant, "a1", success: null, count: 2, Ct));

        Assert.Equal(["task 3", "task 1"], failures.Select(e => e.TaskDescription));
        Assert.Equal(["task 4", "task 3"], latestTwo.Select(e => e.TaskDescription));
        Assert.Equal(["regex", "split"], failures[0].ToolsAttempted);
        Assert.Equal("regex", Assert.Single(failures[0].Segments).ToolName);
        Assert.Empty(await ToListAsync(store.ListRecentAsync(NewTenant(), "a1", null, 10, Ct)));
        Assert.Null(await store.FindAsync(NewTenant(), failures[0].Id, Ct));
        Assert.NotNull(await store.FindAsync(tenant, failures[0].Id, Ct));
    }

    /// <summary>An episode is counted in its agent's profile as it is added (the profile is created); adding the same id again adds and counts nothing.</summary>
    [Fact]
    public async Task Episode_Add_CountsItInTheProfile_AndARetryNeitherAddsNorCounts()
    {
        var store = Get<IEpisodeStore>();
        var tenant = NewTenant();
        var episode = new Episode { TenantId = tenant, AgentId = "a1", TaskDescription = "t", HumanIntervention = true, ConstitutionalScore = 0.5, OccurredAt = Time.GetUtcNow() };

        var first = await store.AddAsync(episode, Ct);
        var retry = await store.AddAsync(episode with { TaskDescription = "changed" }, Ct);

        Assert.True(first.Added);
        Assert.False(retry.Added);
        Assert.Equal((AgentMaturity.Student, 1, 1, 0.5, 1), (first.Agent.Maturity, first.Agent.EpisodeCount, first.Agent.InterventionCount, first.Agent.ConstitutionalScoreSum, first.Agent.ConstitutionalScoreCount));
        Assert.Equal(1, retry.Agent.EpisodeCount);
        Assert.Equal(1, (await Get<IAgentProfileStore>().FindAsync(tenant, "a1", Ct))!.EpisodeCount);
        Assert.Equal("t", Assert.Single(await ToListAsync(store.ListRecentAsync(tenant, "a1", null, 10, Ct))).TaskDescription);
    }

    /// <summary>Episodes of one agent added at once are all counted: the counters are incremented by the store, not read and written back.</summary>
    [Fact]
    public async Task Episode_ManyAddedAtOnceForOneAgent_AreAllCounted()
    {
        const int Episodes = 120;
        var store = Get<IEpisodeStore>();
        var tenant = NewTenant();
        await Parallel.ForAsync(0, Episodes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
            await store.AddAsync(new Episode { TenantId = tenant, AgentId = "busy", TaskDescription = "t", HumanIntervention = i % 4 == 0, OccurredAt = Time.GetUtcNow() }, ct));

        var profile = await Get<IAgentProfileStore>().FindAsync(tenant, "busy", Ct);
        Assert.Equal((Episodes, Episodes / 4), (profile!.EpisodeCount, profile.InterventionCount));
    }

    /// <summary>A null segment, two segments with one sequence number, or a null kind are refused with <see cref="ArgumentException"/>, and nothing is saved.</summary>
    [Theory]
    [InlineData("null segment")]
    [InlineData("duplicate sequence")]
    [InlineData("null kind")]
    public async Task Episode_InvalidSegments_AreRefusedWithArgumentException_AndNothingIsSaved(string problem)
    {
        var store = Get<IEpisodeStore>();
        var tenant = NewTenant();
        var step = new EpisodeSegment { Sequence = 0, Kind = "tool_call", Content = "regex" };
        IReadOnlyList<EpisodeSegment> segments = problem switch
        {
            "null segment" => [step, null!],
            "duplicate sequence" => [step, step with { Content = "split" }],
            _ => [step with { Kind = null! }],
        };

        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.AddAsync(new Episode { TenantId = tenant, AgentId = "a1", TaskDescription = "t", Segments = segments, OccurredAt = Time.GetUtcNow() }, Ct));

        Assert.Empty(await ToListAsync(store.ListRecentAsync(tenant, "a1", null, 10, Ct)));
        Assert.Null(await Get<IAgentProfileStore>().FindAsync(tenant, "a1", Ct));
    }

    /// <summary>A NUL character in an episode's text is refused with <see cref="ArgumentException"/> on every store (PostgreSQL's text cannot hold it), and nothing is saved.</summary>
    [Theory]
    [InlineData("task")]
    [InlineData("error")]
    [InlineData("segment")]
    public async Task Episode_NulInText_IsRefusedWithArgumentException(string field)
    {
        var store = Get<IEpisodeStore>();
        var tenant = NewTenant();
        var episode = new Episode { TenantId = tenant, AgentId = "a1", TaskDescription = "t", OccurredAt = Time.GetUtcNow() };
        episode = field switch
        {
            "task" => episode with { TaskDescription = "extract\0id" },
            "error" => episode with { ErrorTrace = "KeyError\0" },
            _ => episode with { Segments = [new EpisodeSegment { Kind = "observation", Content = "\0" }] },
        };

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AddAsync(episode, Ct));
        Assert.Empty(await ToListAsync(store.ListRecentAsync(tenant, "a1", null, 10, Ct)));
    }

    // ---- Skill candidates ------------------------------------------------------------------------------------

    /// <summary>A pattern key too long for an index (or holding a NUL) is refused with <see cref="ArgumentException"/> on every store.</summary>
    [Theory]
    [InlineData(10_000, false)]
    [InlineData(20, true)]
    public async Task Candidate_UnindexablePatternKey_IsRefusedWithArgumentException(int length, bool nul)
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var key = new string('k', length) + (nul ? "\0" : string.Empty);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AddAsync(NewCandidate(tenant, key), Ct));
        Assert.Empty(await ToListAsync(store.ListByStatusAsync(tenant, SkillCandidateStatus.Pending, Ct)));
    }

    /// <summary>One open candidate per pattern; once it is closed, a new one may be added.</summary>
    [Fact]
    public async Task Candidate_SamePatternWhileOpen_ReturnsExisting()
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var first = await store.AddAsync(NewCandidate(tenant, "extract invoice id"), Ct);
        var repeat = await store.AddAsync(NewCandidate(tenant, "extract invoice id"), Ct);
        var otherTenant = await store.AddAsync(NewCandidate(NewTenant(), "extract invoice id"), Ct);

        Assert.True(first.Created);
        Assert.False(repeat.Created);
        Assert.Equal(first.Entity.Id, repeat.Entity.Id);
        Assert.True(otherTenant.Created);

        await store.UpdateAsync(first.Entity with { Status = SkillCandidateStatus.Rejected }, Ct);
        Assert.True((await store.AddAsync(NewCandidate(tenant, "extract invoice id"), Ct)).Created);
    }

    /// <summary>A page of a status is its oldest candidates, oldest first, and never another workspace's or another status's.</summary>
    [Fact]
    public async Task Candidate_ListByStatusWithALimit_ReturnsTheOldestFirst()
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        foreach (var minute in (int[])[3, 1, 4, 2, 5])
        {
            await store.AddAsync(NewCandidate(tenant, $"p{minute}") with { Status = SkillCandidateStatus.Validated, CreatedAt = start.AddMinutes(minute) }, Ct);
        }

        await store.AddAsync(NewCandidate(tenant, "pending") with { CreatedAt = start }, Ct);
        await store.AddAsync(NewCandidate(NewTenant(), "other") with { Status = SkillCandidateStatus.Validated, CreatedAt = start }, Ct);

        var page = await ToListAsync(store.ListByStatusAsync(tenant, SkillCandidateStatus.Validated, 3, Ct));

        Assert.Equal(["p1", "p2", "p3"], page.Select(c => c.PatternKey));
        Assert.Equal(5, (await ToListAsync(store.ListByStatusAsync(tenant, SkillCandidateStatus.Validated, Ct))).Count);
    }

    /// <summary>Concurrent adds for one pattern create exactly one candidate.</summary>
    [Fact]
    public async Task Candidate_ConcurrentAddsOfOnePattern_CreateOne()
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await store.AddAsync(NewCandidate(tenant, "same pattern"), Ct))));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Entity.Id).Distinct());
    }

    /// <summary>
    /// The store persists the status the candidate's own transition methods produced, and compares only the stamp: an
    /// update from a stale read is refused and the stored candidate stays.
    /// </summary>
    [Fact]
    public async Task Candidate_Update_PersistsTheStatus_AndRefusesAStaleRead()
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var added = (await store.AddAsync(NewCandidate(tenant, "p1"), Ct)).Entity;
        var failed = await store.UpdateAsync(added.Fail("no code", added.CreatedAt.AddMinutes(1)), Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.UpdateAsync(added.MoveTo(SkillCandidateStatus.Validated, added.CreatedAt), Ct));

        var stored = (await store.FindAsync(tenant, added.Id, Ct))!;
        Assert.Equal((SkillCandidateStatus.Failed, "no code"), (stored.Status, stored.FailureReason));
        Assert.Equal(failed.ConcurrencyStamp, stored.ConcurrencyStamp);
        Assert.NotEqual(added.ConcurrencyStamp, stored.ConcurrencyStamp);
    }

    /// <summary>Two reviewers acting on the same read: one wins, the other gets a concurrency conflict.</summary>
    [Fact]
    public async Task Candidate_TwoReviewersAtOnce_SecondGetsConflict()
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var validated = await store.UpdateAsync((await store.AddAsync(NewCandidate(tenant, "p"), Ct)).Entity with { Status = SkillCandidateStatus.Validated }, Ct);

        await store.UpdateAsync(validated.Reject(Rev("alice")), Ct);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            await store.UpdateAsync(validated.Reject(Rev("bob")), Ct));

        var read = await store.FindAsync(tenant, validated.Id, Ct);
        Assert.Equal("alice", read!.ReviewedBy);
        Assert.Equal([Rev("alice")], read.Reviews);
    }

    /// <summary>Two reviewers approving the same read at the same moment: exactly one wins.</summary>
    [Fact]
    public async Task Candidate_TwoReviewersInParallel_ExactlyOneWins()
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var validated = await store.UpdateAsync((await store.AddAsync(NewCandidate(tenant, "p"), Ct)).Entity with { Status = SkillCandidateStatus.Validated }, Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.UpdateAsync(validated.Reject(Rev($"reviewer-{i}")), Ct);
                return true;
            }
            catch (ConcurrencyConflictException)
            {
                return false;
            }
        })));

        Assert.Equal(1, outcomes.Count(won => won));
        Assert.Single((await store.FindAsync(tenant, validated.Id, Ct))!.Reviews);
    }

    /// <summary>Another tenant's candidate id behaves as unknown, for reads and writes.</summary>
    [Fact]
    public async Task Candidate_OtherTenantsId_BehavesAsNotFound()
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var other = NewTenant();
        var candidate = (await store.AddAsync(NewCandidate(tenant, "p"), Ct)).Entity;

        Assert.Null(await store.FindAsync(other, candidate.Id, Ct));
        Assert.Null(await store.FindOpenByPatternAsync(other, "p", Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(async () => await store.UpdateAsync(candidate with { TenantId = other, Status = SkillCandidateStatus.Rejected }, Ct));
        Assert.Empty(await ToListAsync(store.ListByStatusAsync(other, SkillCandidateStatus.Pending, Ct)));
        Assert.Equal(SkillCandidateStatus.Pending, (await store.FindAsync(tenant, candidate.Id, Ct))!.Status);
    }

    /// <summary>
    /// Regression (an id reused by another workspace failed with "already exists in workspace ..." naming the wrong
    /// owner): ids are keys per tenant, so two workspaces holding one id each have their own entity.
    /// </summary>
    [Fact]
    public async Task AnIdReusedByAnotherTenant_IsThatTenantsOwnEntity()
    {
        var (first, second) = (NewTenant(), NewTenant());
        var id = Guid.NewGuid();
        var at = Time.GetUtcNow();
        var episodes = Get<IEpisodeStore>();
        var candidates = Get<ISkillCandidateStore>();
        var skills = Get<ISkillStore>();
        var mutations = Get<IToolMutationStore>();
        var variants = Get<IWorkflowVariantStore>();
        var usage = Get<ICapabilityUsageStore>();
        var calls = Get<IChatCallStore>();
        foreach (var tenant in new[] { first, second })
        {
            Assert.True((await episodes.AddAsync(new Episode { Id = id, TenantId = tenant, AgentId = "a1", TaskDescription = tenant, OccurredAt = at }, Ct)).Added);
            Assert.True((await candidates.AddAsync(NewCandidate(tenant, "p") with { Id = id, Description = tenant }, Ct)).Created);
            var skill = new Skill { Id = id, TenantId = tenant, Name = "extract_invoice_id", Description = tenant, CreatedAt = at };
            await skills.AddAsync(skill, NewVersion(tenant, id, SemanticVersion.Initial, null) with { Id = id }, Ct);
            Assert.True((await mutations.AddAsync(new ToolMutation { Id = id, TenantId = tenant, SkillId = id, ParentVersionId = id, Code = tenant }, Ct)).Created);
            await variants.AddAsync(new WorkflowVariant { Id = id, TenantId = tenant, AgentId = "a1", WorkflowDefinitionJson = "{}", CreatedAt = at }, Ct);
            Assert.True(await usage.TryReserveAsync(new CapabilityUsage { Id = id, TenantId = tenant, Capability = "memento.generate", Day = DateOnly.FromDateTime(at.UtcDateTime), CreatedAt = at }, 5, Ct));
            await calls.AddAsync(new ChatCallRecord { Id = id, TenantId = tenant, Purpose = "memento.generate", StartedAt = at, Succeeded = true }, Ct);
        }

        foreach (var tenant in new[] { first, second })
        {
            Assert.Equal(tenant, (await episodes.FindAsync(tenant, id, Ct))!.TaskDescription);
            Assert.Equal(tenant, (await candidates.FindAsync(tenant, id, Ct))!.Description);
            Assert.Equal(tenant, (await skills.FindAsync(tenant, id, Ct))!.Description);
            Assert.Equal(id, (await skills.FindVersionAsync(tenant, id, Ct))!.Id);
            Assert.Equal(tenant, (await mutations.FindAsync(tenant, id, Ct))!.Code);
            Assert.Equal(tenant, (await variants.FindAsync(tenant, id, Ct))!.TenantId);
            Assert.Equal(1, await usage.CountAsync(tenant, "memento.generate", null, DateOnly.FromDateTime(at.UtcDateTime), Ct));
            Assert.Single(await ToListAsync(calls.ListRecentAsync(tenant, 10, Ct)));
        }

        // Within one workspace an id is still taken once.
        await Assert.ThrowsAsync<DuplicateEntityException>(async () => await candidates.AddAsync(NewCandidate(first, "other") with { Id = id }, Ct));
        await Assert.ThrowsAsync<DuplicateEntityException>(async () => await calls.AddAsync(new ChatCallRecord { Id = id, TenantId = first, Purpose = "again", StartedAt = at }, Ct));
    }

    /// <summary>Candidates keep every field through a round trip, including the validation result.</summary>
    [Fact]
    public async Task Candidate_RoundTrip_KeepsFields()
    {
        var store = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var episodeIds = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var candidate = NewCandidate(tenant, "p") with
        {
            Description = "Extracts the invoice id.",
            Code = "def extract_invoice_id(text):\n    return text",
            TestCasesJson = "assert extract_invoice_id('x') == 'x'",
            SourceEpisodeIds = episodeIds,
            ImportedVersion = new SemanticVersion(2, 3, 4),
            TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        var added = (await store.AddAsync(candidate, Ct)).Entity;
        var validation = new SandboxResult { Status = SandboxStatus.Succeeded, Stdout = "ok", Tier = "fake", Duration = TimeSpan.FromMilliseconds(12) };
        await store.UpdateAsync(added with { Status = SkillCandidateStatus.Validated, Validation = validation, FitnessScore = 0.5 }, Ct);

        var found = (await store.FindAsync(tenant, added.Id, Ct))!;
        Assert.Equal(candidate.Code, found.Code);
        Assert.Equal(candidate.TestCasesJson, found.TestCasesJson);
        Assert.Equal(episodeIds, found.SourceEpisodeIds);
        Assert.Equal(SandboxStatus.Succeeded, found.Validation!.Status);
        Assert.Equal("ok", found.Validation.Stdout);
        Assert.Equal(0.5, found.FitnessScore);
        Assert.Equal(new SemanticVersion(2, 3, 4), found.ImportedVersion);
        Assert.Equal(candidate.TraceParent, found.TraceParent);
        Assert.Null((await store.AddAsync(NewCandidate(tenant, "learned"), Ct)).Entity.ImportedVersion);
    }

    /// <summary>A candidate's per-case results, held-out results and other samples come back as saved; so does an episode's resolution.</summary>
    [Fact]
    public async Task Candidate_CaseResultsAndSamples_AndEpisodeResolution_RoundTrip()
    {
        var tenant = NewTenant();
        var heldOut = TestCase.Returns("{\"text\": \"INV-1\"}", "\"INV-1\"", "episode 1");
        var failed = new CaseResult { Case = TestCase.Throws("{\"text\": \"none\"}", "ValueError"), Actual = "\"x\"", Difference = "returned a value instead of raising ValueError" };
        var store = Get<ISkillCandidateStore>();
        var added = (await store.AddAsync(NewCandidate(tenant, "p"), Ct)).Entity;
        await store.UpdateAsync(added with
        {
            TestResults = [failed],
            HeldOutResults = [new CaseResult { Case = heldOut, Passed = true, Actual = "\"INV-1\"" }],
            OtherSamples = [new CandidateSample { Code = "def f(): pass", TestCasesJson = "[]", TestResults = [failed], Reason = "Not chosen: shorter" }],
        }, Ct);

        var found = (await store.FindAsync(tenant, added.Id, Ct))!;
        Assert.Equal(failed, Assert.Single(found.TestResults));
        Assert.Equal(heldOut, Assert.Single(found.HeldOutResults).Case);
        var sample = Assert.Single(found.OtherSamples);
        Assert.Equal(("def f(): pass", "Not chosen: shorter"), (sample.Code, sample.Reason));
        Assert.Equal(failed, Assert.Single(sample.TestResults));

        var episode = new Episode { TenantId = tenant, AgentId = "a", TaskDescription = "t", Resolution = heldOut, OccurredAt = Time.GetUtcNow() };
        await Get<IEpisodeStore>().AddAsync(episode, Ct);
        Assert.Equal(heldOut, (await Get<IEpisodeStore>().FindAsync(tenant, episode.Id, Ct))!.Resolution);
    }

    /// <summary>Acceptance cases: one per skill and inputs (a second add returns the first), listed oldest first, removed by id, per workspace.</summary>
    [Fact]
    public async Task AcceptanceCase_AddListRemove_OnePerInputs_AndTenantScoped()
    {
        var store = Get<IAcceptanceCaseStore>();
        var tenant = NewTenant();
        var other = NewTenant();
        AcceptanceCase Case(string tenantId, string inputs, string expected, int minutes) =>
            new() { TenantId = tenantId, SkillName = "extract_invoice_id", Case = TestCase.Returns(inputs, expected), CreatedAt = DateTimeOffset.UnixEpoch.AddMinutes(minutes) };

        var first = await store.AddAsync(Case(tenant, "{\"text\":\"a\"}", "\"A\"", 1), Ct);
        var second = await store.AddAsync(Case(tenant, "{\"text\":\"" + new string('b', 5_000) + "\"}", "\"B\"", 2), Ct);
        var again = await store.AddAsync(Case(tenant, "{\"text\":\"a\"}", "\"other\"", 3), Ct);
        await store.AddAsync(Case(other, "{\"text\":\"a\"}", "\"A\"", 1), Ct);

        Assert.True(first.Created && second.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Entity.Id, again.Entity.Id);
        Assert.Equal("\"A\"", again.Entity.Case.ExpectedJson);
        Assert.Equal([first.Entity.Id, second.Entity.Id], (await ToListAsync(store.ListAsync(tenant, "extract_invoice_id", Ct))).Select(c => c.Id));
        Assert.Empty(await ToListAsync(store.ListAsync(tenant, "other_skill", Ct)));
        Assert.False(await store.RemoveAsync(other, first.Entity.Id, Ct));
        Assert.True(await store.RemoveAsync(tenant, first.Entity.Id, Ct));
        Assert.Equal([second.Entity.Id], (await ToListAsync(store.ListAsync(tenant, "extract_invoice_id", Ct))).Select(c => c.Id));
        Assert.Single(await ToListAsync(store.ListAsync(other, "extract_invoice_id", Ct)));
    }

    // ---- Skills ----------------------------------------------------------------------------------------------

    /// <summary>A skill name is unique per workspace, not across workspaces.</summary>
    [Fact]
    public async Task Skill_DuplicateName_ThrowsOnlyInSameTenant()
    {
        var store = Get<ISkillStore>();
        var tenant = NewTenant();
        await AddSkillAsync(store, tenant, "extract_invoice_id");

        await Assert.ThrowsAsync<DuplicateEntityException>(async () => await AddSkillAsync(store, tenant, "extract_invoice_id"));
        var elsewhere = await AddSkillAsync(store, NewTenant(), "extract_invoice_id");
        Assert.Null(await store.FindAsync(tenant, elsewhere.Skill.Id, Ct));
    }

    /// <summary>A promotion writes the new skill, its active version and the promoted candidate together.</summary>
    [Fact]
    public async Task Promote_WritesSkillVersionAndCandidateTogether()
    {
        var store = Get<ISkillStore>();
        var candidates = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        var validated = await candidates.UpdateAsync((await candidates.AddAsync(NewCandidate(tenant, "p"), Ct)).Entity with { Status = SkillCandidateStatus.Validated }, Ct);
        var skill = new Skill { TenantId = tenant, Name = "extract_invoice_id", CreatedAt = Time.GetUtcNow() };
        var version = NewVersion(tenant, skill.Id, SemanticVersion.Initial, null) with { SourceCandidateId = validated.Id };

        var written = await store.PromoteAsync(new SkillPromotion { NewSkill = skill, Version = version, Candidate = validated.Promote(version.Id, Rev("ana", ReviewDecision.Approved)) }, Ct);

        Assert.Equal(version.Id, written.ActiveVersionId);
        Assert.Equal(version.Id, (await store.FindByNameAsync(tenant, skill.Name, Ct))!.ActiveVersionId);
        var promoted = await candidates.FindAsync(tenant, validated.Id, Ct);
        Assert.Equal((SkillCandidateStatus.Promoted, version.Id, "ana"), (promoted!.Status, promoted.PromotedVersionId, promoted.ReviewedBy));
        Assert.Null(await candidates.FindOpenByPatternAsync(tenant, "p", Ct));
    }

    /// <summary>
    /// Regression (approval was two writes: a failed promotion left the candidate approved, off the review list and
    /// blocking its pattern): a promotion that cannot be written writes nothing, so the candidate can be decided again.
    /// </summary>
    [Fact]
    public async Task Promote_NameTakenOrStale_WritesNothing()
    {
        var store = Get<ISkillStore>();
        var candidates = Get<ISkillCandidateStore>();
        var tenant = NewTenant();
        await AddSkillAsync(store, tenant, "extract_invoice_id");
        var validated = await candidates.UpdateAsync((await candidates.AddAsync(NewCandidate(tenant, "p"), Ct)).Entity with { Status = SkillCandidateStatus.Validated }, Ct);
        var rival = new Skill { TenantId = tenant, Name = "extract_invoice_id", CreatedAt = Time.GetUtcNow() };
        var version = NewVersion(tenant, rival.Id, SemanticVersion.Initial, null);

        await Assert.ThrowsAsync<DuplicateEntityException>(async () =>
            await store.PromoteAsync(new SkillPromotion { NewSkill = rival, Version = version, Candidate = validated.Promote(version.Id, Rev("ana", ReviewDecision.Approved)) }, Ct));
        var stale = validated with { ConcurrencyStamp = Guid.NewGuid() };
        var other = new Skill { TenantId = tenant, Name = "other_name", CreatedAt = Time.GetUtcNow() };
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            await store.PromoteAsync(new SkillPromotion { NewSkill = other, Version = NewVersion(tenant, other.Id, SemanticVersion.Initial, null), Candidate = stale.Promote(Guid.NewGuid(), Rev("bo", ReviewDecision.Approved)) }, Ct));

        Assert.Equal(SkillCandidateStatus.Validated, (await candidates.FindAsync(tenant, validated.Id, Ct))!.Status);
        Assert.Equal(validated.Id, (await candidates.FindOpenByPatternAsync(tenant, "p", Ct))!.Id);
        Assert.Null(await store.FindByNameAsync(tenant, "other_name", Ct));
        Assert.Null(await store.FindVersionAsync(tenant, version.Id, Ct));
        Assert.Equal(SkillCandidateStatus.Rejected, (await candidates.UpdateAsync(validated.Reject(Rev("ana")), Ct)).Status);
    }

    /// <summary>
    /// Regression (two same-name candidates approved at once left one stuck in 14 of 20 rounds on PostgreSQL): through
    /// the review service both become versions of one skill, 1.0.0 and 2.0.0, every round.
    /// </summary>
    [Fact]
    public async Task Review_TwoSameNameCandidatesApprovedAtOnce_BothArePromoted()
    {
        var candidates = Get<ISkillCandidateStore>();
        var review = Get<IReviewService>();
        for (var round = 0; round < 20; round++)
        {
            var tenant = NewTenant();
            var pair = new List<SkillCandidate>();
            foreach (var pattern in new[] { "first", "second" })
            {
                pair.Add(await candidates.UpdateAsync((await candidates.AddAsync(NewCandidate(tenant, pattern), Ct)).Entity with { Status = SkillCandidateStatus.Validated }, Ct));
            }

            var versions = await Task.WhenAll(pair.Select(c => Task.Run(() => review.ApproveAsync(tenant, c.Id, "ana", null, Ct))));

            Assert.Equal(["1.0.0", "2.0.0"], versions.Select(v => v.Version.ToString()).Order(StringComparer.Ordinal));
            foreach (var candidate in pair)
            {
                Assert.Equal(SkillCandidateStatus.Promoted, (await candidates.FindAsync(tenant, candidate.Id, Ct))!.Status);
            }
        }
    }

    /// <summary>A mutation's promotion writes its version, active, and the promoted mutation together; a stale one writes nothing.</summary>
    [Fact]
    public async Task Promote_Mutation_WritesVersionAndMutationTogether()
    {
        var store = Get<ISkillStore>();
        var mutations = Get<IToolMutationStore>();
        var tenant = NewTenant();
        var (skill, v1) = await AddSkillAsync(store, tenant, "total");
        var added = (await mutations.AddAsync(new ToolMutation { TenantId = tenant, SkillId = skill.Id, ParentVersionId = v1.Id, Code = "def f():\n    return 2" }, Ct)).Entity;
        var passed = await mutations.UpdateAsync(added with { Status = ToolMutationStatus.Passed }, Ct);
        var v11 = NewVersion(tenant, skill.Id, new(1, 1, 0), v1.Id) with { SourceMutationId = passed.Id };

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            await store.PromoteAsync(new SkillPromotion { Version = v11, Mutation = (added with { Status = ToolMutationStatus.Passed }).Promote(v11.Id, Rev("ana", ReviewDecision.Approved)) }, Ct));
        Assert.Null(await store.FindVersionAsync(tenant, v11.Id, Ct));

        var written = await store.PromoteAsync(new SkillPromotion { Version = v11, Mutation = passed.Promote(v11.Id, Rev("ana", ReviewDecision.Approved)) }, Ct);

        Assert.Equal(v11.Id, written.ActiveVersionId);
        Assert.Equal(ToolMutationStatus.Promoted, (await mutations.FindAsync(tenant, passed.Id, Ct))!.Status);
        await Assert.ThrowsAsync<DuplicateEntityException>(async () =>
            await store.PromoteAsync(new SkillPromotion { Version = NewVersion(tenant, skill.Id, new(1, 1, 0), v1.Id) }, Ct));
    }

    /// <summary>Several versions by id in one read: the workspace's only, each once, unknown ids left out.</summary>
    [Fact]
    public async Task Skill_FindVersions_ReturnsTheWorkspacesVersionsAmongTheIds_AndNothingElse()
    {
        var store = Get<ISkillStore>();
        string tenant = NewTenant(), other = NewTenant();
        var (_, first) = await AddSkillAsync(store, tenant, "first_skill");
        var (_, second) = await AddSkillAsync(store, tenant, "second_skill");
        var (_, foreign) = await AddSkillAsync(store, other, "first_skill");

        var found = await ToListAsync(store.FindVersionsAsync(tenant, [first.Id, second.Id, first.Id, foreign.Id, Guid.NewGuid()], Ct));

        Assert.Equal(new[] { first.Id, second.Id }.Order(), found.Select(v => v.Id).Order());
        Assert.Equal(first.Code, found.Single(v => v.Id == first.Id).Code);
        Assert.Empty(await ToListAsync(store.FindVersionsAsync(tenant, [], Ct)));
    }

    /// <summary>Versions, activation and rollback; lineage gives ancestors nearest first and all descendants.</summary>
    [Fact]
    public async Task Skill_VersionsLineageAndRollback_Work()
    {
        var store = Get<ISkillStore>();
        var tenant = NewTenant();
        var (skill, v1) = await AddSkillAsync(store, tenant, "process_invoice");
        var v11 = await store.AddVersionAsync(NewVersion(tenant, skill.Id, new(1, 1, 0), v1.Id), activate: true, Ct);
        var v12 = await store.AddVersionAsync(NewVersion(tenant, skill.Id, new(1, 2, 0), v11.Id), activate: true, Ct);
        var branch = await store.AddVersionAsync(NewVersion(tenant, skill.Id, new(1, 3, 0), v11.Id), activate: false, Ct);

        Assert.Equal(v12.Id, (await store.FindAsync(tenant, skill.Id, Ct))!.ActiveVersionId);
        var lineage = await store.GetLineageAsync(tenant, v11.Id, Ct);
        Assert.Equal([v1.Id], lineage.Ancestors.Select(v => v.Id));
        Assert.Equal(new[] { v12.Id, branch.Id }.Order(), lineage.Descendants.Select(v => v.Id).Order());
        Assert.Equal([v11.Id, v1.Id], (await store.GetLineageAsync(tenant, v12.Id, Ct)).Ancestors.Select(v => v.Id));

        await store.SetActiveVersionAsync(tenant, skill.Id, v1.Id, Ct);
        Assert.Equal(v1.Id, (await store.FindAsync(tenant, skill.Id, Ct))!.ActiveVersionId);
        Assert.Equal(["1.0.0", "1.1.0", "1.2.0", "1.3.0"], (await ToListAsync(store.ListVersionsAsync(tenant, skill.Id, Ct))).Select(v => v.Version.ToString()));

        await Assert.ThrowsAsync<DuplicateEntityException>(async () => await store.AddVersionAsync(NewVersion(tenant, skill.Id, new(1, 1, 0), v1.Id), false, Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(async () => await store.SetActiveVersionAsync(NewTenant(), skill.Id, v1.Id, Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(async () => await store.GetLineageAsync(NewTenant(), v11.Id, Ct));
    }

    /// <summary>A version whose parent belongs to another workspace is refused.</summary>
    [Fact]
    public async Task Skill_VersionWithOtherTenantsParent_Throws()
    {
        var store = Get<ISkillStore>();
        var tenant = NewTenant();
        var (_, foreignV1) = await AddSkillAsync(store, NewTenant(), "s");
        var (skill, _) = await AddSkillAsync(store, tenant, "s");

        await Assert.ThrowsAsync<EntityNotFoundException>(async () => await store.AddVersionAsync(NewVersion(tenant, skill.Id, new(1, 1, 0), foreignV1.Id), true, Ct));
    }

    /// <summary>A deep chain of versions comes back whole.</summary>
    [Fact]
    public async Task Skill_DeepLineage_ReturnsWholeChain()
    {
        var store = Get<ISkillStore>();
        var tenant = NewTenant();
        var (skill, current) = await AddSkillAsync(store, tenant, "deep");
        var first = current;
        for (var i = 1; i <= 60; i++)
        {
            current = await store.AddVersionAsync(NewVersion(tenant, skill.Id, new(1, i, 0), current.Id), false, Ct);
        }

        Assert.Equal(60, (await store.GetLineageAsync(tenant, current.Id, Ct)).Ancestors.Count);
        Assert.Equal(60, (await store.GetLineageAsync(tenant, first.Id, Ct)).Descendants.Count);
    }

    // ---- Mutations and variants ------------------------------------------------------------------------------

    /// <summary>Mutations follow their state machine and keep research lineage.</summary>
    [Fact]
    public async Task Mutation_TransitionsAndLineage_Work()
    {
        var store = Get<IToolMutationStore>();
        var tenant = NewTenant();
        var skillId = Guid.NewGuid();
        var parentTool = Guid.NewGuid();
        var root = (await store.AddAsync(new ToolMutation { TenantId = tenant, SkillId = skillId, ParentVersionId = parentTool, Trigger = MutationTrigger.Research, Code = "a" }, Ct)).Entity;
        var child = (await store.AddAsync(new ToolMutation { TenantId = tenant, SkillId = skillId, ParentVersionId = parentTool, Trigger = MutationTrigger.Research, ParentMutationId = root.Id, Code = "b" }, Ct)).Entity;

        var passed = await store.UpdateAsync(root.MoveTo(ToolMutationStatus.Passed, root.CreatedAt) with { FitnessScore = 0.8 }, Ct);
        await store.UpdateAsync(passed.Reject(Rev("ana")), Ct);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.UpdateAsync(passed with { Status = ToolMutationStatus.Rejected }, Ct));

        Assert.Equal([root.Id], (await store.GetLineageAsync(tenant, child.Id, Ct)).Ancestors.Select(m => m.Id));
        Assert.Equal([child.Id], (await store.GetLineageAsync(tenant, root.Id, Ct)).Descendants.Select(m => m.Id));
        Assert.Null(await store.FindAsync(NewTenant(), root.Id, Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(async () =>
            await store.AddAsync(new ToolMutation { TenantId = NewTenant(), SkillId = skillId, ParentVersionId = parentTool, ParentMutationId = root.Id }, Ct));
    }

    /// <summary>One open mutation per parent version and trigger: a second add returns the first; a closed one frees the key; other tenants never see it.</summary>
    [Fact]
    public async Task Mutation_OnePerVersionAndTrigger_WhileOpen()
    {
        var store = Get<IToolMutationStore>();
        var tenant = NewTenant();
        var (skillId, version) = (Guid.NewGuid(), Guid.NewGuid());
        ToolMutation New(MutationTrigger trigger) => new() { TenantId = tenant, SkillId = skillId, ParentVersionId = version, Trigger = trigger, Code = "def f():\n    return 1\n" };

        var first = await store.AddAsync(New(MutationTrigger.Latency), Ct);
        var second = await store.AddAsync(New(MutationTrigger.Latency), Ct);
        var other = await store.AddAsync(New(MutationTrigger.Failure), Ct);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Entity.Id, second.Entity.Id);
        Assert.True(other.Created);
        Assert.Equal(first.Entity.Id, (await store.FindOpenAsync(tenant, version, MutationTrigger.Latency, Ct))?.Id);
        Assert.Null(await store.FindOpenAsync(NewTenant(), version, MutationTrigger.Latency, Ct));

        await store.UpdateAsync(first.Entity with { Status = ToolMutationStatus.Failed, FailureReason = "slower" }, Ct);
        Assert.Null(await store.FindOpenAsync(tenant, version, MutationTrigger.Latency, Ct));
        Assert.True((await store.AddAsync(New(MutationTrigger.Latency), Ct)).Created);
    }

    /// <summary>A version's children come oldest first, whatever their status, and only the version's, only in their tenant.</summary>
    [Fact]
    public async Task Mutation_ListChildren_OfOneVersion_OldestFirst()
    {
        var store = Get<IToolMutationStore>();
        var tenant = NewTenant();
        var (skillId, version) = (Guid.NewGuid(), Guid.NewGuid());
        var start = Time.GetUtcNow();
        ToolMutation New(Guid parent, MutationTrigger trigger, int minute) => new() { TenantId = tenant, SkillId = skillId, ParentVersionId = parent, Trigger = trigger, Code = "x", CreatedAt = start.AddMinutes(minute) };
        var late = await store.AddAsync(New(version, MutationTrigger.Failure, 2), Ct);
        var early = await store.AddAsync(New(version, MutationTrigger.Latency, 1), Ct);
        await store.UpdateAsync(early.Entity with { Status = ToolMutationStatus.Failed, FailureReason = "slower" }, Ct);
        await store.AddAsync(New(Guid.NewGuid(), MutationTrigger.Latency, 0), Ct);

        var children = await ToListAsync(store.ListChildrenAsync(tenant, version, Ct));

        Assert.Equal([early.Entity.Id, late.Entity.Id], children.Select(c => c.Id));
        Assert.Equal(ToolMutationStatus.Failed, children[0].Status);
        Assert.Empty(await ToListAsync(store.ListChildrenAsync(NewTenant(), version, Ct)));
    }

    /// <summary>Parallel adds for one version and trigger create exactly one open mutation.</summary>
    [Fact]
    public async Task Mutation_ParallelAdds_CreateOne()
    {
        var store = Get<IToolMutationStore>();
        var tenant = NewTenant();
        var (skillId, version) = (Guid.NewGuid(), Guid.NewGuid());
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            await store.AddAsync(new ToolMutation { TenantId = tenant, SkillId = skillId, ParentVersionId = version, Trigger = MutationTrigger.Retries, Code = "x" }, Ct))));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Entity.Id).Distinct());
    }

    /// <summary>Every field of a mutation survives the store, and recent mutations come newest first, per tenant.</summary>
    [Fact]
    public async Task Mutation_FieldsRoundTrip_AndRecentIsNewestFirst()
    {
        var store = Get<IToolMutationStore>();
        var tenant = NewTenant();
        var start = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var evaluation = new MutationEvaluation
        {
            Runs = 5,
            InputCount = 2,
            Parent = new VariantMeasurement { RunMilliseconds = [10.5, 11, 12], MedianMilliseconds = 11, SuccessRate = 1, OutputTokens = 3, TestsPassed = 3, TestsTotal = 3, Fitness = 0.99 },
            Child = new VariantMeasurement { RunMilliseconds = [1.5, 1, 2], MedianMilliseconds = 1.5, SuccessRate = 1, OutputTokens = 3, TestsPassed = 3, TestsTotal = 3, Fitness = 0.999 },
            BehaviourPreserved = true,
            LatencyPValue = 0.004,
            LatencyCounted = true,
            ChildWins = true,
        };
        var added = (await store.AddAsync(new ToolMutation
        {
            TenantId = tenant,
            SkillId = Guid.NewGuid(),
            ParentVersionId = Guid.NewGuid(),
            Trigger = MutationTrigger.Tokens,
            AgentId = "agent-1",
            EvaluationInputs = ["{\"id\":\"INV-1\"}", "{\"id\":\"INV-2\"}"],
            GenerationTokens = 321,
            Code = "def f(id):\n    return id\n",
            TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            CreatedAt = start,
            UpdatedAt = start,
        }, Ct)).Entity;
        var passed = await store.UpdateAsync(added with { Status = ToolMutationStatus.Passed, Evaluation = evaluation, FitnessScore = 0.999, ParentFitnessScore = 0.99, UpdatedAt = start.AddMinutes(1) }, Ct);
        var rejected = await store.UpdateAsync(passed.Reject(new Review("ana", ReviewDecision.Rejected, "too clever", start.AddMinutes(2))), Ct);
        var newer = (await store.AddAsync(new ToolMutation { TenantId = tenant, SkillId = Guid.NewGuid(), ParentVersionId = Guid.NewGuid(), Code = "y", CreatedAt = start.AddHours(1) }, Ct)).Entity;
        await store.AddAsync(new ToolMutation { TenantId = NewTenant(), SkillId = Guid.NewGuid(), ParentVersionId = Guid.NewGuid(), Code = "z", CreatedAt = start.AddHours(2) }, Ct);

        var read = await store.FindAsync(tenant, added.Id, Ct);
        Assert.NotNull(read);
        Assert.Equal(("agent-1", 321L, "ana", "too clever", start.AddMinutes(2)), (read.AgentId, read.GenerationTokens, read.ReviewedBy, read.ReviewReason, read.UpdatedAt));
        Assert.Equal(added.TraceParent, read.TraceParent);
        Assert.Equal(added.EvaluationInputs, read.EvaluationInputs);
        Assert.NotNull(read.Evaluation);
        Assert.Equal([1.5, 1, 2], read.Evaluation.Child.RunMilliseconds);
        Assert.Equal((0.99, 0.999, true, 0.004), (read.Evaluation.Parent.Fitness, read.Evaluation.Child.Fitness, read.Evaluation.ChildWins, read.Evaluation.LatencyPValue));
        Assert.Equal(rejected.ConcurrencyStamp, read.ConcurrencyStamp);
        Assert.Equal([newer.Id, added.Id], (await ToListAsync(store.ListRecentAsync(tenant, 10, Ct))).Select(m => m.Id));
        Assert.Single(await ToListAsync(store.ListRecentAsync(tenant, 1, Ct)));
    }

    /// <summary>Workflow variants rank by fitness and keep their lineage and signals.</summary>
    [Fact]
    public async Task Variant_TopAndLineage_Work()
    {
        var store = Get<IWorkflowVariantStore>();
        var tenant = NewTenant();
        var root = await store.AddAsync(new WorkflowVariant { TenantId = tenant, AgentId = "a1", WorkflowDefinitionJson = "{\"steps\":[]}" }, Ct);
        var child = await store.AddAsync(new WorkflowVariant { TenantId = tenant, AgentId = "a1", ParentVariantId = root.Id, WorkflowDefinitionJson = "{\"steps\":[1]}" }, Ct);
        await store.UpdateAsync(root with { EvaluationStatus = WorkflowEvaluationStatus.Evaluated, FitnessScore = 0.4 }, Ct);
        await store.UpdateAsync(child with
        {
            EvaluationStatus = WorkflowEvaluationStatus.Evaluated,
            FitnessScore = 0.9,
            FitnessSignals = [new FitnessSignal(FitnessSignalNames.InvoiceCreated, 1, "d1")],
        }, Ct);

        var top = await ToListAsync(store.ListTopAsync(tenant, "a1", 5, Ct));
        Assert.Equal([child.Id, root.Id], top.Select(v => v.Id));
        Assert.Equal("d1", Assert.Single(top[0].FitnessSignals).DeliveryId);
        Assert.Equal([root.Id], (await store.GetLineageAsync(tenant, child.Id, Ct)).Ancestors.Select(v => v.Id));
        Assert.Empty(await ToListAsync(store.ListTopAsync(NewTenant(), "a1", 5, Ct)));
        await Assert.ThrowsAsync<EntityNotFoundException>(async () =>
            await store.AddAsync(new WorkflowVariant { TenantId = NewTenant(), AgentId = "a1", ParentVariantId = root.Id, WorkflowDefinitionJson = "{}" }, Ct));

        var failed = await store.AddAsync(new WorkflowVariant { TenantId = tenant, AgentId = "a1", ParentVariantId = root.Id, WorkflowDefinitionJson = "\"no json\"", EvaluationStatus = WorkflowEvaluationStatus.Failed, FailureReason = "not an object" }, Ct);
        Assert.Equal("not an object", (await store.FindAsync(tenant, failed.Id, Ct))?.FailureReason);
        Assert.DoesNotContain(await ToListAsync(store.ListTopAsync(tenant, "a1", 5, Ct)), v => v.Id == failed.Id);
    }

    // ---- Limits ----------------------------------------------------------------------------------------------

    /// <summary>Many concurrent reservations never exceed the limit; releasing gives one back.</summary>
    [Fact]
    public async Task Usage_ConcurrentReservations_NeverExceedLimit()
    {
        var store = Get<ICapabilityUsageStore>();
        var tenant = NewTenant();
        var day = new DateOnly(2026, 1, 1);
        const int Limit = 7;

        var usages = Enumerable.Range(0, 40).Select(_ => new CapabilityUsage { TenantId = tenant, Capability = CapabilityNames.AlphaEvolver, Day = day }).ToList();
        var granted = await Task.WhenAll(usages.Select(u => Task.Run(async () => await store.TryReserveAsync(u, Limit, Ct))));

        Assert.Equal(Limit, granted.Count(g => g));
        Assert.Equal(Limit, await store.CountAsync(tenant, CapabilityNames.AlphaEvolver, null, day, Ct));

        var grantedUsage = usages[Array.IndexOf(granted, true)];
        await store.CompleteAsync(tenant, grantedUsage.Id, CapabilityUsageStatus.Released, Ct);
        Assert.Equal(Limit - 1, await store.CountAsync(tenant, CapabilityNames.AlphaEvolver, null, day, Ct));
        await Assert.ThrowsAsync<InvalidStateTransitionException>(async () => await store.CompleteAsync(tenant, grantedUsage.Id, CapabilityUsageStatus.Committed, Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(async () => await store.CompleteAsync(NewTenant(), usages[0].Id, CapabilityUsageStatus.Committed, Ct));
    }

    /// <summary>Limits count per agent, per day and per tenant separately.</summary>
    [Fact]
    public async Task Usage_Scopes_AreCountedSeparately()
    {
        var store = Get<ICapabilityUsageStore>();
        var tenant = NewTenant();
        var day = new DateOnly(2026, 1, 1);
        CapabilityUsage Usage(string? agent, DateOnly d, string t) => new() { TenantId = t, AgentId = agent, Capability = CapabilityNames.MementoSkills, Day = d };

        Assert.True(await store.TryReserveAsync(Usage("a1", day, tenant), 1, Ct));
        Assert.False(await store.TryReserveAsync(Usage("a1", day, tenant), 1, Ct));
        Assert.True(await store.TryReserveAsync(Usage("a2", day, tenant), 1, Ct));
        Assert.True(await store.TryReserveAsync(Usage("a1", day.AddDays(1), tenant), 1, Ct));
        Assert.True(await store.TryReserveAsync(Usage("a1", day, NewTenant()), 1, Ct));
        Assert.Equal(1, await store.CountAsync(tenant, CapabilityNames.MementoSkills, "a1", day, Ct));
    }

    /// <summary>
    /// Regression (a crash during the model call kept its reservation for the rest of the day): a reservation
    /// neither committed nor released stops counting once it expires, and only then; committed uses never expire.
    /// </summary>
    [Fact]
    public async Task Usage_ExpiredReservation_IsReleasedByTheNextReservation()
    {
        var store = Get<ICapabilityUsageStore>();
        var tenant = NewTenant();
        var day = new DateOnly(2026, 1, 1);
        var start = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);
        CapabilityUsage Usage(DateTimeOffset at) => new()
        {
            TenantId = tenant, AgentId = "a1", Capability = CapabilityNames.MementoSkills, Day = day, CreatedAt = at, ExpiresAt = at.AddMinutes(10),
        };

        var crashed = Usage(start);
        Assert.True(await store.TryReserveAsync(crashed, 2, Ct));
        var committed = Usage(start.AddMinutes(1));
        Assert.True(await store.TryReserveAsync(committed, 2, Ct));
        await store.CompleteAsync(tenant, committed.Id, CapabilityUsageStatus.Committed, Ct);

        Assert.False(await store.TryReserveAsync(Usage(start.AddMinutes(9)), 2, Ct));
        var afterExpiry = Usage(start.AddMinutes(11));
        Assert.True(await store.TryReserveAsync(afterExpiry, 2, Ct));
        await store.CompleteAsync(tenant, afterExpiry.Id, CapabilityUsageStatus.Committed, Ct);
        Assert.Equal(2, await store.CountAsync(tenant, CapabilityNames.MementoSkills, "a1", day, Ct));
        Assert.False(await store.TryReserveAsync(Usage(start.AddHours(5)), 2, Ct));
        await Assert.ThrowsAsync<InvalidStateTransitionException>(async () => await store.CompleteAsync(tenant, crashed.Id, CapabilityUsageStatus.Committed, Ct));
    }

    // ---- Fitness ---------------------------------------------------------------------------------------------

    /// <summary>A delivery received twice counts once; records are tenant-scoped and ranked.</summary>
    [Fact]
    public async Task Fitness_RedeliveredSignal_CountsOnce()
    {
        var store = Get<IFitnessStore>();
        var tenant = NewTenant();
        var subject = Guid.NewGuid();
        static double Count(IReadOnlyList<FitnessSignal> s) => s.Count / 10.0;

        await store.AppendSignalsAsync(tenant, subject, FitnessSubjectKind.WorkflowVariant, [new(FitnessSignalNames.InvoiceCreated, 1, "delivery-1")], Count, Ct);
        var again = await store.AppendSignalsAsync(tenant, subject, FitnessSubjectKind.WorkflowVariant, [new(FitnessSignalNames.InvoiceCreated, 1, "delivery-1"), new(FitnessSignalNames.CrmConversion, 1, "delivery-2")], Count, Ct);
        var other = await store.AppendSignalsAsync(tenant, Guid.NewGuid(), FitnessSubjectKind.WorkflowVariant, [new(FitnessSignalNames.Compiles)], Count, Ct);

        Assert.Equal(2, again.Signals.Count);
        Assert.Equal(0.2, again.Score, 10);
        Assert.Equal([subject, other.SubjectId], (await ToListAsync(store.ListTopAsync(tenant, FitnessSubjectKind.WorkflowVariant, 10, Ct))).Select(r => r.SubjectId));
        Assert.Null(await store.FindAsync(NewTenant(), subject, Ct));
    }

    // ---- Chat calls -------------------------------------------------------------------------------------------

    /// <summary>Usage adds up per workspace and UTC day, failures included; recent calls come newest first.</summary>
    [Fact]
    public async Task ChatCalls_UsageAddsUpPerWorkspaceAndDay()
    {
        var store = Get<IChatCallStore>();
        var tenant = NewTenant();
        var day = new DateTimeOffset(2026, 3, 1, 23, 59, 0, TimeSpan.Zero);
        ChatCallRecord Call(DateTimeOffset at, long input, long output, bool ok = true, string? owner = null) => new()
        {
            TenantId = owner ?? tenant,
            Purpose = "memento.generate",
            StartedAt = at,
            Attempts = ok ? 1 : 3,
            Succeeded = ok,
            FailureKind = ok ? null : ChatFailureKind.Timeout,
            FailureReason = ok ? null : "timed out",
            InputTokens = input,
            OutputTokens = output,
            TotalTokens = input + output,
        };

        await store.AddAsync(Call(day.AddHours(-1), 100, 50), Ct);
        await store.AddAsync(Call(day, 10, 5), Ct);
        await store.AddAsync(Call(day.AddMinutes(30), 0, 0, ok: false), Ct);
        await store.AddAsync(Call(day.AddMinutes(1), 7, 7), Ct);
        await store.AddAsync(Call(day, 999, 999, owner: NewTenant()), Ct);

        Assert.Equal(new TokenUsage(110, 55, 165, 2, 0), await store.GetUsageAsync(tenant, DateOnly.FromDateTime(day.UtcDateTime), Ct));
        Assert.Equal(new TokenUsage(7, 7, 14, 2, 1), await store.GetUsageAsync(tenant, DateOnly.FromDateTime(day.UtcDateTime).AddDays(1), Ct));
        var recent = await ToListAsync(store.ListRecentAsync(tenant, 2, Ct));
        Assert.Equal([day.AddMinutes(30), day.AddMinutes(1)], recent.Select(r => r.StartedAt));
        Assert.Equal(("timed out", ChatFailureKind.Timeout, 3), (recent[0].FailureReason, recent[0].FailureKind, recent[0].Attempts));
        Assert.Empty(await ToListAsync(store.ListRecentAsync(NewTenant(), 10, Ct)));
    }

    // ---- Helpers ---------------------------------------------------------------------------------------------

    private static SkillCandidate NewCandidate(string tenant, string pattern) => new()
    {
        TenantId = tenant,
        AgentId = "a1",
        Name = "extract_invoice_id",
        EntryPoint = "extract_invoice_id",
        PatternKey = pattern,
    };

    private async Task<(Skill Skill, SkillVersion Version)> AddSkillAsync(ISkillStore store, string tenant, string name)
    {
        var skill = new Skill { TenantId = tenant, Name = name, CreatedAt = Time.GetUtcNow() };
        var version = NewVersion(tenant, skill.Id, SemanticVersion.Initial, null);
        return (await store.AddAsync(skill, version, Ct), version);
    }

    private SkillVersion NewVersion(string tenant, Guid skillId, SemanticVersion number, Guid? parent) => new()
    {
        TenantId = tenant,
        SkillId = skillId,
        Version = number,
        Code = $"def f():\n    return '{number}'",
        EntryPoint = "f",
        ParentVersionId = parent,
        CreatedAt = Time.GetUtcNow(),
    };

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source.ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}
