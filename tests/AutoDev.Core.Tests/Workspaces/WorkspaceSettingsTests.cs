namespace AutoDev.Tests.Workspaces;

public sealed class WorkspaceSettingsTests
{
    [Fact]
    public void Default_MasterSwitchOffAndDesignDefaults()
    {
        var settings = WorkspaceSettings.Default;

        Assert.False(settings.Enabled);
        Assert.True(settings.MementoSkills);
        Assert.True(settings.AlphaEvolver);
        Assert.False(settings.BackgroundEvolution);
        Assert.Equal(10, settings.MaxMutationsPerDay);
        Assert.Equal(5, settings.MaxSkillCandidatesPerDay);
    }

    [Fact]
    public void FromJson_AutoDevObject_ReadsSnakeCaseKeysAndKeepsDefaults()
    {
        var settings = WorkspaceSettings.FromJson("""{ "auto_dev": { "enabled": true, "alpha_evolver": false, "max_mutations_per_day": 25 } }""");

        Assert.Equal(new WorkspaceSettings { Enabled = true, AlphaEvolver = false, MaxMutationsPerDay = 25 }, settings);
    }

    [Fact]
    public void FromJson_InnerObject_IsAcceptedToo()
    {
        var settings = WorkspaceSettings.FromJson("""{ "enabled": true, "background_evolution": true }""");

        Assert.True(settings.Enabled);
        Assert.True(settings.BackgroundEvolution);
    }

    [Theory]
    [InlineData("""{ "auto_dev": { "max_mutations_per_day": 0 } }""", "max_mutations_per_day")]
    [InlineData("""{ "auto_dev": { "max_mutations_per_day": 51 } }""", "between 1 and 50")]
    [InlineData("""{ "auto_dev": { "max_skill_candidates_per_day": 21 } }""", "between 1 and 20")]
    [InlineData("""{ "auto_dev": { "enabled": "yes" } }""", "not valid JSON for AutoDev")]
    [InlineData("""{ "auto_dev": { "enabld": true } }""", "enabld")]
    [InlineData("""{ "auto_dev": null }""", "not null")]
    [InlineData("""{ "auto_dev": """, "not valid JSON")]
    public void FromJson_InvalidInput_ThrowsSayingWhatToChange(string json, string expected)
    {
        var error = Assert.Throws<InvalidSettingsException>(() => WorkspaceSettings.FromJson(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_RoundTrips()
    {
        var settings = new WorkspaceSettings { Enabled = true, MaxSkillCandidatesPerDay = 20, BackgroundEvolution = true };

        Assert.Equal(settings, WorkspaceSettings.FromJson(settings.ToJson()));
        Assert.StartsWith("{\"auto_dev\":{", settings.ToJson(), StringComparison.Ordinal);
    }
}
