using Actors.Runtime.Storage;

namespace Actors.Runtime.Tests.Infrastructure;

public static class StorageExtensions
{
    /// <summary>One completion through <see cref="IStorageProvider.CompleteRemindersAsync"/>: whether the row was changed.</summary>
    public static async Task<bool> CompleteReminderAsync(
        this IStorageProvider storage, GrainId grain, string name, long claimedVersion, DateTimeOffset? nextDueAt, CancellationToken cancellationToken) =>
        (await storage.CompleteRemindersAsync([new ReminderCompletion(grain, name, claimedVersion, nextDueAt)], cancellationToken))[0];
}
