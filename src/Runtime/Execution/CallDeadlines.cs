using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Execution;

/// <summary>
/// The deadlines of the calls in flight on this node. A call whose deadline passes fails with a
/// <see cref="TimeoutException"/>, whether it still waits in a mailbox or runs. One periodic sweep checks them all, as
/// Orleans checks its callbacks' expiry, instead of a timer per call: a timer costs a few allocations and two trips
/// through the shared timer-queue lock, more than the rest of an in-process call together.
/// </summary>
/// <remarks>
/// The calls are kept in intrusive lists (the links live in the call). A call's caller tracks it and the thread that
/// answers it, usually another, untracks it, so the lists are many and a thread deals its calls out over them in turn:
/// two threads seldom want the same list at once, and each list sits on cache lines of its own, guarded by a spin lock
/// held for a few instructions. Every call of a node has the same timeout, so each list is in deadline order and a sweep
/// stops at the first call not yet due: it costs the expired calls, not the calls in flight. (Two threads dealing into
/// one list may append a few microseconds out of order; a call so passed is answered by the next sweep.) A deadline is
/// met within one sweep period, a tenth of the timeout (at least 10 ms, at most one second).
/// </remarks>
internal sealed partial class CallDeadlines : IDisposable
{
    private const int StripeCount = 64;

    [ThreadStatic]
    private static int t_nextStripe;

    private readonly Stripe[] _stripes = new Stripe[StripeCount];
    private readonly ITimer _sweep;
    private readonly ILogger _logger;

    public CallDeadlines(TimeSpan callTimeout, ILogger logger)
    {
        _logger = logger;
        for (var i = 0; i < StripeCount; i++)
        {
            _stripes[i].Gate = new SpinLock(enableThreadOwnerTracking: false);
        }

        var period = TimeSpan.FromTicks(Math.Clamp(callTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        // The sweep belongs to no caller: it must not carry the creating thread's context (activity, logging scopes).
        using (ExecutionContext.SuppressFlow())
        {
            _sweep = TimeProvider.System.CreateTimer(static s => ((CallDeadlines)s!).Sweep(), this, period, period);
        }
    }

    /// <summary>Watches the call's deadline until <see cref="Untrack"/>.</summary>
    public void Track(CallWorkItem call)
    {
        var index = t_nextStripe++ & (StripeCount - 1);
        ref var stripe = ref _stripes[index];
        stripe.Enter();
        call.DeadlineStripe = index;
        stripe.Calls.AddLast(call);
        stripe.Exit();
    }

    /// <summary>The call has its answer: its deadline no longer matters. Does nothing for a call not tracked.</summary>
    public void Untrack(CallWorkItem call)
    {
        var index = call.DeadlineStripe;
        if (index < 0)
        {
            return;
        }

        ref var stripe = ref _stripes[index];
        stripe.Enter();
        if (call.DeadlineStripe >= 0)
        {
            stripe.Remove(call);
        }

        stripe.Exit();
    }

    /// <summary>The calls in flight: placed and not answered yet.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            for (var i = 0; i < StripeCount; i++)
            {
                ref var stripe = ref _stripes[i];
                stripe.Enter();
                count += stripe.Calls.Count;
                stripe.Exit();
            }

            return count;
        }
    }

    /// <summary>Times out every tracked call whose deadline has passed.</summary>
    internal void Sweep()
    {
        var now = Environment.TickCount64;
        List<CallWorkItem>? expired = null;
        for (var i = 0; i < StripeCount; i++)
        {
            ref var stripe = ref _stripes[i];
            stripe.Enter();
            while (stripe.Calls.First is { } first && first.Deadline <= now)
            {
                stripe.Remove(first);
                (expired ??= []).Add(first);
            }

            stripe.Exit();
        }

        if (expired is null)
        {
            return;
        }

        foreach (var call in expired)
        {
            try
            {
                call.TimeOut();
            }
            catch (Exception ex)
            {
                // A metrics listener's callback runs inside TimeOut: its failure must not end the sweep (the calls after
                // this one are already off the lists) or the process (this runs on a timer).
                LogTimeOutFailed(_logger, ex, call.Target, call.Description);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Timing out call {Method} on {Grain} failed")]
    private static partial void LogTimeOutFailed(ILogger logger, Exception exception, GrainId grain, string method);

    public void Dispose() => _sweep.Dispose();

    /// <summary>One list with its lock, 128 bytes: no two lists share a cache line (or an adjacent-line prefetch pair).</summary>
    /// <remarks>
    /// The lock is held only for a few link updates, which cannot throw, so it is taken and let go without a finally.
    /// </remarks>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Stripe
    {
        [FieldOffset(0)]
        public SpinLock Gate;

        [FieldOffset(8)]
        public IntrusiveList<CallWorkItem, CallWorkItem.DeadlineList> Calls;

        public void Enter()
        {
            var taken = false;
            Gate.Enter(ref taken);
        }

        public void Exit() => Gate.Exit(useMemoryBarrier: false);

        public void Remove(CallWorkItem call)
        {
            Calls.Remove(call);
            call.DeadlineStripe = -1;
        }
    }
}
