using Microsoft.Extensions.FileProviders;

namespace Actors.Silo;

/// <summary>
/// Serves the CSR dashboard (src/Dashboard, copied to <c>dashboard/</c> beside the executable by the build) at <c>/</c>.
/// It runs before authentication: the page and its scripts are public, every piece of data they show needs a token.
/// </summary>
internal static partial class DashboardFiles
{
    public const string Folder = "dashboard";

    public static WebApplication UseDashboard(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, Folder);
        if (!Directory.Exists(root))
        {
            LogMissing(app.Logger, root);
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // Revalidate every time (a 304 when unchanged): after an upgrade no tab keeps running yesterday's modules.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dashboard's files are not at {Root}: / serves nothing (build src/Silo to copy them)")]
    private static partial void LogMissing(ILogger logger, string root);
}
