using System.Text.Json;

namespace AutoDev.Tests.Sandboxing;

public sealed class PythonRunnerTests
{
    [Fact]
    public void FormatRequest_CarriesCodeInputsAndLimits()
    {
        var id = Guid.NewGuid();
        var line = PythonRunner.FormatRequest(
            new SandboxRequest { TenantId = "t", Code = "def f(x):\n    return x", EntryPoint = "f", InputsJson = """{"x": [1, "two"]}""", Timeout = TimeSpan.FromSeconds(2.5), MemoryLimitBytes = 1 << 27 },
            id,
            new SandboxLimits { MaxOutputBytes = 100, MaxFileBytes = 200, MaxProcesses = 3 });

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.DoesNotContain('\n', line);
        Assert.Equal(id.ToString("N"), root.GetProperty("id").GetString());
        Assert.Equal("def f(x):\n    return x", root.GetProperty("code").GetString());
        Assert.Equal("two", root.GetProperty("inputs").GetProperty("x")[1].GetString());
        Assert.Equal(2.5, root.GetProperty("timeout_s").GetDouble());
        Assert.Equal(1 << 27, root.GetProperty("memory_bytes").GetInt64());
        Assert.Equal((100, 200, 3), (root.GetProperty("max_output_bytes").GetInt32(), root.GetProperty("max_file_bytes").GetInt32(), root.GetProperty("max_processes").GetInt32()));
    }

    [Fact]
    public void Arguments_PreloadedModules_FollowServeAsOneCommaSeparatedArgument()
    {
        var arguments = PythonRunner.Arguments(serve: true, ["typing", "collections.abc"]);

        Assert.Equal(["--serve", "--preload", "typing,collections.abc"], arguments.Skip(4));
        Assert.Equal(["-I", "-S", "-c", "--serve"], PythonRunner.Arguments(serve: true, []).Where(a => a != PythonRunner.Source)); // nothing to preload: no --preload
    }

    [Theory]
    [InlineData("os; import shutil")]
    [InlineData("typing,math")]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("collections.")]
    [InlineData("typing\n")]
    public void Arguments_NotAModuleName_ThrowsNamingIt(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => PythonRunner.Arguments(serve: true, ["math", name]));

        Assert.Contains($"'{name}' is not a Python module name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"text\"")]
    [InlineData("{not json")]
    public void FormatRequest_InputsNotAnObject_Throws(string inputs)
    {
        Assert.Throws<ArgumentException>(() => PythonRunner.FormatRequest(new SandboxRequest { TenantId = "t", Code = "pass", InputsJson = inputs }, Guid.NewGuid(), SandboxLimits.Default));
    }

    [Theory]
    [InlineData("succeeded", SandboxStatus.Succeeded)]
    [InlineData("failed", SandboxStatus.Failed)]
    [InlineData("syntax_error", SandboxStatus.SyntaxError)]
    [InlineData("timed_out", SandboxStatus.TimedOut)]
    [InlineData("resource_limit", SandboxStatus.ResourceLimit)]
    [InlineData("crashed", SandboxStatus.Crashed)]
    [InlineData("something new", SandboxStatus.Crashed)]
    public void ParseResult_Statuses_Map(string wire, SandboxStatus expected)
    {
        var result = PythonRunner.ParseResult($$$"""{"status":"{{{wire}}}","stdout":"o","stderr":"e","duration_ms":12.5,"error":{"type":"T","message":"m","line":4}}""", Guid.Empty, "tier", TimeSpan.FromSeconds(9));

        Assert.Equal(expected, result.Status);
        Assert.Equal(("o", "e", "tier"), (result.Stdout, result.Stderr, result.Tier));
        Assert.Equal(TimeSpan.FromMilliseconds(12.5), result.Duration);
        Assert.Equal(new SandboxError("T", "m", null, 4), result.Error);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("null")]
    public void ParseResult_Garbage_IsCrashedWithReason(string line)
    {
        var result = PythonRunner.ParseResult(line, Guid.Empty, "tier", TimeSpan.FromSeconds(1));

        Assert.Equal(SandboxStatus.Crashed, result.Status);
        Assert.Contains("runner", result.Error!.Message, StringComparison.Ordinal);
    }

    /// <summary>Regression (sandbox hardening, defect 1): a forged result frame whose return value is not JSON made ParseResult throw JsonException.</summary>
    [Theory]
    [InlineData("""{"status":"succeeded","return_value_json":"{not json"}""")]
    [InlineData("""{"status":"succeeded","return_value_json":""}""")]
    [InlineData("""{"status":"succeeded","return_value_json":"[1, 2"}""")]
    public void ParseResult_ForgedReturnValue_IsCrashedAsAProtocolViolation(string line)
    {
        var result = PythonRunner.ParseResult(line, Guid.Empty, "tier", TimeSpan.FromSeconds(1));

        Assert.Equal(SandboxStatus.Crashed, result.Status);
        Assert.StartsWith("protocol violation", result.Error!.Message, StringComparison.Ordinal);
        Assert.Null(result.ReturnValue);
    }

    [Theory]
    [InlineData("1e300")]
    [InlineData("-5")]
    public void ParseResult_DurationOutOfRange_UsesTheMeasuredDuration(string durationMs)
    {
        var result = PythonRunner.ParseResult($$"""{"status":"succeeded","return_value_json":"1","duration_ms":{{durationMs}}}""", Guid.Empty, "tier", TimeSpan.FromSeconds(2));

        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Duration);
    }

    [Fact]
    public void Source_IsTheRepositorysRunnerFile_AndTheArgumentsRunIt()
    {
        var file = File.ReadAllText(RepositoryPaths.Combine("src", "AutoDev.Core", "Sandboxing", "Python", "autodev_runner.py")).ReplaceLineEndings("\n");

        Assert.Equal(file, PythonRunner.Source.ReplaceLineEndings("\n"));
        Assert.Equal(["-I", "-S", "-c", file, "--serve"], PythonRunner.Arguments(serve: true).Select(a => a.ReplaceLineEndings("\n")));
        Assert.Equal(["-I", "-S", "-c", file], PythonRunner.Arguments(serve: false).Select(a => a.ReplaceLineEndings("\n")));
    }
}
