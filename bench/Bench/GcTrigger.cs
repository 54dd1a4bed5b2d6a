using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace Actors.Bench;

/// <summary>
/// Makes another .NET process run a full blocking garbage collection, from outside and without a route of its own:
/// an EventPipe session (the runtime's diagnostics port) enabling the runtime provider's GCHeapCollect keyword, which
/// is what dotnet-gcdump uses to induce a gen2 collection before it walks the heap.
/// </summary>
internal static class GcTrigger
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    public static async Task CollectAsync(int pid, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(pid);
        var providers = new[] { new EventPipeProvider(RuntimeProvider, EventLevel.Informational, GcKeyword | GcHeapCollectKeyword) };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, cancellationToken);

        // The session's events must be read or the runtime blocks writing them; nothing in them is needed here.
        var drain = session.EventStream.CopyToAsync(Stream.Null, cancellationToken);

        // The collection is induced as the session starts; a heap of a few hundred MB takes well under a second.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await session.StopAsync(cancellationToken);
        await drain;
    }
}
