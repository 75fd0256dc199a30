using System.ComponentModel.DataAnnotations;

namespace AutoDev.Mcp;

/// <summary>Options of AutoDev's MCP server.</summary>
public sealed class AutoDevMcpOptions
{
    /// <summary>The server's name in the MCP handshake. Default <c>autodev</c>.</summary>
    [Required]
    public string ServerName { get; set; } = "autodev";

    /// <summary>How long one tool call may run in the sandbox. Default <see cref="SandboxRequest.DefaultTimeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ToolTimeout { get; set; } = SandboxRequest.DefaultTimeout;

    /// <summary>
    /// Whether <see cref="SkillExecuted"/> carries a call's arguments, so AlphaEvolver can replay them. Off by default:
    /// what a client sends may be private.
    /// </summary>
    public bool RecordInputs { get; set; }

    /// <summary>
    /// How often a served workspace's skills are compared with the store, so a promotion or rollback made by another
    /// process (a reviewer's tool, a second instance) also reaches clients as <c>notifications/tools/list_changed</c>.
    /// Changes made in this process reach them at once, through AutoDev's events. Default 5 seconds;
    /// <see cref="TimeSpan.Zero"/> turns the comparison off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
}
