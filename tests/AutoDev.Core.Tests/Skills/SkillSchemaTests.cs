using System.Text.Json;

namespace AutoDev.Tests.Skills;

/// <summary>A skill's input schema, as chat agents and MCP clients see it, comes from its entry point's annotations.</summary>
public sealed class SkillSchemaTests
{
    private const string Tests = """[{"inputs": {"text": "a", "limit": 3, "flags": {}}, "expected": "a"}]""";

    [Fact]
    public void Annotations_GiveTheTypes_AndDefaults_MakeAParameterOptional()
    {
        const string code = """
            from typing import Optional, List
            def helper(x):
                return x

            def extract(text: str, limit: int = 10, ratio: float = 0.5, strict: bool = False,
                        ids: list[int] | None = None,  # the ids to keep, (a comment with a comma)
                        names: "List[str]" = (), extra: Optional[dict] = None, anything=None, *args, **kwargs) -> str:
                return text
            """;

        var schema = JsonDocument.Parse(SkillSchema.For(code, "extract", "").GetRawText()).RootElement;

        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal(["text"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var properties = schema.GetProperty("properties");
        Assert.Equal(
            ["text", "limit", "ratio", "strict", "ids", "names", "extra", "anything"],
            properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"type":"string"}""", properties.GetProperty("text").GetRawText());
        Assert.Equal("""{"type":"integer"}""", properties.GetProperty("limit").GetRawText());
        Assert.Equal("""{"type":"number"}""", properties.GetProperty("ratio").GetRawText());
        Assert.Equal("""{"type":"boolean"}""", properties.GetProperty("strict").GetRawText());
        Assert.Equal("""{"type":"array","items":{"type":"integer"}}""", properties.GetProperty("ids").GetRawText());
        Assert.Equal("""{"type":"array","items":{"type":"string"}}""", properties.GetProperty("names").GetRawText());
        Assert.Equal("""{"type":"object"}""", properties.GetProperty("extra").GetRawText());
        Assert.Equal("{}", properties.GetProperty("anything").GetRawText());
    }

    [Fact]
    public void AParameterWithoutAnnotation_TakesTheKindItsTestsPass_AndSelfAndMarkersAreLeftOut()
    {
        const string code = "def f(self, /, text, limit, *, flags: 'Thing' = None):\n    return text\n";

        var schema = SkillSchema.For(code, "f", Tests);

        Assert.Equal(
            """{"type":"object","properties":{"text":{"type":"string"},"limit":{"type":"number"},"flags":{"type":"object"}},"required":["text","limit"]}""",
            schema.GetRawText());
    }

    [Fact]
    public void CodeWhoseEntryPointIsMissing_FallsBackToTheTestsInputs_AllRequired()
    {
        var schema = SkillSchema.For("def other(x):\n    return x\n", "extract", Tests);

        Assert.Equal(
            """{"type":"object","properties":{"text":{"type":"string"},"limit":{"type":"number"},"flags":{"type":"object"}},"required":["text","limit","flags"]}""",
            schema.GetRawText());
    }

    [Fact]
    public void AnUnclosedSignature_IsNotReadAsParameters()
    {
        Assert.Null(SkillSchema.Parameters("def f(a: int, b = (1, 2\n", "f"));
        Assert.Equal(
            [new SkillSchema.Parameter("a", "int", false), new SkillSchema.Parameter("b", null, true)],
            SkillSchema.Parameters("async def f(a: int, b = ')'):\n    pass\n", "f"));
    }
}
