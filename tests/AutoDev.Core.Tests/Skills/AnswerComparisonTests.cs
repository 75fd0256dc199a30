namespace AutoDev.Tests.Skills;

public sealed class AnswerComparisonTests
{
    [Theory]
    [InlineData("\"INV-1\"", "\"INV-1\"")]
    [InlineData("2", "2.0")]
    [InlineData("0.30000000000000004", "0.3")]
    [InlineData("1e-7", "0")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("[1, [2, \"x\"]]", "[1,[2,\"x\"]]")]
    [InlineData("{\"a\": 1, \"b\": [true, null]}", "{\"b\": [true, null], \"a\": 1}")]
    public void TheSameAnswer_InAnyJsonSpelling_IsTheSame(string expected, string actual) =>
        Assert.Null(AnswerComparison.Difference(expected, actual));

    [Theory]
    [InlineData("\"INV-1\"", "\"inv-1\"", "at $: expected \"INV-1\", got \"inv-1\"")]
    [InlineData("3", "4", "at $: expected 3, got 4")]
    [InlineData("0.5", "0.500002", "at $: expected 0.5, got 0.500002")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567891", "at $: expected 123456789012345678901234567890, got 123456789012345678901234567891")]
    [InlineData("true", "1", "at $: expected true, got 1")]
    [InlineData("1", "true", "at $: expected 1, got true")]
    [InlineData("false", "true", "at $: expected false, got true")]
    [InlineData("null", "0", "at $: expected null, got 0")]
    [InlineData("[1, 2, 3]", "[1, 2]", "at $: expected 3 element(s), got 2")]
    [InlineData("[[1, 2], [3, 4.5]]", "[[1, 2], [3, 4.25]]", "at $[1][1]: expected 4.5, got 4.25")]
    [InlineData("{\"a\": {\"b\": \"x\"}}", "{\"a\": {\"b\": \"y\"}}", "at $.a.b: expected \"x\", got \"y\"")]
    [InlineData("{\"a\": 1}", "{\"a\": 1, \"c\": 2}", "at $: unexpected key \"c\"")]
    [InlineData("{\"a\": 1, \"c\": 2}", "{\"a\": 1}", "at $: missing key \"c\"")]
    [InlineData("[\"1\"]", "[1]", "at $[0]: expected \"1\", got 1")]
    public void ADifferentAnswer_IsReportedAtItsFirstDifference(string expected, string actual, string difference) =>
        Assert.Equal(difference, AnswerComparison.Difference(expected, actual));

    [Fact]
    public void TheFloatTolerance_IsHumanEvals()
    {
        Assert.Equal(1e-6, AnswerComparison.FloatTolerance);
        Assert.True(AnswerComparison.Same("1.0", "1.0000009"));
        Assert.False(AnswerComparison.Same("1.0", "1.0000011"));
    }

    [Fact]
    public void TextThatIsNotJson_IsAJsonException() =>
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => AnswerComparison.Difference("1", "raised ValueError"));
}
