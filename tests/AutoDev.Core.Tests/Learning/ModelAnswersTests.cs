namespace AutoDev.Tests.Learning;

public sealed class ModelAnswersTests
{
    private const string Function = "def extract_invoice_id(text):\n    return text.split()[-1]";

    [Theory]
    [InlineData("```python\n" + Function + "\n```")]
    [InlineData("~~~py\n" + Function + "\n~~~")]
    [InlineData("Sure! Here is the function you asked for:\n\n```python\n" + Function + "\n```\n\nIt takes the last word.")]
    [InlineData("Sure! Here is the function you asked for:\n\n" + Function + "\n\nThis function takes the last word of the text.")]
    [InlineData(Function)]
    [InlineData("```python\n" + Function)]
    public void ExtractFunction_EveryAnswerForm_ReturnsJustTheCode(string answer)
    {
        var result = ModelAnswers.ExtractFunction(answer, "extract_invoice_id");

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(Function, result.Code);
        Assert.Equal(["extract_invoice_id"], result.FunctionsFound);
    }

    [Fact]
    public void ExtractFunction_SeveralBlocks_PicksTheOneThatDefinesTheFunction()
    {
        var answer = "First the tests:\n```python\ndef test_extract():\n    assert extract_invoice_id('a INV-1') == 'INV-1'\n```\nThen the code:\n```python\n" + Function + "\n```\nUsage:\n```\nextract_invoice_id('x')\n```";

        var result = ModelAnswers.ExtractFunction(answer, "extract_invoice_id");

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(Function, result.Code);
        Assert.Equal(["test_extract", "extract_invoice_id"], result.FunctionsFound);
    }

    [Fact]
    public void ExtractFunction_RenamedFunction_FailsNamingWhatWasFound()
    {
        var result = ModelAnswers.ExtractFunction("```python\ndef get_invoice(text):\n    return text\n```", "extract_invoice_id");

        Assert.Equal(AnswerProblem.FunctionMissing, result.Problem);
        Assert.Contains("'get_invoice'", result.Reason, StringComparison.Ordinal);
        Assert.Contains("'extract_invoice_id'", result.Reason, StringComparison.Ordinal);
        Assert.Null(result.Code);
    }

    [Fact]
    public void ExtractFunction_NestedOrMethodDefinition_DoesNotCountAsTopLevel()
    {
        var result = ModelAnswers.ExtractFunction("```python\nclass Extractor:\n    def extract_invoice_id(self, text):\n        return text\n```", "extract_invoice_id");

        Assert.Equal(AnswerProblem.NoCode, result.Problem);
    }

    [Theory]
    [InlineData("I'm sorry, I cannot help with that.", AnswerProblem.NoCode)]
    [InlineData("```python\nprint('hello')\n```", AnswerProblem.NoCode)]
    [InlineData("", AnswerProblem.Empty)]
    [InlineData("   \n  ", AnswerProblem.Empty)]
    [InlineData(null, AnswerProblem.Empty)]
    public void ExtractFunction_NoFunction_FailsWithAReason(string? answer, AnswerProblem problem)
    {
        var result = ModelAnswers.ExtractFunction(answer, "extract_invoice_id");

        Assert.Equal(problem, result.Problem);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void ExtractFunction_AsyncDefAndDecorators_AreKept()
    {
        var answer = "Here:\nimport functools\n\n@functools.cache\nasync def extract_invoice_id(text):\n    return text\n\nNote that it is cached.";

        var result = ModelAnswers.ExtractFunction(answer, "extract_invoice_id");

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal("import functools\n\n@functools.cache\nasync def extract_invoice_id(text):\n    return text", result.Code);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"tests\": [1, 2]}", "{\"name\": \"x\", \"tests\": [1, 2]}")]
    [InlineData("{\"a\": 1}\n\nThis JSON has one key.", "{\"a\": 1}")]
    [InlineData("Here you go [as asked]:\n```json\n{\"a\": [1, {\"b\": \"}\"}]}\n```\nDone.", "{\"a\": [1, {\"b\": \"}\"}]}")]
    [InlineData("The list: [1, 2, 3] and more text", "[1, 2, 3]")]
    [InlineData("{\"a\": 1,}", "{\"a\": 1,}")]
    public void ExtractJson_FindsTheFirstCompleteValue(string answer, string expected)
    {
        var result = ModelAnswers.ExtractJson(answer);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(expected, result.Json);
    }

    [Theory]
    [InlineData("no json here", AnswerProblem.NoJson)]
    [InlineData("{\"a\": 1", AnswerProblem.InvalidJson)]
    [InlineData("{name: 'x'}", AnswerProblem.InvalidJson)]
    [InlineData("", AnswerProblem.Empty)]
    public void ExtractJson_Failures_HaveAReason(string answer, AnswerProblem problem)
    {
        var result = ModelAnswers.ExtractJson(answer);

        Assert.Equal(problem, result.Problem);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Theory]
    [InlineData("def f(x: str) -> str:\n    \"Return the id.\"\n    return x\n", "Return the id.")]
    [InlineData("import re\n\ndef g():\n    pass\n\ndef f(x,\n      y: int = 2) -> list[int]:\n    \"\"\"Return the ids.\n\n    Raises ValueError when there is none.\n    \"\"\"\n    return []\n", "Return the ids.\n\nRaises ValueError when there is none.")]
    [InlineData("def f(x):\n    '''Return x.'''\n", "Return x.")]
    [InlineData("def f(x):\n    return x  # no docstring\n", null)]
    [InlineData("def g(x):\n    \"Not this one.\"\n", null)]
    public void Docstring_IsTheStringThatOpensTheFunctionsBody(string code, string? docstring) =>
        Assert.Equal(docstring, ModelAnswers.Docstring(code, "f"));
}
