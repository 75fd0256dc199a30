using Microsoft.Extensions.AI;

namespace AutoDev;

/// <summary>What a task description looks like to an <see cref="ITaskSimilarity"/>: a key that groups equal tasks, and the data to compare unequal ones.</summary>
/// <param name="Key">Equal for tasks that are the same kind of task; the failure pattern's key.</param>
/// <param name="Tokens">The normalized words (lexical similarity).</param>
/// <param name="Vector">The embedding (embedding similarity), if any.</param>
public sealed record TaskSignature(string Key, IReadOnlyList<string> Tokens, ReadOnlyMemory<float> Vector = default);

/// <summary>The key of a failure pattern: an agent's failures of one kind of task. Candidates are found by it, so one agent's failures never join another agent's candidate.</summary>
internal static class FailurePatterns
{
    /// <summary>The pattern key of <paramref name="agentId"/>'s failures whose tasks have <paramref name="taskKey"/> (a <see cref="TaskSignature.Key"/>); a long task key is hashed so the key stays indexable.</summary>
    public static string KeyOf(string agentId, string taskKey)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        ArgumentNullException.ThrowIfNull(taskKey);
        var key = agentId + ": " + taskKey;
        return key.Length <= 256 && !key.Contains('\0', StringComparison.Ordinal)
            ? key
            : agentId + ": #" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(taskKey)));
    }
}

/// <summary>Decides which failures are the same kind of task. Replace it to group failures your own way.</summary>
/// <remarks>Implementations are thread-safe singletons.</remarks>
public interface ITaskSimilarity
{
    /// <summary>How similar two signatures must be to count as one failure pattern, from 0 to 1.</summary>
    double Threshold { get; }

    /// <summary>Describes a task.</summary>
    ValueTask<TaskSignature> SignAsync(string taskDescription, CancellationToken cancellationToken = default);

    /// <summary>How similar two signatures are, from 0 (unrelated) to 1 (the same kind of task).</summary>
    double Similarity(TaskSignature first, TaskSignature second);
}

/// <summary>
/// The default <see cref="ITaskSimilarity"/>: lower-cased words without ids, numbers, stop words and plural <c>s</c>,
/// as a set. Single letters are dropped too. Similarity is the Jaccard index of the word sets: "Extract invoice ID
/// from customer emails" and "extract the invoice id from a customer's email (ticket 4711)" share 5 of 6 words (0.83)
/// and are the same task at the default threshold; without "customer" in the second (4 of 6, 0.67) they are not.
/// </summary>
/// <remarks>
/// The threshold errs on the side of keeping tasks apart: a wrong merge attaches failures to a skill for another
/// task (the Dice coefficient would merge "extract invoice ID from customer emails" with "extract customer name from
/// invoice emails"), while a wrong split costs one more model call. Lower <see cref="Threshold"/> to merge more.
/// </remarks>
public sealed class LexicalTaskSimilarity : ITaskSimilarity
{
    /// <summary>Default of <see cref="Threshold"/>.</summary>
    public const double DefaultThreshold = 0.75;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "for", "from", "of", "to", "in", "on", "with", "and", "or", "by", "at", "is", "are", "be",
        "this", "that", "it", "its", "into", "as", "all", "each", "my", "our", "their", "please",
    };

    /// <inheritdoc/>
    public double Threshold { get; init; } = DefaultThreshold;

    /// <inheritdoc/>
    public ValueTask<TaskSignature> SignAsync(string taskDescription, CancellationToken cancellationToken = default) => new(Sign(taskDescription));

    /// <summary>The signature, synchronously.</summary>
    public static TaskSignature Sign(string taskDescription)
    {
        ArgumentNullException.ThrowIfNull(taskDescription);
        var tokens = new List<string>(8);
        var span = taskDescription.AsSpan();
        var start = -1;
        for (var i = 0; i <= span.Length; i++)
        {
            var isWordChar = i < span.Length && (char.IsLetterOrDigit(span[i]) || span[i] == '_');
            if (isWordChar && start < 0)
            {
                start = i;
            }
            else if (!isWordChar && start >= 0)
            {
                AddToken(span[start..i], tokens);
                start = -1;
            }
        }

        tokens.Sort(StringComparer.Ordinal);
        var distinct = new List<string>(tokens.Count);
        foreach (var token in tokens)
        {
            if (distinct.Count == 0 || distinct[^1] != token)
            {
                distinct.Add(token);
            }
        }

        return new TaskSignature(string.Join(' ', distinct), distinct);
    }

    /// <inheritdoc/>
    public double Similarity(TaskSignature first, TaskSignature second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Key == second.Key)
        {
            return 1;
        }

        // Both token lists are sorted: merge them.
        int i = 0, j = 0, common = 0;
        var (a, b) = (first.Tokens, second.Tokens);
        while (i < a.Count && j < b.Count)
        {
            var order = string.CompareOrdinal(a[i], b[j]);
            if (order == 0)
            {
                common++;
                i++;
                j++;
            }
            else if (order < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        var union = a.Count + b.Count - common;
        return union == 0 ? 1 : (double)common / union;
    }

    private static void AddToken(ReadOnlySpan<char> word, List<string> tokens)
    {
        foreach (var c in word)
        {
            if (char.IsDigit(c))
            {
                return; // ids, numbers, dates: INV-2024-0042, 4711, 2026
            }
        }

        var token = word.ToString().ToLowerInvariant();
        if (token.Length < 2 || StopWords.Contains(token))
        {
            return;
        }

        if (token.Length > 3 && token[^1] == 's' && token[^2] != 's')
        {
            token = token[..^1];
        }

        tokens.Add(token);
    }
}

/// <summary>
/// An <see cref="ITaskSimilarity"/> for hosts with an embedding model: cosine similarity of the task descriptions'
/// embeddings. The key stays lexical, so identical tasks still group at once.
/// </summary>
/// <param name="generator">The embedding generator.</param>
public sealed class EmbeddingTaskSimilarity(IEmbeddingGenerator<string, Embedding<float>> generator) : ITaskSimilarity
{
    /// <summary>Default of <see cref="Threshold"/>.</summary>
    public const double DefaultThreshold = 0.85;

    /// <inheritdoc/>
    public double Threshold { get; init; } = DefaultThreshold;

    /// <inheritdoc/>
    public async ValueTask<TaskSignature> SignAsync(string taskDescription, CancellationToken cancellationToken = default)
    {
        var lexical = LexicalTaskSimilarity.Sign(taskDescription);
        var embedding = await generator.GenerateAsync(taskDescription, cancellationToken: cancellationToken).ConfigureAwait(false);
        return lexical with { Vector = embedding.Vector };
    }

    /// <inheritdoc/>
    public double Similarity(TaskSignature first, TaskSignature second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Key == second.Key)
        {
            return 1;
        }

        var a = first.Vector.Span;
        var b = second.Vector.Span;
        if (a.Length == 0 || a.Length != b.Length)
        {
            return 0;
        }

        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }

        return normA == 0 || normB == 0 ? 0 : Math.Clamp(dot / Math.Sqrt(normA * normB), 0, 1);
    }
}
