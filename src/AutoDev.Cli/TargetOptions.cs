using System.CommandLine;
using AutoDev.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Cli;

/// <summary>
/// The options that name what a command works on: an AutoDev store, <c>--sqlite &lt;file&gt;</c> or
/// <c>--postgres &lt;connection string&gt;</c>, or, for the operator commands, a running API, <c>--url &lt;address&gt;</c>
/// (with <c>--token</c> where the host signs users in with a bearer token).
/// </summary>
internal sealed class TargetOptions(bool acceptsApi = false)
{
    private readonly Option<FileInfo?> _sqlite = new("--sqlite")
    {
        Description = "The AutoDev SQLite file (as written by AddEntityFrameworkStores(o => o.UseSqlite(...))).",
    };

    private readonly Option<string?> _postgres = new("--postgres")
    {
        Description = "A PostgreSQL connection string of an AutoDev database. Also read from AUTODEV_POSTGRES.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AUTODEV_POSTGRES"),
    };

    private readonly Option<string?> _url = new("--url")
    {
        Description = "The address of a running AutoDev API, where the host mapped it (for example http://localhost:5000/autodev).",
    };

    private readonly Option<string?> _token = new("--token")
    {
        Description = "A bearer token for the API's authentication. Also read from AUTODEV_TOKEN.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AUTODEV_TOKEN"),
    };

    /// <summary>Adds the options to <paramref name="command"/>, with the rule that exactly one store (or API) is named.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_sqlite);
        command.Options.Add(_postgres);
        if (acceptsApi)
        {
            command.Options.Add(_url);
            command.Options.Add(_token);
        }

        command.Validators.Add(result =>
        {
            var sqlite = result.GetValue(_sqlite);
            var postgres = result.GetValue(_postgres);
            var url = acceptsApi ? result.GetValue(_url) : null;
            var named = (sqlite is null ? 0 : 1) + (string.IsNullOrWhiteSpace(postgres) ? 0 : 1) + (url is null ? 0 : 1);
            if (named != 1)
            {
                result.AddError(acceptsApi
                    ? "Name one AutoDev store or API: --sqlite <file>, --postgres <connection string> or --url <address>."
                    : "Name one AutoDev store: --sqlite <file> or --postgres <connection string>.");
            }
            else if (url is not null && Address(url) is null)
            {
                result.AddError($"--url must be an absolute http or https address, not '{url}'.");
            }
            else if (sqlite is { Exists: false })
            {
                result.AddError($"No AutoDev database at {sqlite.FullName}.");
            }
        });
    }

    /// <summary>The API the command line names, with its bearer token; <see langword="null"/> when it names a store.</summary>
    public (Uri Address, string? Token)? Api(ParseResult result) =>
        acceptsApi && result.GetValue(_url) is { } url && Address(url) is { } address ? (address, result.GetValue(_token)) : null;

    private static Uri? Address(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var address) && address.Scheme is "http" or "https" ? address : null;

    /// <summary>Makes AutoDev keep its data in the store the command line names.</summary>
    public void Apply(ParseResult result, IAutoDevBuilder autodev)
    {
        if (result.GetValue(_sqlite) is { } file)
        {
            autodev.AddEntityFrameworkStores(o => o.UseSqlite($"Data Source={file.FullName}"));
        }
        else
        {
            autodev.AddPostgreSqlStores(result.GetValue(_postgres)!);
        }
    }
}
