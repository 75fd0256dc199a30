using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoDev.Tests.Learning;

public sealed class CodeFencesTests
{
    private const string Code = "def add(a, b):\n    return a + b";

    [Theory]
    [InlineData("```python\ndef add(a, b):\n    return a + b\n```")]
    [InlineData("```py\ndef add(a, b):\n    return a + b\n```")]
    [InlineData("```\ndef add(a, b):\n    return a + b\n```")]
    [InlineData("``` python {.numberLines}\ndef add(a, b):\n    return a + b\n```")]
    [InlineData("~~~python\ndef add(a, b):\n    return a + b\n~~~")]
    [InlineData("````python\ndef add(a, b):\n    return a + b\n````")]
    [InlineData("  ```python\ndef add(a, b):\n    return a + b\n  ```")]
    [InlineData("```python\r\ndef add(a, b):\r\n    return a + b\r\n```\r\n")]
    [InlineData("Here is the function:\n\n```python\ndef add(a, b):\n    return a + b\n```\n\nIt adds two numbers.")]
    [InlineData("```python\ndef add(a, b):\n    return a + b")]
    [InlineData("\n\ndef add(a, b):\n    return a + b   \n\n")]
    [InlineData("```python\n```python\ndef add(a, b):\n    return a + b\n```\n```")]
    public void Strip_EveryFenceForm_ReturnsTheCode(string answer)
    {
        Assert.Equal(Code, CodeFences.Strip(answer));
    }

    [Fact]
    public void Strip_OneLineFence_ReturnsInner()
    {
        Assert.Equal("print(1)", CodeFences.Strip("```print(1)```"));
    }

    [Fact]
    public void Strip_FourBacktickFenceContainingThreeBacktickLine_KeepsInnerLine()
    {
        var answer = "````markdown\nline\n```\nmore\n````";

        // The inner ``` does not close a ```` fence; it is a fence of its own on the next pass.
        Assert.Equal("more", CodeFences.Strip(answer));
        Assert.True(CodeFences.HasFence(answer));
    }

    [Property(Arbitrary = [typeof(FenceTexts)])]
    public bool Strip_AnyText_IsIdempotent(string text)
    {
        var once = CodeFences.Strip(text);
        return CodeFences.Strip(once) == once && !CodeFences.HasFence(once);
    }

    /// <summary>Texts made of fences, code and blank lines.</summary>
    public static class FenceTexts
    {
        public static Arbitrary<string> Texts() =>
            Gen.Elements("```", "~~~", "````", "```python", "def f():", "    return 1", "", " ", "text", "`", "``", "\r")
                .ArrayOf().Select(p => string.Join('\n', p)).ToArbitrary();
    }
}
