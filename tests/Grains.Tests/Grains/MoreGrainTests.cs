using Actors.Grains.Abstractions;
using Actors.Grains.Tests.Infrastructure;

namespace Actors.Grains.Tests.Grains;

public sealed class ToDoAndFieldActivityTests : GrainTestBase
{
    [Fact]
    public async Task ToDo_IsAssignedCompletedAndForwarded_ForwardingReopensIt()
    {
        var id = ToDoId.New();
        var toDo = Host.ToDo(id);
        await toDo.CreateAsync(new CreateToDo(ToDoType.AgedPendingStart, new ToDoSubject("ServiceAgreement", "SA-0123456789"), "Look at this"), Csr);

        var assigned = await toDo.AssignAsync("csr:bob", Csr);
        var completed = await toDo.CompleteAsync(new Actor("csr:bob", null, "called the customer"));
        var assignComplete = await ThrowsDomainAsync(DomainErrorCode.IllegalTransition, () => toDo.AssignAsync("csr:carol", Csr));
        var forwarded = await toDo.ForwardAsync("Field Supervisor", Csr);

        Assert.Equal((ToDoStatus.BeingWorked, "csr:bob"), (assigned.Status, assigned.AssignedTo));
        Assert.Equal((ToDoStatus.Complete, "called the customer", "csr:bob"), (completed.Status, completed.Resolution, completed.CompletedBy));
        Assert.Contains("Complete", assignComplete.Message, StringComparison.Ordinal);
        Assert.Equal((ToDoStatus.Open, "Field Supervisor", (string?)null, (string?)null), (forwarded.Status, forwarded.Role, forwarded.AssignedTo, forwarded.Resolution));
        Assert.Equal(["ToDoCreated", "ToDoAssigned", "ToDoCompleted", "ToDoForwarded"], (await Host.HistoryAsync("todo", id.Value)).Select(e => e.Type));
    }

    [Fact]
    public async Task ResolvingAToDoThatWasNeverCreated_DoesNothing()
    {
        var id = ToDoId.New();

        await Host.ToDo(id).ResolveAsync("nothing to do", Actor.System("test"));

        await ThrowsDomainAsync(DomainErrorCode.NotFound, () => Host.ToDo(id).GetAsync());
        Assert.Empty(await Host.HistoryAsync("todo", id.Value));
    }

    [Fact]
    public async Task FieldActivityCanceledByACsr_IsWhatTheActivationExceptionReports()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);
        Host.SetDate(D.AddDays(-2));
        var activity = await StartFieldActivityAsync(sa);

        await Host.FieldActivity(activity.Id).CancelAsync(new Actor("csr:bob", "no access to the meter"));
        Host.SetDate(D);
        var toDo = await DomainPolling.UntilExistsAsync(() => Host.ToDo(ToDoId.For(sa, "activation")).GetAsync(), "the activation exception To Do");

        Assert.Contains($"start field activity {activity.Id} was canceled", toDo.Message, StringComparison.Ordinal);
        await ThrowsDomainAsync(DomainErrorCode.IllegalTransition, () => Host.FieldActivity(activity.Id).CompleteAsync(1m, D, Csr));
    }

    [Fact]
    public async Task MovingAStopDate_ReschedulesItsFieldActivity_AndWithdrawingTheStopCancelsIt()
    {
        var premise = await Host.NewPremiseAsync();
        var (account, sa) = await ActiveTenantAsync(premise);
        await Host.Account(account).StopServiceAsync(premise, D.AddDays(10), null, Csr);
        Host.SetDate(D.AddDays(8));
        var stopId = FieldActivityId.For(sa, FieldActivityKind.Stop);
        await DomainPolling.UntilExistsAsync(() => Host.FieldActivity(stopId).GetAsync(), "the stop field activity");

        var moved = await Host.ServiceAgreement(sa).StopAsync(D.AddDays(12), Csr);
        var rescheduled = await Polling.UntilAsync(
            () => Host.FieldActivity(stopId).GetAsync(), f => f.ScheduledDate == D.AddDays(12), "the stop field activity to move to the new date");
        var withdrawn = await Host.ServiceAgreement(sa).WithdrawStopAsync(new Actor("csr:bob", "customer stays"));
        Host.SetDate(D.AddDays(12));
        var stillActive = await Host.ServiceAgreement(sa).GetAsync();

        Assert.Equal((ServiceAgreementStatus.PendingStop, (DateOnly?)D.AddDays(12)), (moved.Status, moved.StopDate));
        Assert.Equal(FieldActivityStatus.Pending, rescheduled.Status);
        Assert.Equal((ServiceAgreementStatus.Active, (DateOnly?)null), (withdrawn.Status, withdrawn.StopDate));
        Assert.Equal(FieldActivityStatus.Canceled, (await Host.FieldActivity(stopId).GetAsync()).Status);
        Assert.Equal((ServiceAgreementStatus.Active, 0), (stillActive.Status, stillActive.ToDoIds.Count));
        Assert.Contains("FieldActivityRescheduled", (await Host.HistoryAsync("fa", stopId.Value)).Select(e => e.Type));
    }

    [Fact]
    public async Task StoppingAPendingStart_IsIllegal_CancelItInstead()
    {
        var premise = await Host.NewPremiseAsync();
        var (account, sa) = await MoveInAsync(premise, D);

        await ThrowsDomainAsync(DomainErrorCode.IllegalTransition, () => Host.ServiceAgreement(sa).StopAsync(D.AddDays(5), Csr));
        var viaAccount = await ThrowsDomainAsync(DomainErrorCode.Conflict, () => Host.Account(account).StopServiceAsync(premise, D.AddDays(5), null, Csr));

        Assert.Equal("premiseId", viaAccount.Field);
    }

    [Fact]
    public async Task ChildPremise_IsRecordedOnItsParent_AndAnUnknownParentIsInvalid()
    {
        var parent = await Host.NewPremiseAsync();
        var child = PremiseId.New();
        var points = new[] { new ServicePointInput(ServiceType.Water) };

        await Host.Premise(child).CreateAsync(new CreatePremise(new Address("1 Main St Apt 2", "Springfield", "CA", "94107"), points, parent), Csr);
        var orphan = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => Host.Premise(PremiseId.New()).CreateAsync(
            new CreatePremise(new Address("3 Elm St", "Springfield", "CA", "94107"), points, PremiseId.New()), Csr));

        Assert.Equal([child], (await Host.Premise(parent).GetAsync()).ChildPremiseIds);
        Assert.Equal(parent, (await Host.Premise(child).GetAsync()).ParentPremiseId);
        Assert.Equal("parentPremiseId", orphan.Field);
    }
}

public sealed class TimeZoneAndLeadZeroTests : GrainTestBase
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Utility:TimeZone"] = "America/New_York",
        ["Utility:FieldActivityLeadDays"] = "0",
    };

    [Fact]
    public async Task LeadZero_CreatesTheFieldActivityAtOnce_AndActivationWaitsForLocalMidnight()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);

        var activity = await StartFieldActivityAsync(sa);
        Host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 3, 59, 0, TimeSpan.Zero));
        await Host.FieldActivity(activity.Id).CompleteAsync(42m, new DateOnly(2026, 3, 9), Csr);
        var beforeMidnight = await Host.ServiceAgreement(sa).GetAsync();
        Host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 4, 0, 0, TimeSpan.Zero));
        var active = await Polling.UntilAsync(() => Host.ServiceAgreement(sa).GetAsync(), s => s.Status == ServiceAgreementStatus.Active, "activation at local midnight");

        Assert.Equal(DomainHost.Start, activity.CreatedAt);
        Assert.Equal((ServiceAgreementStatus.PendingStart, (decimal?)42m), (beforeMidnight.Status, beforeMidnight.StartRead));
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 4, 0, 0, TimeSpan.Zero), active.ActivatedAt);
    }
}
