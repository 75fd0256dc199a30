using Microsoft.AspNetCore.Http;

namespace AutoDev.AspNetCore;

/// <summary>Options of AutoDev's HTTP surface (<c>AddHttpApi(o => ...)</c>).</summary>
public sealed class AutoDevHttpOptions
{
    /// <summary>
    /// Whether the request's user may change the settings of the workspace it names. <see langword="null"/> (the
    /// default) keeps settings read-only over HTTP: they loosen or tighten every guard of the workspace, so the host
    /// says who may change them, for example <c>(context, workspace) =&gt; ValueTask.FromResult(context.User.IsInRole("autodev-admin"))</c>.
    /// </summary>
    public Func<HttpContext, string, ValueTask<bool>>? CanChangeSettings { get; set; }

    /// <summary>The largest skill package an import accepts, in bytes. Default 4 MiB.</summary>
    public long MaxImportBytes { get; set; } = 4 * 1024 * 1024;
}
