using System.CommandLine;
using AutoDev.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Cli;

/// <summary>The options that name the AutoDev store a command works on: <c>--sqlite &lt;file&gt;</c> or <c>--postgres &lt;connection string&gt;</c>.</summary>
internal sealed class StoreOptions
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

    /// <summary>Adds the options to <paramref name="command"/>, with the rule that exactly one store is named.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_sqlite);
        command.Options.Add(_postgres);
        command.Validators.Add(result =>
        {
            var sqlite = result.GetValue(_sqlite);
            var postgres = result.GetValue(_postgres);
            if ((sqlite is null) == string.IsNullOrWhiteSpace(postgres))
            {
                result.AddError("Name one AutoDev store: --sqlite <file> or --postgres <connection string>.");
            }
            else if (sqlite is { Exists: false })
            {
                result.AddError($"No AutoDev database at {sqlite.FullName}.");
            }
        });
    }

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
