using System.Text.Json;
using AutoDev.Testing;

namespace AutoDev.Tests;

/// <summary>
/// A warm tier's fork servers import <see cref="SandboxOptions.PreloadedModules"/> before they fork any child: an
/// execution finds them in <c>sys.modules</c> before it imports anything, and finds nothing else preloaded.
/// </summary>
public abstract class WarmTierPreloadTests
{
    private const string ReportLoaded = "import sys\ndef run(names):\n    return {name: name in sys.modules for name in names}";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A warm tier with these options (it is disposed by the test).</summary>
    protected abstract ISandboxTier CreateSandbox(SandboxOptions options);

    [Fact]
    public async Task Execute_DefaultOptions_FindsTheDefaultModulesLoaded()
    {
        var loaded = await LoadedAsync(new SandboxOptions(), ["typing", "math", "heapq", "dataclasses"]);

        Assert.Equal(new Dictionary<string, bool> { ["typing"] = true, ["math"] = true, ["heapq"] = true, ["dataclasses"] = false }, loaded);
    }

    [Fact]
    public async Task Execute_CustomModules_FindsThoseLoaded_AndAModuleTheSandboxLacksIsSkipped()
    {
        var options = new SandboxOptions();
        options.PreloadedModules.Clear();
        options.PreloadedModules.Add("autodev_no_such_module");
        options.PreloadedModules.Add("dataclasses");

        var loaded = await LoadedAsync(options, ["dataclasses", "typing", "autodev_no_such_module"]);

        Assert.Equal(new Dictionary<string, bool> { ["dataclasses"] = true, ["typing"] = false, ["autodev_no_such_module"] = false }, loaded);
    }

    private async Task<Dictionary<string, bool>> LoadedAsync(SandboxOptions options, string[] names)
    {
        var sandbox = CreateSandbox(options);
        await using var disposal = sandbox as IAsyncDisposable;
        ServiceRequirement.Require(await sandbox.CheckAvailabilityAsync(Ct));

        var result = await sandbox.ExecuteAsync(
            new SandboxRequest { TenantId = "preload", Code = ReportLoaded, EntryPoint = "run", InputsJson = JsonSerializer.Serialize(new { names }), SafetyLevel = SafetyLevel.High },
            Ct);

        Assert.True(result.Succeeded, $"{result.Status}: {result.Error?.Message}\n{result.Stderr}");
        return result.ReturnValue!.Value.Deserialize<Dictionary<string, bool>>()!;
    }
}
