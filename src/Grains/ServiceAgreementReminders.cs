namespace Actors.Grains;

/// <summary>
/// The names of an SA's one-shot business reminders (CC&amp;B's batch jobs, per SA). Each handler checks the SA's
/// status first, so a late or repeated delivery does nothing. An SA also has the follow-up reminder of every
/// <see cref="FollowUpGrain{TState}"/>, set only when its follow-ups keep failing.
/// </summary>
public static class ServiceAgreementReminders
{
    /// <summary>Creates the start field activity, lead days before the start date (PSASPM).</summary>
    public const string FieldActivityStart = "fa-start";

    /// <summary>Activates at the start date if the start read exists, else raises an activation exception To Do (SAACT).</summary>
    public const string Activate = "activate";

    /// <summary>Raises a To Do when the SA is still pending start some days after its start date.</summary>
    public const string AgedStart = "aged";

    /// <summary>Creates the stop field activity, lead days before the stop date.</summary>
    public const string FieldActivityStop = "fa-stop";

    /// <summary>Stops the SA at the stop date if the stop read exists, else raises a finalization exception To Do.</summary>
    public const string Finalize = "finalize";

    /// <summary>Raises a To Do when the SA is still pending stop some days after its stop date.</summary>
    public const string AgedStop = "aged-stop";
}
