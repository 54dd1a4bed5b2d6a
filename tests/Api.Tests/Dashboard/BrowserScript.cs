using System.Diagnostics;
using System.Text;

namespace Actors.Api.Tests.Dashboard;

/// <summary>
/// Runs the Playwright script in <c>Dashboard/browser</c> (in the source tree: the MSBuild target installed its
/// node_modules there) with Node, against Debian's Chromium.
/// </summary>
internal static class BrowserScript
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>The repository's root: the folder above the test's output that holds Actors.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Folder => Path.Combine(RepositoryRoot, "tests", "Api.Tests", "Dashboard", "browser");

    /// <summary>Runs <c>node dashboard.mjs</c>; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's Chromium (apt-get install -y chromium; .ci/run does it).");
        var start = new ProcessStartInfo("node", "dashboard.mjs")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new System.Diagnostics.Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append(output, $"(killed: the browser script ran longer than {timeout.TotalSeconds} s)");
            return (-1, Snapshot(output));
        }

        // WaitForExitAsync returns once the streams are drained as well.
        return (process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Actors.sln above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
    }
}
