namespace AutoDev;

/// <summary>What a reviewer decided about a skill candidate or a tool mutation.</summary>
public enum ReviewDecision
{
    /// <summary>Approved, and so promoted.</summary>
    Approved = 0,

    /// <summary>Rejected.</summary>
    Rejected = 1,
}

/// <summary>One reviewer's decision about a proposal (a skill candidate or a tool mutation), kept in its review history.</summary>
/// <param name="Reviewer">Who decided: a person, or <see cref="AutoPromoter"/> / the research loop.</param>
/// <param name="Decision">Approved or rejected.</param>
/// <param name="Reason">Why, as the reviewer said.</param>
/// <param name="At">When.</param>
public sealed record Review(string Reviewer, ReviewDecision Decision, string? Reason, DateTimeOffset At)
{
    /// <summary>Who promotes when nobody reviewed: auto-promotion of AUTONOMOUS agents' candidates.</summary>
    public const string AutoPromoter = "autodev";

    /// <summary>The longest reviewer name: 128 characters.</summary>
    public const int MaxReviewerLength = 128;

    /// <summary>The longest review reason: 4,000 characters.</summary>
    public const int MaxReasonLength = 4_000;

    /// <summary>Checks a decision's reviewer and reason and makes the review.</summary>
    /// <exception cref="ArgumentException">No reviewer, a reviewer or reason over its maximum, a rejection without a reason, or control characters in the reviewer.</exception>
    public static Review Create(string reviewer, ReviewDecision decision, string? reason, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reviewer);
        if (reviewer.Length > MaxReviewerLength || reviewer.Any(char.IsControl))
        {
            throw new ArgumentException($"A reviewer name is at most {MaxReviewerLength} characters without control characters.", nameof(reviewer));
        }

        if (decision == ReviewDecision.Rejected)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        }

        if (reason?.Length > MaxReasonLength)
        {
            throw new ArgumentException($"A review reason is at most {MaxReasonLength:N0} characters.", nameof(reason));
        }

        return new Review(reviewer, decision, reason, at);
    }

    /// <summary>The review that decided a proposal's fate: the first one.</summary>
    internal static Review? Decisive(IReadOnlyList<Review> reviews) => reviews.Count == 0 ? null : reviews[0];
}
