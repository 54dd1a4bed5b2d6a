using Actors.Grains.Abstractions;
using Actors.Grains.Tests.Infrastructure;

namespace Actors.Grains.Tests.Grains;

public sealed class ConcurrencyTests : GrainTestBase
{
    [Fact]
    public async Task ConcurrentMoveInsWithDuplicateRequests_CreateOneSaEach_AndEachActivatesExactlyOnce()
    {
        const int count = 20;
        var premises = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Host.NewPremiseAsync()));
        var accounts = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Host.NewAccountAsync()));

        // Every request is sent twice at once, as a client retrying after a lost response would.
        var starts = await Task.WhenAll(Enumerable.Range(0, count * 2).Select(i =>
            Host.Account(accounts[i % count]).StartServiceAsync(premises[i % count], D, [ServiceType.Electric], $"req-{i % count}", Csr)));
        var ids = starts.Take(count).Select(s => Assert.Single(s.ServiceAgreements).Id).ToList();
        Host.SetDate(D.AddDays(-2));
        var activities = await Task.WhenAll(ids.Select(StartFieldActivityAsync));
        await Task.WhenAll(activities.Select(a => Host.FieldActivity(a.Id).CompleteAsync(10m, D.AddDays(-2), Csr)));
        Host.SetDate(D);
        foreach (var id in ids)
        {
            await Polling.UntilAsync(() => Host.ServiceAgreement(id).GetAsync(), s => s.Status == ServiceAgreementStatus.Active, $"{id} to activate");
        }

        Assert.Equal(ids, starts.Skip(count).Select(s => s.ServiceAgreements.Single().Id));
        foreach (var (account, premise, id) in accounts.Zip(premises, ids))
        {
            Assert.Equal([id], (await Host.Account(account).GetAsync()).ServiceAgreements.Select(s => s.Id));
            Assert.Equal([id], (await Host.Premise(premise).GetAsync()).ServicePoints.Single().ServiceAgreements.Select(o => o.ServiceAgreementId));
            var history = (await Host.HistoryAsync("sa", id.Value)).Select(e => e.Type).ToList();
            Assert.Equal(1, history.Count(t => t == "ServiceAgreementCreated"));
            Assert.Equal(1, history.Count(t => t == "ServiceAgreementActivated"));
        }
    }
}
