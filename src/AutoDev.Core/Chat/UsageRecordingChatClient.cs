using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoDev;

/// <summary>
/// Chat middleware that records every call made for a workspace as a <see cref="ChatCallRecord"/> in
/// <see cref="IChatCallStore"/>, successful or not, with the tokens it is charged: the usage the workspace's
/// <see cref="TokenBudget"/> counts. It also caps every answer (<c>ChatOptions.MaxOutputTokens</c>, when the caller set
/// none) so that no call can cost more than its bound.
/// </summary>
/// <remarks>
/// <para>
/// A call is for a workspace when its options carry a <see cref="ChatCallContext"/> under
/// <see cref="ChatCallContext.OptionsKey"/> in <c>ChatOptions.AdditionalProperties</c>; the key is taken out before the
/// call goes on, so no provider sees it. Other calls pass through unrecorded.
/// </para>
/// <para>
/// A successful response carries its record under <see cref="ChatCallRecord.ResponseKey"/> in
/// <c>ChatResponse.AdditionalProperties</c>; a failed call throws a <see cref="ChatServiceException"/> whose
/// <see cref="ChatServiceException.Record"/> is set. A cancelled call is not recorded. Charging: the reported usage,
/// never more than the call's bound (<see cref="TokenBudget.BoundOf"/>).
/// </para>
/// <para>Add it with <see cref="AutoDevChatClientBuilderExtensions.UseAutoDevUsageRecording"/>, outside any retries, so a call is one record however many attempts it took.</para>
/// </remarks>
public sealed class UsageRecordingChatClient : DelegatingChatClient
{
    private readonly IChatCallStore _store;
    private readonly int _maxOutputTokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ChatCallRecord? _lastCall;

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that makes the call.</param>
    /// <param name="store">Where records go.</param>
    /// <param name="maxOutputTokens">The cap on an answer whose caller set none.</param>
    /// <param name="timeProvider">The clock of the records; the system clock by default.</param>
    /// <param name="logger">Where failures and over-reported usage are logged.</param>
    public UsageRecordingChatClient(IChatClient innerClient, IChatCallStore store, int maxOutputTokens = ChatResilienceOptions.DefaultMaxOutputTokens, TimeProvider? timeProvider = null, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutputTokens, 1);
        (_store, _maxOutputTokens, _time, _logger) = (store, maxOutputTokens, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance);
    }

    /// <summary>Where charged tokens are reported, for the gauges; set by <see cref="AutoDevChatClientBuilderExtensions.UseAutoDevUsageRecording"/>.</summary>
    internal WorkspaceUsage? Observed { get; init; }

    /// <summary>The last call this client recorded (any workspace), or <see langword="null"/> before the first one; for the health check.</summary>
    internal ChatCallRecord? LastCall => Volatile.Read(ref _lastCall);

    /// <inheritdoc/>
    /// <exception cref="ChatServiceException">The call failed; it is recorded.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!TryTakeContext(ref options, out var context))
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var list = messages as IList<ChatMessage> ?? [.. messages];
        var call = Start(context, list, options);
        try
        {
            var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
            var record = await FinishAsync(call, response, failure: null).ConfigureAwait(false);
            (response.AdditionalProperties ??= [])[ChatCallRecord.ResponseKey] = record;
            return response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not ChatServiceException { Record: not null })
        {
            throw await FailAsync(call, ex).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    /// <remarks>The record is written when the stream ends, with the usage its updates reported; a stream the caller stops early is recorded with what it reported so far.</remarks>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!TryTakeContext(ref options, out var context))
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var list = messages as IList<ChatMessage> ?? [.. messages];
        var call = Start(context, list, options);
        var updates = new List<ChatResponseUpdate>();
        var finished = false;
        var enumerator = base.GetStreamingResponseAsync(list, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    finished = true;
                    throw;
                }
                catch (Exception ex) when (ex is not ChatServiceException { Record: not null })
                {
                    finished = true;
                    throw await FailAsync(call, ex).ConfigureAwait(false);
                }

                updates.Add(enumerator.Current);
                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            if (!finished)
            {
                await FinishAsync(call, updates.ToChatResponse(), failure: null).ConfigureAwait(false);
            }
        }
    }

    private bool TryTakeContext([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] ref ChatOptions? options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChatCallContext? context)
    {
        context = null;
        if (options?.AdditionalProperties?.TryGetValue(ChatCallContext.OptionsKey, out var value) != true || value is not ChatCallContext found)
        {
            return false;
        }

        Guard.Id(found.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(found.Purpose);
        context = found;
        options = options.Clone().WithoutProperty(ChatCallContext.OptionsKey);
        options.MaxOutputTokens ??= _maxOutputTokens;
        return true;
    }

    private Call Start(ChatCallContext context, IList<ChatMessage> messages, ChatOptions options) =>
        new(context, messages, options, _time.GetUtcNow(), _time.GetTimestamp(), ChatAttempts.Begin());

    /// <summary>Records the failed call and returns the failure to throw, its record set.</summary>
    private async Task<ChatServiceException> FailAsync(Call call, Exception exception)
    {
        var failure = ChatServiceException.From(exception);
        failure.Record = await FinishAsync(call, response: null, failure).ConfigureAwait(false);
        return failure;
    }

    private async Task<ChatCallRecord> FinishAsync(Call call, ChatResponse? response, ChatServiceException? failure)
    {
        var (context, options) = (call.Context, call.Options);
        var (input, output, total, reported) = Charge(response?.Usage, TokenBudget.InputBound(call.Messages.Sum(m => (long)m.Text.Length)), options.MaxOutputTokens!.Value);
        if (reported > total)
        {
            Log.ChatUsageOverBound(_logger, context.TenantId, context.Purpose, reported, total);
        }

        var record = new ChatCallRecord
        {
            TenantId = context.TenantId,
            AgentId = context.AgentId,
            Purpose = context.Purpose,
            ModelId = response?.ModelId ?? options.ModelId ?? this.GetService<ChatClientMetadata>()?.DefaultModelId,
            StartedAt = call.StartedAt,
            Duration = _time.GetElapsedTime(call.Started),
            Attempts = call.Attempts.Count,
            Succeeded = failure is null,
            FailureKind = failure?.Kind,
            FailureReason = failure is null ? null : Guard.Storable(failure.Message),
            InputTokens = input,
            OutputTokens = output,
            TotalTokens = total,
        };
        await _store.AddAsync(record, CancellationToken.None).ConfigureAwait(false);
        Volatile.Write(ref _lastCall, record);
        AutoDevTelemetry.ChatCalled(record);
        Observed?.TokensCharged(record.TenantId, record.TotalTokens);
        if (failure is not null)
        {
            Log.ChatCallFailed(_logger, context.TenantId, context.Purpose, record.Attempts, failure.Kind, record.FailureReason!);
        }

        return record;
    }

    /// <summary>
    /// What a call is charged: the reported usage, but never more than the call can cost (a token is at least one
    /// character of the prompt; the answer is capped). Over the bound, each part is cut to its bound and the total is
    /// their sum; <c>Reported</c> is the largest total the service claimed.
    /// </summary>
    private static (long Input, long Output, long Total, long Reported) Charge(UsageDetails? usage, long inputBound, long outputBound)
    {
        var (reportedInput, reportedOutput) = (usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0);
        var reported = Math.Max(usage?.TotalTokenCount ?? 0, reportedInput + reportedOutput);
        var (input, output) = (Math.Clamp(reportedInput, 0, inputBound), Math.Clamp(reportedOutput, 0, outputBound));
        var overBound = reportedInput > inputBound || reportedOutput > outputBound || reported > inputBound + outputBound;
        return (input, output, overBound ? input + output : reported, reported);
    }

    private sealed record Call(ChatCallContext Context, IList<ChatMessage> Messages, ChatOptions Options, DateTimeOffset StartedAt, long Started, ChatAttempts Attempts);
}
