using Microsoft.Extensions.Logging;

namespace Actors.Grains;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Follow-up of {Grain} failed; the follow-up reminder retries it once the change comes back from the outbox")]
    public static partial void FollowUpDeferred(ILogger logger, Exception exception, string grain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Reminder} of {Entity} {Id} is unknown and was ignored")]
    public static partial void UnknownReminder(ILogger logger, string entity, string id, string reminder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} got a summary of SA {ServiceAgreementId} but does not exist; ignored")]
    public static partial void SummaryForUnknownAccount(ILogger logger, string accountId, string serviceAgreementId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Premise {PremiseId} has no service point {ServicePointId}; occupancy of SA {ServiceAgreementId} ignored")]
    public static partial void UnknownServicePoint(ILogger logger, string premiseId, string servicePointId, string serviceAgreementId);

    [LoggerMessage(Level = LogLevel.Information, Message = "SA {ServiceAgreementId} activated ({Actor})")]
    public static partial void Activated(ILogger logger, string serviceAgreementId, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "SA {ServiceAgreementId} could not activate: {Missing}")]
    public static partial void ActivationDelayed(ILogger logger, string serviceAgreementId, string missing);
}
