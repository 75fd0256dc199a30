using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoDev.Tests.Learning.Memento;

public sealed class TaskSimilarityTests
{
    [Theory]
    [InlineData("Extract invoice ID from customer emails", "extract the invoice id from a customer email")]
    [InlineData("Extract invoice ID from customer emails", "From customer email #4711: extract the Invoice ID")]
    [InlineData("Create invoice for order 1001", "create invoice for order 2002-B7")]
    [InlineData("Refund order 5 for customer 77", "Refund order 6 for customer 78")]
    public void Sign_SameTaskWorded_Differently_GivesOneKey(string first, string second) =>
        Assert.Equal(LexicalTaskSimilarity.Sign(first).Key, LexicalTaskSimilarity.Sign(second).Key);

    [Theory]
    [InlineData("Extract invoice ID from customer emails", "Summarize the refund policy")]
    [InlineData("Create invoice for order 1001", "Cancel invoice for order 1001")]
    public void Sign_DifferentTasks_GiveDifferentKeys(string first, string second) =>
        Assert.NotEqual(LexicalTaskSimilarity.Sign(first).Key, LexicalTaskSimilarity.Sign(second).Key);

    [Fact]
    public void Similarity_IsTheJaccardIndexOfTheWords()
    {
        var similarity = new LexicalTaskSimilarity();

        var score = similarity.Similarity(LexicalTaskSimilarity.Sign("extract invoice id customer email"), LexicalTaskSimilarity.Sign("extract invoice id email ticket"));

        Assert.Equal(4.0 / 6, score, 10);
        Assert.Equal(1, similarity.Similarity(LexicalTaskSimilarity.Sign("a b"), LexicalTaskSimilarity.Sign("b a")));
    }

    /// <summary>The examples in <see cref="LexicalTaskSimilarity"/>'s documentation, worked out by hand: 5 of 6 words, 4 of 6, and a pair only a looser measure would merge.</summary>
    [Theory]
    [InlineData("Extract invoice ID from customer emails", "extract the invoice id from a customer's email (ticket 4711)", 5.0 / 6, true)]
    [InlineData("Extract invoice ID from customer emails", "extract the invoice id from an email (ticket 4711)", 4.0 / 6, false)]
    [InlineData("Extract invoice ID from customer emails", "Extract customer name from invoice emails", 4.0 / 6, false)]
    public void Similarity_TheDocumentedExamples_HoldAtTheDefaultThreshold(string first, string second, double expected, bool samePattern)
    {
        var similarity = new LexicalTaskSimilarity();

        var score = similarity.Similarity(LexicalTaskSimilarity.Sign(first), LexicalTaskSimilarity.Sign(second));

        Assert.Equal(expected, score, 10);
        Assert.Equal(samePattern, score >= similarity.Threshold);
    }

    [Fact]
    public void PatternKey_IsPerAgent_AndALongTaskKeyIsHashedToAnIndexableLength()
    {
        var longTask = LexicalTaskSimilarity.Sign(string.Join(' ', Enumerable.Range(0, 2_000).Select(i => "word" + (char)('a' + (i % 26)) + (char)('a' + (i / 26 % 26))))).Key;

        Assert.Equal("agent-a: extract id invoice", FailurePatterns.KeyOf("agent-a", "extract id invoice"));
        Assert.NotEqual(FailurePatterns.KeyOf("agent-a", "extract id invoice"), FailurePatterns.KeyOf("agent-b", "extract id invoice"));
        Assert.Equal("agent-a: #".Length + 64, FailurePatterns.KeyOf("agent-a", longTask).Length);
        Assert.NotEqual(FailurePatterns.KeyOf("agent-a", longTask), FailurePatterns.KeyOf("agent-a", longTask + " more"));
    }

    [Property(Arbitrary = [typeof(TaskWords)])]
    public bool Sign_IgnoresWordOrderAndNumbers_ForAnyWords(string[] words, int number)
    {
        var shuffled = words.AsEnumerable().Reverse().Append(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return LexicalTaskSimilarity.Sign(string.Join(' ', words)).Key == LexicalTaskSimilarity.Sign(string.Join(" ", shuffled)).Key;
    }

    [Fact]
    public void EmbeddingSimilarity_IsTheCosineOfTheVectors()
    {
        var similarity = new EmbeddingTaskSimilarity(NSubstitute.Substitute.For<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>());
        var a = new TaskSignature("a", [], new float[] { 1, 0 });
        var b = new TaskSignature("b", [], new float[] { 1, 1 });

        Assert.Equal(Math.Sqrt(0.5), similarity.Similarity(a, b), 6);
        Assert.Equal(0, similarity.Similarity(a, new TaskSignature("c", [], new float[] { 1, 0, 0 })));
    }

    /// <summary>Task descriptions of a few known words, and ticket numbers.</summary>
    public static class TaskWords
    {
        public static Arbitrary<string[]> Words() =>
            Gen.Elements("extract", "invoice", "customer", "email", "refund", "order", "summarize", "policy").NonEmptyListOf().Select(l => l.ToArray()).ToArbitrary();

        public static Arbitrary<int> Numbers() => Gen.Choose(0, 99999).ToArbitrary();
    }
}
