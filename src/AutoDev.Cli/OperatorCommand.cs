using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDev.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AutoDev.Cli;

/// <summary>
/// What the operator commands share: <c>--workspace</c>, a store connection or <c>--url</c> of a running API,
/// <c>--json</c>, and typed errors as messages on standard error with exit codes scripts can use. On a store, AutoDev's
/// services run without their background loops: a command reads or changes what it names, nothing else.
/// </summary>
internal static class OperatorCommand
{
    /// <summary>The command line or an input was wrong (System.CommandLine's own code for a wrong command line).</summary>
    public const int Usage = 1;

    /// <summary>An unknown workspace, candidate, mutation, skill or version.</summary>
    public const int NotFound = 3;

    /// <summary>A decision that no longer applies: decided already, a conflict, a limit.</summary>
    public const int Conflict = 4;

    /// <summary>The API refused the request: not signed in, or not allowed.</summary>
    public const int Refused = 5;

    /// <summary>The store or the API could not be reached, or failed (a database error, a 5xx).</summary>
    public const int Unavailable = 6;

    public static readonly Option<string> Workspace = new("--workspace", "-w") { Description = "The workspace.", Required = true };

    public static readonly Option<bool> Json = new("--json") { Description = "Write JSON instead of a table." };

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(), new SemanticVersionJsonConverter() },
    };

    /// <summary>A command with the workspace, target and <c>--json</c> options whose action runs <paramref name="body"/> on the workspace.</summary>
    public static Command Create(string name, string description, Func<ParseResult, Context, Task<int>> body, params Symbol[] symbols)
    {
        var target = new TargetOptions(acceptsApi: true);
        var command = new Command(name, description) { Workspace, Json };
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        target.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            IOperator? workspace = null;
            try
            {
                workspace = Open(target, result);
                var context = new Context(workspace, result.GetValue(Workspace)!, result.GetValue(Json), result.InvocationConfiguration.Output, cancellationToken);
                if (!await workspace.WorkspaceExistsAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new EntityNotFoundException("Workspace", context.Workspace, context.Workspace);
                }

                return await body(result, context).ConfigureAwait(false);
            }
            catch (Exception ex) when (Failure(ex) is { } failure)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync(failure.Message).ConfigureAwait(false);
                return failure.ExitCode;
            }
            finally
            {
                if (workspace is not null)
                {
                    await workspace.DisposeAsync().ConfigureAwait(false);
                }
            }
        });
        return command;
    }

    /// <summary>The workspace over the API the command line names, or over AutoDev's services on its store.</summary>
    private static IOperator Open(TargetOptions target, ParseResult result)
    {
        var workspace = result.GetValue(Workspace)!;
        if (target.Api(result) is { } api)
        {
            return new HttpOperator(api.Address, api.Token, workspace);
        }

        var services = new ServiceCollection();
        // EF Core logs a failed query as an error of its own; the command reports it once, as a message and an exit code.
        services.AddLogging(logging => logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None));
        target.Apply(result, services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline));
        services.TryAddSingleton<WorkspaceOverview>();
        return new StoreOperator(services.BuildServiceProvider(), workspace);
    }

    /// <summary>
    /// What to tell a script about an error it can act on: the exit code and the message (for a database error the
    /// provider wrapped, as Npgsql's retrying strategy does with "a transient failure", the database's own).
    /// </summary>
    private static (int ExitCode, string Message)? Failure(Exception ex)
    {
        var error = ex is InvalidOperationException { InnerException: System.Data.Common.DbException inner } ? inner : ex;
        return ExitCode(error) is { } code ? (code, error.Message) : null;
    }

    /// <summary>The exit code of an error a script can act on; <see langword="null"/> for a bug, which is left to crash loudly.</summary>
    private static int? ExitCode(Exception ex) => ex switch
    {
        EntityNotFoundException => NotFound,
        InvalidStateTransitionException or ConcurrencyConflictException or DuplicateEntityException or LimitExceededException => Conflict,
        ApiProblemException { Status: HttpStatusCode.NotFound } => NotFound,
        ApiProblemException { Status: HttpStatusCode.Conflict } => Conflict,
        ApiProblemException { Status: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } => Refused,
        ApiProblemException { Status: >= HttpStatusCode.InternalServerError } or HttpRequestException or TaskCanceledException { InnerException: TimeoutException } => Unavailable,
        System.Data.Common.DbException => Unavailable,
        ApiProblemException or AutoDevException or ArgumentException or InvalidDataException or IOException => Usage,
        _ => null,
    };

    /// <summary>A command's workspace and output.</summary>
    internal sealed record Context(IOperator Operator, string Workspace, bool AsJson, TextWriter Output, CancellationToken Cancellation)
    {
        /// <summary>Writes <paramref name="value"/> as JSON, or as the table <paramref name="table"/> makes of it.</summary>
        public async Task<int> WriteAsync<T>(T value, Func<T, Table> table)
        {
            await Output.WriteLineAsync(AsJson ? JsonSerializer.Serialize(value, JsonOptions) : table(value).ToString()).ConfigureAwait(false);
            return 0;
        }
    }
}

/// <summary>Rows under headers, each column as wide as its widest cell.</summary>
internal sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public Table Add(params object?[] cells)
    {
        _rows.Add(cells.Select(c => (c?.ToString() ?? string.Empty).ReplaceLineEndings(" ")).ToArray());
        return this;
    }

    public override string ToString()
    {
        if (_rows.Count == 0)
        {
            return "(none)";
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
        return string.Join(Environment.NewLine, [Line(headers), Line(widths.Select(w => new string('-', w)).ToArray()), .. _rows.Select(Line)]);
    }
}
