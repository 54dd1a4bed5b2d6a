using Actors.Grains.Abstractions;
using Actors.Grains.Tests.Infrastructure;
using Actors.Runtime;
using Actors.Runtime.Storage;

namespace Actors.Grains.Tests.Grains;

/// <summary>
/// A change's follow-ups in other grains happen even when they fail at first: the change comes back from the outbox
/// and retries them, and when that fails too, the follow-up reminder does. The store refuses the other grain's writes
/// for a while to make the calls fail.
/// </summary>
public sealed class FollowUpTests : GrainTestBase
{
    private RefusingStore _store = null!;

    protected override Func<IStorageProvider, IStorageProvider>? WrapStore => inner => (_store = RefusingStore.Wrap(inner)).Store;

    [Fact]
    public async Task ServiceAgreementChange_WhosePremiseUpdateFails_ReachesThePremise_WhenTheChangeComesBackFromTheOutbox()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);
        Assert.Equal(ServiceAgreementStatus.PendingStart, (await OccupancyAsync(premise, sa)).Status);

        _store.Refuse(premise.Value, times: 1);
        Assert.Equal(ServiceAgreementStatus.Canceled, (await Host.ServiceAgreement(sa).CancelAsync(Csr)).Status);

        // No clock move: the reminder's 30 s never pass, so only the delivery can have done it.
        await Polling.UntilAsync(() => OccupancyAsync(premise, sa), o => o.Status == ServiceAgreementStatus.Canceled, "the premise to see the SA canceled");
        Assert.Equal(1, _store.Refused);
        Assert.Empty(await RemindersAsync(sa, FollowUpGrain<object>.FollowUpReminder));
    }

    [Fact]
    public async Task ServiceAgreementChange_WhosePremiseUpdateFailsTwice_IsRetriedByTheFollowUpReminder()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);

        _store.Refuse(premise.Value, times: 2);
        await Host.ServiceAgreement(sa).CancelAsync(Csr);

        var reminder = Assert.Single(await Polling.UntilAsync(
            () => RemindersAsync(sa, FollowUpGrain<object>.FollowUpReminder), r => r.Count > 0, "the follow-up reminder, set when the delivery failed too"));
        Assert.Equal(2, _store.Refused);
        Assert.Equal(ServiceAgreementStatus.PendingStart, (await OccupancyAsync(premise, sa)).Status);

        Host.Clock.SetUtcNow(reminder.DueAt);
        await Polling.UntilAsync(() => OccupancyAsync(premise, sa), o => o.Status == ServiceAgreementStatus.Canceled, "the premise to see the SA canceled");
        await Polling.UntilAsync(async () => (await RemindersAsync(sa, FollowUpGrain<object>.FollowUpReminder)).Count == 0, "the follow-up reminder to be removed");
    }

    [Fact]
    public async Task FieldActivityCompletion_WhoseServiceAgreementCannotTakeTheRead_ReachesIt_WhenTheCompletionComesBackFromTheOutbox()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);
        Host.SetDate(D.AddDays(-2));
        var fieldActivity = await StartFieldActivityAsync(sa);
        await Polling.UntilAsync(() => Host.ServiceAgreement(sa).GetAsync(), s => s.StartFieldActivityId == fieldActivity.Id, "the SA to record its start field activity");

        _store.Refuse(sa.Value, times: 1);
        Assert.Equal(FieldActivityStatus.Complete, (await Host.FieldActivity(fieldActivity.Id).CompleteAsync(100m, D.AddDays(-2), Csr)).Status);

        await Polling.UntilAsync(() => Host.ServiceAgreement(sa).GetAsync(), s => s.StartRead == 100m, "the SA to take the start read");
        Assert.Equal(1, _store.Refused);
    }

    private async Task<IReadOnlyList<ReminderRecord>> RemindersAsync(ServiceAgreementId sa, string name) =>
        [.. (await Host.Storage.ReadRemindersAsync(new GrainId("serviceagreement", sa.Value), CancellationToken.None)).Where(r => r.Name == name)];
}
