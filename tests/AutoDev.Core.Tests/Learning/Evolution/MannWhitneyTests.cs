namespace AutoDev.Tests.Learning.Evolution;

public sealed class MannWhitneyTests
{
    [Fact]
    public void CompleteSeparation_OfFiveAndFive_HasTheExactSmallestPValue()
    {
        // One ordering in C(10, 5) = 252 puts all five 'lower' values first.
        Assert.Equal(1.0 / 252, MannWhitney.PValueLess([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), 12);
    }

    [Fact]
    public void TheOppositeOrder_HasPValueOne()
    {
        Assert.Equal(1.0, MannWhitney.PValueLess([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]), 12);
    }

    [Fact]
    public void OneInversion_MatchesTheTable()
    {
        // U = 1: orderings with U <= 1 are 2 of 252 (U = 0 once, U = 1 once).
        Assert.Equal(2.0 / 252, MannWhitney.PValueLess([1, 2, 3, 4, 6], [5, 7, 8, 9, 10]), 12);
    }

    [Fact]
    public void ThreeAndFour_MatchesBruteForceOverAllOrderings()
    {
        double[] lower = [2, 5, 9];
        double[] higher = [3, 6, 7, 10];
        var u = lower.Sum(a => higher.Count(b => a > b));
        var atMost = 0;
        var total = 0;
        foreach (var positions in Combinations(7, 3))
        {
            var mask = new bool[7];
            foreach (var p in positions)
            {
                mask[p] = true;
            }

            var uHere = 0;
            for (var i = 0; i < 7; i++)
            {
                if (mask[i])
                {
                    uHere += Enumerable.Range(0, i).Count(j => !mask[j]);
                }
            }

            total++;
            atMost += uHere <= u ? 1 : 0;
        }

        Assert.Equal((double)atMost / total, MannWhitney.PValueLess(lower, higher), 12);
    }

    [Fact]
    public void EmptyOrHugeSamples_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => MannWhitney.PValueLess([], [1]));
        Assert.Throws<ArgumentException>(() => MannWhitney.PValueLess(new double[31], [1]));
    }

    private static IEnumerable<int[]> Combinations(int n, int k)
    {
        if (k == 0)
        {
            yield return [];
            yield break;
        }

        for (var first = 0; first <= n - k; first++)
        {
            foreach (var rest in Combinations(n - first - 1, k - 1))
            {
                yield return [first, .. rest.Select(r => r + first + 1)];
            }
        }
    }
}
