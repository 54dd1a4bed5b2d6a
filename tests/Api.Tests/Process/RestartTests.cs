using Actors.Api.Contracts;
using Actors.Api.Tests.Infrastructure;
using Actors.Grains.Abstractions;

namespace Actors.Api.Tests.Process;

/// <summary>
/// The reminders that replace the batch monitors live in the store, not in the silo: a silo restarted in the middle
/// of pending starts picks them up and activates every SA exactly once.
/// </summary>
public sealed class RestartTests : IAsyncLifetime
{
    private static readonly DateOnly StartDate = new(2026, 3, 12);

    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync(Store.Postgres);

    public Task DisposeAsync() => _silo.DisposeAsync().AsTask();

    [Fact]
    public async Task RestartsInTheMiddleOfPendingStarts_StillActivateEachSaExactlyOnce()
    {
        var sas = new List<string>();
        using (var care = await CustomerCare.SignInAsync(_silo))
        {
            for (var i = 0; i < 6; i++)
            {
                var premise = await care.CreatePremiseAsync($"{i + 1} Restart Row", "62701", "Electric");
                var (_, account) = await care.CreateCustomerAsync($"Customer {i}");
                sas.Add((await care.StartAsync(account.Id, premise.Id, StartDate, ["Electric"])).ServiceAgreements[0].Id);
            }
        }

        // Restart before the field activities are due: the new silo creates them.
        await _silo.RestartAsync();
        IReadOnlyList<FieldActivityResponse> activities;
        using (var care = await CustomerCare.SignInAsync(_silo))
        {
            await care.MoveClockAsync(StartDate.AddDays(-2));
            activities = await care.FieldActivitiesAsync("status=Pending");
            Assert.Equal(sas.Order(), activities.Select(f => f.ServiceAgreementId).Order());
            foreach (var activity in activities.Where(f => sas.IndexOf(f.ServiceAgreementId) % 2 == 0))
            {
                await care.CompleteFieldActivityAsync(activity.Id, 42m, StartDate.AddDays(-2));
            }
        }

        // Restart between the reads and the start date: the activation reminders fire on the new silo.
        await _silo.RestartAsync();
        using (var care = await CustomerCare.SignInAsync(_silo))
        {
            await care.MoveClockAsync(StartDate);
            foreach (var (sa, i) in sas.Select((sa, i) => (sa, i)))
            {
                var expected = i % 2 == 0 ? ServiceAgreementStatus.Active : ServiceAgreementStatus.PendingStart;
                Assert.Equal(expected, (await care.GetServiceAgreementAsync(sa)).Status);
            }

            Assert.Equal(3, (await care.ToDosAsync("type=ActivationException&status=Open")).Count);
            foreach (var activity in activities.Where(f => sas.IndexOf(f.ServiceAgreementId) % 2 == 1))
            {
                await care.CompleteFieldActivityAsync(activity.Id, 43m, StartDate);
            }
        }

        // And once more, past the aged-pending date: nothing is pending, nothing fires twice.
        await _silo.RestartAsync();
        using (var care = await CustomerCare.SignInAsync(_silo))
        {
            await care.MoveClockAsync(StartDate.AddDays(4));
            foreach (var sa in sas)
            {
                Assert.Equal(ServiceAgreementStatus.Active, (await care.GetServiceAgreementAsync(sa)).Status);
                Assert.Equal(1, await care.CountEventsAsync($"sa/{sa}", "ServiceAgreementActivated"));
            }

            Assert.Empty(await care.ToDosAsync("type=AgedPendingStart"));
            Assert.All(await care.ToDosAsync("type=ActivationException"), t => Assert.Equal(ToDoStatus.Complete, t.Status));
        }
    }
}
