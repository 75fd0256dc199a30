using Microsoft.Extensions.Logging;

namespace AutoDev;

/// <summary>
/// The one writer of promoted skill versions: numbers them (a candidate starts 1.0.0 or the next major version, an
/// imported one keeps its package's version, a mutation gets the next minor version of its parent's major) and writes each promotion with its proposal in one
/// <see cref="ISkillStore.PromoteAsync"/>, so an approval is never half done.
/// </summary>
/// <remarks>
/// Two promotions racing for the same name or number: the loser numbers again and retries, a few times. A stale
/// proposal (another reviewer decided) is a <see cref="ConcurrencyConflictException"/>. Thread-safe singleton.
/// </remarks>
internal sealed class SkillPromoter(
    ISkillStore skills,
    IFitnessService fitness,
    IEventBus events,
    ILogger<SkillPromoter> logger)
{
    private const int Attempts = 8;

    /// <summary>Promotes a validated candidate with the reviewer's approval.</summary>
    public async Task<SkillVersion> PromoteAsync(SkillCandidate candidate, Review review, CancellationToken cancellationToken)
    {
        using var activity = AutoDevTelemetry.StartPromotion(candidate.TenantId, "candidate", candidate.Id);
        for (var attempt = 1; ; attempt++)
        {
            var existing = await skills.FindByNameAsync(candidate.TenantId, candidate.Name, cancellationToken).ConfigureAwait(false);
            var fresh = existing is null
                ? new Skill { TenantId = candidate.TenantId, Name = candidate.Name, Description = candidate.Description, CreatedAt = review.At }
                : null;
            var version = new SkillVersion
            {
                TenantId = candidate.TenantId,
                SkillId = existing?.Id ?? fresh!.Id,
                Version = candidate.ImportedVersion
                    ?? (existing is null ? SemanticVersion.Initial : (await HighestAsync(existing, major: null, cancellationToken).ConfigureAwait(false)).NextMajor()),
                Code = candidate.Code,
                EntryPoint = candidate.EntryPoint,
                TestCasesJson = candidate.TestCasesJson,
                ParentVersionId = existing?.ActiveVersionId,
                SourceCandidateId = candidate.Id,
                FitnessScore = candidate.FitnessScore,
                CreatedAt = review.At,
            };
            var promotion = new SkillPromotion { NewSkill = fresh, Version = version, Candidate = candidate.Promote(version.Id, review) };

            // An imported version keeps its number, so numbering again after a clash would not help.
            if (await TryWriteAsync(promotion, candidate.ImportedVersion is null ? attempt : Attempts, cancellationToken).ConfigureAwait(false) is { } skill)
            {
                return await AnnounceAsync(skill, version, review, activity, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Promotes a passed mutation with the reviewer's approval.</summary>
    public async Task<SkillVersion> PromoteAsync(ToolMutation mutation, Review review, CancellationToken cancellationToken)
    {
        using var activity = AutoDevTelemetry.StartPromotion(mutation.TenantId, "mutation", mutation.Id);
        for (var attempt = 1; ; attempt++)
        {
            var parent = await skills.FindVersionAsync(mutation.TenantId, mutation.ParentVersionId, cancellationToken).ConfigureAwait(false)
                ?? throw new EntityNotFoundException(nameof(SkillVersion), mutation.TenantId, mutation.ParentVersionId);
            var skill = await skills.FindAsync(mutation.TenantId, mutation.SkillId, cancellationToken).ConfigureAwait(false)
                ?? throw new EntityNotFoundException(nameof(Skill), mutation.TenantId, mutation.SkillId);
            var highest = await HighestAsync(skill, parent.Version.Major, cancellationToken).ConfigureAwait(false);
            var version = new SkillVersion
            {
                TenantId = mutation.TenantId,
                SkillId = mutation.SkillId,
                Version = (highest > parent.Version ? highest : parent.Version).NextMinor(),
                Code = mutation.Code,
                EntryPoint = parent.EntryPoint,
                TestCasesJson = parent.TestCasesJson,
                ParentVersionId = parent.Id,
                SourceMutationId = mutation.Id,
                FitnessScore = mutation.FitnessScore,
                CreatedAt = review.At,
            };
            var promotion = new SkillPromotion { Version = version, Mutation = mutation.Promote(version.Id, review) };
            if (await TryWriteAsync(promotion, attempt, cancellationToken).ConfigureAwait(false) is { } promoted)
            {
                return await AnnounceAsync(promoted, version, review, activity, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<Skill?> TryWriteAsync(SkillPromotion promotion, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await skills.PromoteAsync(promotion, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateEntityException) when (attempt < Attempts)
        {
            // Another promotion took the name or the number first: number again over what it wrote.
            return null;
        }
    }

    private async Task<SemanticVersion> HighestAsync(Skill skill, int? major, CancellationToken cancellationToken)
    {
        var highest = new SemanticVersion(0, 0, 0);
        await foreach (var version in skills.ListVersionsAsync(skill.TenantId, skill.Id, cancellationToken).ConfigureAwait(false))
        {
            if ((major is null || version.Version.Major == major) && version.Version > highest)
            {
                highest = version.Version;
            }
        }

        return highest;
    }

    private async Task<SkillVersion> AnnounceAsync(Skill skill, SkillVersion version, Review review, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        activity?.SetTag("autodev.skill", skill.Name).SetTag("autodev.skill.version", version.Version.ToString());
        await fitness.RecordSignalsAsync(skill.TenantId, version.Id, FitnessSubjectKind.SkillVersion, [new(FitnessSignalNames.Approved)], cancellationToken).ConfigureAwait(false);
        Log.SkillPromoted(logger, skill.TenantId, skill.Name, version.Version.ToString(), review.Reviewer);
        await events.PublishAsync(new SkillPromoted { TenantId = skill.TenantId, Skill = skill, Version = version, PromotedBy = review.Reviewer, OccurredAt = review.At }, cancellationToken).ConfigureAwait(false);
        return version;
    }
}
