namespace AutoDev;

/// <summary>
/// Adds signals that arrive later, from a webhook or an API (an invoice created, a conversion, a bounce), to the fitness
/// of what produced them: a tool mutation, a workflow variant or a skill version. A delivery id seen before counts once,
/// so a webhook may deliver again.
/// </summary>
/// <remarks>Registered by <c>AddAutoDev()</c>. Thread-safe singleton.</remarks>
public sealed class DelayedSignals(
    IToolMutationStore mutations,
    IWorkflowVariantStore workflows,
    ISkillStore skills,
    IFitnessService fitness,
    TimeProvider time)
{
    /// <summary>Records the signals against the variant and returns its new fitness record.</summary>
    /// <param name="tenantId">The workspace.</param>
    /// <param name="variantId">A tool mutation's, workflow variant's or skill version's id.</param>
    /// <param name="signals">The signals, each with a delivery id.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="ArgumentException">A signal has no delivery id (without one, a repeated delivery could not be recognised).</exception>
    /// <exception cref="EntityNotFoundException">No such variant in the workspace.</exception>
    public async Task<FitnessRecord> RecordAsync(string tenantId, Guid variantId, IReadOnlyList<FitnessSignal> signals, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        ArgumentNullException.ThrowIfNull(signals);
        if (signals.FirstOrDefault(s => string.IsNullOrWhiteSpace(s.DeliveryId)) is { } anonymous)
        {
            throw new ArgumentException($"The signal '{anonymous.Name}' has no delivery id; webhook signals need one so that a repeated delivery counts once.", nameof(signals));
        }

        using var activity = AutoDevTelemetry.Start("signal.record", tenantId)?
            .SetTag("autodev.variant.id", variantId.ToString())
            .SetTag("autodev.signal.count", signals.Count);
        var now = time.GetUtcNow();
        var stamped = signals.Select(s => s.ReceivedAt == default ? s with { ReceivedAt = now } : s).ToList();
        if (await mutations.FindAsync(tenantId, variantId, cancellationToken).ConfigureAwait(false) is { } mutation)
        {
            var record = await fitness.RecordSignalsAsync(tenantId, variantId, FitnessSubjectKind.ToolMutation, stamped, cancellationToken).ConfigureAwait(false);
            await UpdateWithRetryAsync(
                mutation,
                ct => mutations.FindAsync(tenantId, variantId, ct),
                m => mutations.UpdateAsync(m with { FitnessScore = record.Score, UpdatedAt = now }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return record;
        }

        if (await workflows.FindAsync(tenantId, variantId, cancellationToken).ConfigureAwait(false) is { } variant)
        {
            var record = await fitness.RecordSignalsAsync(tenantId, variantId, FitnessSubjectKind.WorkflowVariant, stamped, cancellationToken).ConfigureAwait(false);
            await UpdateWithRetryAsync(
                variant,
                ct => workflows.FindAsync(tenantId, variantId, ct),
                v => workflows.UpdateAsync(v with { FitnessScore = record.Score, FitnessSignals = record.Signals }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return record;
        }

        if (await skills.FindVersionAsync(tenantId, variantId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return await fitness.RecordSignalsAsync(tenantId, variantId, FitnessSubjectKind.SkillVersion, stamped, cancellationToken).ConfigureAwait(false);
        }

        throw new EntityNotFoundException("variant", tenantId, variantId);
    }

    /// <summary>Writes <paramref name="current"/>; after a concurrency conflict, reads it again and reapplies, a few times.</summary>
    private static async Task UpdateWithRetryAsync<T>(T current, Func<CancellationToken, ValueTask<T?>> read, Func<T, ValueTask<T>> write, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await write(current).ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < 4)
            {
                // Someone saved it meanwhile (a reviewer, another delivery): read again and reapply.
                if (await read(cancellationToken).ConfigureAwait(false) is not { } fresh)
                {
                    return;
                }

                current = fresh;
            }
        }
    }
}
