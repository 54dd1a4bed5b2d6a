using System.Diagnostics;

namespace Actors.Bench;

internal sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>Runs a tool to completion and captures what it printed.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        IReadOnlyList<string> commandLine,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Action<int>? started = null)
    {
        var start = new ProcessStartInfo(commandLine[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start '{commandLine[0]}'.");
        started?.Invoke(process.Id);
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // Only the process this call started, by its own handle: a stuck tool must not outlive the benchmark.
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"'{string.Join(' ', commandLine)}' did not finish within {timeout}.");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    public static async Task<ProcessResult> RunCheckedAsync(IReadOnlyList<string> commandLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await RunAsync(commandLine, timeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{string.Join(' ', commandLine)}' exited with {result.ExitCode}:{Environment.NewLine}{result.Output}{result.Error}");
        }

        return result;
    }
}
