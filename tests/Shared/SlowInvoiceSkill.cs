using AutoDev.Testing;

namespace AutoDev.Tests;

/// <summary>
/// The invoice skill whose evolution the end-to-end tests watch: <see cref="ScriptedAnswers.ProcessInvoiceSlow"/> with a
/// 20 ms pause per line, so that the child <see cref="ScriptedAnswers.ProcessInvoiceFast"/> writes (microseconds a line)
/// wins by a margin that no load on the machine can hide. These tests assert the decision; real timings belong in the
/// benchmarks.
/// </summary>
internal static class SlowInvoiceSkill
{
    /// <summary>The Python source of version 1.0.0.</summary>
    public static readonly string Code = Pause(ScriptedAnswers.ProcessInvoiceSlow, 0.02);

    /// <summary><paramref name="code"/> (a <c>process_invoice</c>) pausing <paramref name="seconds"/> on every line of the invoice.</summary>
    public static string Pause(string code, double seconds)
    {
        const string Loop = "    for sku, quantity in items:\n";
        if (!code.Contains(Loop, StringComparison.Ordinal))
        {
            throw new ArgumentException("The code has no loop over the invoice's lines.", nameof(code));
        }

        return "import time\n" + code.Replace(Loop, Loop + $"        time.sleep({seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})\n", StringComparison.Ordinal);
    }
}
