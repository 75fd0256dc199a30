using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDev.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutoDev.Cli;

/// <summary>
/// What the operator commands share: <c>--workspace</c>, the store options, <c>--json</c>, AutoDev's services over
/// the store (none of its background loops run: a command reads or changes what it names, nothing else), typed errors
/// as messages on standard error with exit codes scripts can use.
/// </summary>
internal static class StoreCommand
{
    /// <summary>The command line was wrong (System.CommandLine's own code).</summary>
    public const int Usage = 1;

    /// <summary>An unknown workspace, candidate, mutation, skill or version.</summary>
    public const int NotFound = 3;

    /// <summary>A decision that no longer applies: decided already, a conflict, a limit.</summary>
    public const int Conflict = 4;

    public static readonly Option<string> Workspace = new("--workspace", "-w") { Description = "The workspace.", Required = true };

    public static readonly Option<bool> Json = new("--json") { Description = "Write JSON instead of a table." };

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(), new SemanticVersionJsonConverter() },
    };

    /// <summary>A command with the workspace, store and <c>--json</c> options whose action runs <paramref name="body"/> over AutoDev's services.</summary>
    public static Command Create(string name, string description, Func<ParseResult, Context, Task<int>> body, params Symbol[] symbols)
    {
        var store = new StoreOptions();
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

        store.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
            store.Apply(result, services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline));
            await using var provider = services.BuildServiceProvider();
            var context = new Context(provider, result.GetValue(Workspace)!, result.GetValue(Json), result.InvocationConfiguration.Output, cancellationToken);
            try
            {
                if (!await context.Get<IWorkspaceStore>().ExistsAsync(context.Workspace, cancellationToken).ConfigureAwait(false))
                {
                    throw new EntityNotFoundException("Workspace", context.Workspace, context.Workspace);
                }

                return await body(result, context).ConfigureAwait(false);
            }
            catch (EntityNotFoundException ex)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return NotFound;
            }
            catch (Exception ex) when (ex is InvalidStateTransitionException or ConcurrencyConflictException or DuplicateEntityException or LimitExceededException)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return Conflict;
            }
            catch (Exception ex) when (ex is AutoDevException or ArgumentException or InvalidDataException or IOException)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return Usage;
            }
        });
        return command;
    }

    /// <summary>A command's services, workspace and output.</summary>
    internal sealed record Context(IServiceProvider Services, string Workspace, bool AsJson, TextWriter Output, CancellationToken Cancellation)
    {
        public T Get<T>()
            where T : notnull => Services.GetRequiredService<T>();

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
