// autodev: the command-line tool of AutoDev. Run `autodev --help`.
using System.CommandLine;
using AutoDev.Cli;

var root = new RootCommand("autodev: serve and operate what AutoDev learned, over an AutoDev store (SQLite file or PostgreSQL) or a running AutoDev API.")
{
    McpCommand.Create(),
    OperatorCommands.Review(),
    OperatorCommands.Skills(),
    OperatorCommands.Agents(),
    OperatorCommands.Usage(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
