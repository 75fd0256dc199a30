namespace AutoDev;

/// <summary>The Mann–Whitney U test, exact: is one sample's distribution shifted below another's? For small samples of run times.</summary>
internal static class MannWhitney
{
    /// <summary>
    /// The one-sided p-value that <paramref name="lower"/> tends to be smaller than <paramref name="higher"/>: the chance
    /// of a U statistic this small or smaller if both came from one distribution (a tie counts one half, rounded up: conservative). Exact for up
    /// to 30 values per side.
    /// </summary>
    /// <exception cref="ArgumentException">A sample is empty or has more than 30 values.</exception>
    public static double PValueLess(IReadOnlyList<double> lower, IReadOnlyList<double> higher)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(higher);
        if (lower.Count is 0 or > 30 || higher.Count is 0 or > 30)
        {
            throw new ArgumentException("Each sample needs 1 to 30 values.");
        }

        // U counts the pairs in which the 'lower' value is the larger one; small U means 'lower' is lower.
        double u = 0;
        foreach (var a in lower)
        {
            foreach (var b in higher)
            {
                u += a > b ? 1 : a == b ? 0.5 : 0;
            }
        }

        // counts[k] = the number of orderings of n + m values whose U is k (recurrence over the largest value).
        int n = lower.Count, m = higher.Count;
        var counts = Distribution(n, m);
        double total = 0, atMost = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            total += counts[k];
            if (k <= Math.Ceiling(u))
            {
                atMost += counts[k];
            }
        }

        return atMost / total;
    }

    private static double[] Distribution(int n, int m)
    {
        // f[i][j][k]: orderings of i 'lower' and j 'higher' values with U = k. f(i, j, k) = f(i-1, j, k-j) + f(i, j-1, k).
        var f = new double[n + 1, m + 1][];
        for (var i = 0; i <= n; i++)
        {
            for (var j = 0; j <= m; j++)
            {
                var row = new double[(i * j) + 1];
                if (i == 0 || j == 0)
                {
                    row[0] = 1;
                }
                else
                {
                    for (var k = 0; k < row.Length; k++)
                    {
                        var withLowerLargest = k - j >= 0 && k - j < f[i - 1, j].Length ? f[i - 1, j][k - j] : 0;
                        var withHigherLargest = k < f[i, j - 1].Length ? f[i, j - 1][k] : 0;
                        row[k] = withLowerLargest + withHigherLargest;
                    }
                }

                f[i, j] = row;
            }
        }

        return f[n, m];
    }
}
