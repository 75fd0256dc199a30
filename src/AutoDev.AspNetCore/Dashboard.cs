using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AutoDev.AspNetCore;

/// <summary>
/// The dashboard's files (HTML, CSS, JavaScript), embedded in this assembly and served beside the API. The page is
/// built in the browser from the API with text-only DOM calls, so what a model wrote is never markup; the
/// Content-Security-Policy allows scripts and styles from this server only (no inline script, no other origin).
/// </summary>
internal static class Dashboard
{
    /// <summary>The policy of every dashboard response.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (byte[] Content, string Type, string ETag)> Files = Load();

    public static void Map(RouteGroupBuilder root)
    {
        // One route matches both /autodev and /autodev/; the page's relative links need the slash.
        root.MapGet("", (HttpContext context) => context.Request.Path.Value?.EndsWith('/') == true
                ? Serve(context, "index.html")
                : Results.Redirect(context.Request.PathBase + context.Request.Path + "/"))
            .ExcludeFromDescription();
        root.MapGet("/assets/{file}", (HttpContext context, string file) => Serve(context, file)).ExcludeFromDescription();
    }

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Files.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETag;
        return context.Request.Headers.IfNoneMatch == file.ETag ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Bytes(file.Content, file.Type);
    }

    private static FrozenDictionary<string, (byte[], string, string)> Load()
    {
        const string Prefix = "AutoDev.Dashboard.";
        var assembly = typeof(Dashboard).Assembly;
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = resource[Prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            files[name] = (content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
