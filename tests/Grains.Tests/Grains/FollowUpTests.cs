using Actors.Grains.Abstractions;
using Actors.Grains.Tests.Infrastructure;
using Actors.Runtime;
using Actors.Runtime.Storage;

namespace Actors.Grains.Tests.Grains;

/// <summary>
/// A change's follow-ups in other grains happen even when they fail at first, or when the node goes away before it
/// tries them: the change comes back to its grain from the outbox, which sets the follow-up reminder, and the reminder
/// retries until they succeed. The store refuses the other grain's writes for a while to make the calls fail.
/// </summary>
public sealed class FollowUpTests : GrainTestBase
{
    private const string ServiceAgreementConsumer = "implicit:sa:serviceagreement";

    private RefusingStore _store = null!;

    protected override Func<IStorageProvider, IStorageProvider>? WrapStore => inner => (_store = RefusingStore.Wrap(inner)).Store;

    [Fact]
    public async Task ServiceAgreementChange_WhosePremiseUpdateFails_ReachesThePremise_OnceTheChangeComesBackFromTheOutbox()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);
        Assert.Equal(ServiceAgreementStatus.PendingStart, (await OccupancyAsync(premise, sa)).Status);

        _store.Refuse(premise.Value, times: 1);
        Assert.Equal(ServiceAgreementStatus.Canceled, (await Host.ServiceAgreement(sa).CancelAsync(Csr)).Status);

        // The clock stands still: the delivery set the reminder due at once.
        await Polling.UntilAsync(() => OccupancyAsync(premise, sa), o => o.Status == ServiceAgreementStatus.Canceled, "the premise to see the SA canceled");
        Assert.Equal(1, _store.Refused);
        await Polling.UntilAsync(async () => (await FollowUpRemindersAsync(sa)).Count == 0, "the follow-up reminder to be removed once done");
    }

    [Fact]
    public async Task ServiceAgreementChange_WhosePremiseUpdateFailsAgainOnTheReminder_IsRetriedUntilItSucceeds()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);

        _store.Refuse(premise.Value, times: 2);
        await Host.ServiceAgreement(sa).CancelAsync(Csr);

        await Polling.UntilAsync(() => OccupancyAsync(premise, sa), o => o.Status == ServiceAgreementStatus.Canceled, "the premise to see the SA canceled");
        Assert.Equal(2, _store.Refused);
        await Polling.UntilAsync(async () => (await FollowUpRemindersAsync(sa)).Count == 0, "the follow-up reminder to be removed once done");
    }

    [Fact]
    public async Task ServiceAgreementChange_WhoseNodeWentAwayBeforeItsFollowUps_ReachesThePremise_FromTheNodeThatTakesOver()
    {
        await RestartHostAsync(inner => (_store = RefusingStore.Wrap(inner, holdConsumer: ServiceAgreementConsumer)).Store);
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);

        // The first try fails and the change does not come back on this node: as if it died right after the commit.
        _store.Refuse(premise.Value, times: 1);
        await Host.ServiceAgreement(sa).CancelAsync(Csr);
        Assert.Equal(1, _store.Refused);
        Assert.Empty(await FollowUpRemindersAsync(sa));

        await RestartHostAsync();
        await Polling.UntilAsync(() => OccupancyAsync(premise, sa), o => o.Status == ServiceAgreementStatus.Canceled, "the premise to see the SA canceled");
    }

    [Fact]
    public async Task ServiceAgreementLoadedFromTheStore_WhoseOwnWriteComesBack_SetsNoFollowUpReminder()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);
        await RestartHostAsync(inner => (_store = RefusingStore.Wrap(inner)).Store);

        // The lead-time reminder loads the SA; the completion's read is a write of its own with an event, not a change.
        Host.SetDate(D.AddDays(-2));
        var fieldActivity = await StartFieldActivityAsync(sa);
        await Host.FieldActivity(fieldActivity.Id).CompleteAsync(100m, D.AddDays(-2), Csr);
        Assert.Equal(100m, (await Host.ServiceAgreement(sa).GetAsync()).StartRead);

        var logEnd = await Host.Storage.GetLastSequenceAsync(CancellationToken.None);
        await Polling.UntilAsync(
            async () => await Host.Storage.ReadCheckpointAsync(ServiceAgreementConsumer, CancellationToken.None) >= logEnd,
            "the SA's events to come back to it");
        Assert.Equal(0, _store.RemindersSet(sa.Value, FollowUpGrain<object>.FollowUpReminder));
    }

    [Fact]
    public async Task FieldActivityCompletion_WhoseServiceAgreementCannotTakeTheRead_ReachesIt_OnceTheCompletionComesBackFromTheOutbox()
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

    private async Task<IReadOnlyList<ReminderRecord>> FollowUpRemindersAsync(ServiceAgreementId sa) =>
        [.. (await Host.Storage.ReadRemindersAsync(new GrainId("serviceagreement", sa.Value), CancellationToken.None))
            .Where(r => r.Name == FollowUpGrain<object>.FollowUpReminder)];
}
