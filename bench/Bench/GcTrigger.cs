using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Actors.Bench;

/// <summary>
/// Makes another .NET process run a full blocking garbage collection, from outside and without a route of its own:
/// an EventPipe session (the runtime's diagnostics port) enabling the runtime provider's GCHeapCollect keyword, which
/// is what dotnet-gcdump uses to induce a gen2 collection before it walks the heap. The same session's GC events say
/// that the induced collection ran and how large the managed heap was after it.
/// </summary>
internal static class GcTrigger
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>Induces a full collection in <paramref name="pid"/>; returns the managed heap's size after it, in bytes.</summary>
    public static async Task<long> CollectAsync(int pid, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(pid);
        var providers = new[] { new EventPipeProvider(RuntimeProvider, EventLevel.Informational, GcKeyword | GcHeapCollectKeyword) };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, cancellationToken);
        using var source = new EventPipeEventSource(session.EventStream);
        var induced = false;
        var heapAfter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Clr.GCStart += (GCStartTraceData e) => induced |= e.Reason == GCReason.Induced && e.Depth == 2;
        source.Clr.GCHeapStats += (GCHeapStatsTraceData e) =>
        {
            if (induced)
            {
                heapAfter.TrySetResult(e.GenerationSize0 + e.GenerationSize1 + e.GenerationSize2 + e.GenerationSize3 + e.GenerationSize4);
            }
        };
        var processing = Task.Run(source.Process, CancellationToken.None);
        try
        {
            return await heapAfter.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"Process {pid} reported no induced full collection within 30 s of the EventPipe session's start.");
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await processing;
        }
    }
}
