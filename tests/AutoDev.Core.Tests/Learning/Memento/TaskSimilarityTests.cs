using FsCheck;
using FsCheck.Fluent;

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

    [Fact]
    public void Sign_IgnoresWordOrderAndNumbers_ForAnyWords()
    {
        var words = Gen.Elements("extract", "invoice", "customer", "email", "refund", "order", "summarize", "policy").NonEmptyListOf();
        Prop.ForAll(words.ToArbitrary(), Gen.Choose(0, 99999).ToArbitrary(), (list, number) =>
        {
            var shuffled = list.AsEnumerable().Reverse().Append(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return LexicalTaskSimilarity.Sign(string.Join(' ', list)).Key == LexicalTaskSimilarity.Sign(string.Join(" ", shuffled)).Key;
        }).QuickCheckThrowOnFailure();
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
}
