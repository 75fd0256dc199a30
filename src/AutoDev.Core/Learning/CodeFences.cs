namespace AutoDev;

/// <summary>Removes Markdown code fences from model output.</summary>
/// <remarks>
/// Understands every fence form: backticks or tildes, three or more, with or without an info string
/// (<c>```python</c>, <c>``` py {.class}</c>, <c>~~~~</c>), indented up to three spaces, unclosed at the end of the
/// text, and a whole answer on one line (<c>```print(1)```</c>). Stripping is idempotent: it repeats until no fence is left.
/// </remarks>
internal static class CodeFences
{
    /// <summary>The content of the first fenced block, repeated until no fence is left; text without fences comes back trimmed of blank lines and trailing spaces.</summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var current = Normalize(text);
        while (TryStripOnce(current, out var inner))
        {
            current = Normalize(inner);
        }

        return current;
    }

    /// <summary>Whether the text contains a fence line or is a one-line fenced answer.</summary>
    public static bool HasFence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryStripOnce(Normalize(text), out _);
    }

    /// <summary>The contents of every fenced block, in order (a block's own inner fences stay part of it); empty when the text has none.</summary>
    public static IReadOnlyList<string> Blocks(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = Normalize(text).Split('\n');
        var blocks = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!TryParseFence(lines[i], out var fenceChar, out var fenceLength, out var rest))
            {
                continue;
            }

            var closing = new string(fenceChar, fenceLength);
            if (rest.Length > fenceLength && rest.EndsWith(closing, StringComparison.Ordinal))
            {
                blocks.Add(Normalize(rest[..^fenceLength]));
                continue;
            }

            var end = lines.Length;
            for (var j = i + 1; j < lines.Length; j++)
            {
                if (IsClosingFence(lines[j], fenceChar, fenceLength))
                {
                    end = j;
                    break;
                }
            }

            blocks.Add(Normalize(string.Join('\n', lines[(i + 1)..end])));
            i = end;
        }

        return blocks;
    }

    private static bool TryStripOnce(string text, out string inner)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!TryParseFence(lines[i], out var fenceChar, out var fenceLength, out var rest))
            {
                continue;
            }

            // One-line form: ```code``` (the fence line closes itself).
            var closing = new string(fenceChar, fenceLength);
            if (rest.Length > fenceLength && rest.EndsWith(closing, StringComparison.Ordinal))
            {
                inner = rest[..^fenceLength];
                return true;
            }

            var end = lines.Length;
            for (var j = i + 1; j < lines.Length; j++)
            {
                if (IsClosingFence(lines[j], fenceChar, fenceLength))
                {
                    end = j;
                    break;
                }
            }

            inner = string.Join('\n', lines[(i + 1)..end]);
            return true;
        }

        inner = text;
        return false;
    }

    private static bool TryParseFence(string line, out char fenceChar, out int length, out string rest)
    {
        fenceChar = '\0';
        length = 0;
        rest = string.Empty;
        var indent = 0;
        while (indent < line.Length && indent < 4 && line[indent] == ' ')
        {
            indent++;
        }

        if (indent > 3 || indent >= line.Length || line[indent] is not ('`' or '~'))
        {
            return false;
        }

        fenceChar = line[indent];
        var end = indent;
        while (end < line.Length && line[end] == fenceChar)
        {
            end++;
        }

        length = end - indent;
        if (length < 3)
        {
            return false;
        }

        rest = line[end..];
        return true;
    }

    private static bool IsClosingFence(string line, char fenceChar, int minLength)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= minLength && trimmed.All(c => c == fenceChar) && line.Length - line.TrimStart().Length <= 3;
    }

    /// <summary>Unifies line ends, drops trailing spaces and leading or trailing blank lines; keeps the first line's indentation.</summary>
    private static string Normalize(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var first = 0;
        var last = lines.Length - 1;
        while (first <= last && string.IsNullOrWhiteSpace(lines[first]))
        {
            first++;
        }

        while (last >= first && string.IsNullOrWhiteSpace(lines[last]))
        {
            last--;
        }

        return string.Join('\n', lines[first..(last + 1)].Select(l => l.TrimEnd()));
    }
}
