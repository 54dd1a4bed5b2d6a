namespace Actors.Runtime;

/// <summary>What happens to a reminder tick that fell due while no node could deliver it.</summary>
public enum MissedTickPolicy
{
    /// <summary>Orleans' behaviour: a missed tick is dropped; a periodic reminder resumes at its next tick.</summary>
    Skip = 0,

    /// <summary>At least once: a missed tick is delivered once on recovery (several missed ticks collapse into one).</summary>
    FireOnce = 1,
}
