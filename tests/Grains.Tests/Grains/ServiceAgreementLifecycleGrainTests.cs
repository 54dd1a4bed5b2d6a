using System.Text.Json;
using Actors.Grains.Abstractions;
using Actors.Grains.Tests.Infrastructure;

namespace Actors.Grains.Tests.Grains;

public sealed class ServiceAgreementLifecycleGrainTests : GrainTestBase
{
    [Fact]
    public async Task StartFieldActivity_IsCreatedLeadDaysBeforeTheStartDate()
    {
        var premise = await Host.NewPremiseAsync();
        var (account, sa) = await MoveInAsync(premise, D);

        Host.SetDate(D.AddDays(-2), TimeSpan.FromMinutes(-1));
        var before = await Host.ServiceAgreement(sa).GetAsync();
        Host.SetDate(D.AddDays(-2));
        var activity = await StartFieldActivityAsync(sa);

        Assert.Null(before.StartFieldActivityId);
        Assert.Equal(
            (sa, account, premise, ServicePointId.For(premise, ServiceType.Electric), FieldActivityKind.Start, D, FieldActivityStatus.Pending),
            (activity.ServiceAgreementId, activity.AccountId, activity.PremiseId, activity.ServicePointId, activity.Kind, activity.ScheduledDate, activity.Status));
        await Polling.UntilAsync(() => Host.ServiceAgreement(sa).GetAsync(), s => s.StartFieldActivityId == activity.Id, "the SA to record its start field activity");
    }

    [Fact]
    public async Task Activation_AtTheStartDate_WhenTheStartReadExists()
    {
        var premise = await Host.NewPremiseAsync();
        var (account, sa) = await MoveInAsync(premise, D);
        Host.SetDate(D.AddDays(-2));
        var activity = await StartFieldActivityAsync(sa);

        await Host.FieldActivity(activity.Id).CompleteAsync(1234.5m, D.AddDays(-2), Csr);
        var early = await Host.ServiceAgreement(sa).GetAsync();
        Host.SetDate(D);
        var active = await Polling.UntilAsync(() => Host.ServiceAgreement(sa).GetAsync(), s => s.Status == ServiceAgreementStatus.Active, "activation at the start date");

        Assert.Equal((ServiceAgreementStatus.PendingStart, (decimal?)1234.5m), (early.Status, early.StartRead));
        Assert.Equal((1234.5m, D.AddDays(-2)), (active.StartRead, active.StartReadOn));
        Assert.Equal(Host.Clock.GetUtcNow(), active.ActivatedAt);
        Assert.Empty(active.ToDoIds);
        await Polling.UntilAsync(() => Host.Account(account).GetAsync(), a => a.ServiceAgreements.Single().Status == ServiceAgreementStatus.Active, "the account summary");
        var history = await Host.HistoryAsync("sa", sa.Value);
        Assert.Equal(["ServiceAgreementCreated", "ServiceAgreementReadRecorded", "ServiceAgreementActivated"], history.Select(e => e.Type));
        Assert.Equal(["csr:alice", "csr:alice", "system:activate"], history.Select(Actor));
    }

    [Fact]
    public async Task Activation_WhenTheStartReadIsMissing_CreatesAnExceptionToDo_AndCompletingTheFieldActivityLaterActivatesAtOnce()
    {
        var premise = await Host.NewPremiseAsync();
        var (account, sa) = await MoveInAsync(premise, D);
        Host.SetDate(D.AddDays(-2));
        var activity = await StartFieldActivityAsync(sa);

        Host.SetDate(D);
        var toDoId = ToDoId.For(sa, "activation");
        var toDo = await DomainPolling.UntilExistsAsync(() => Host.ToDo(toDoId).GetAsync(), "the activation exception To Do");
        var pending = await Host.ServiceAgreement(sa).GetAsync();
        await Host.FieldActivity(activity.Id).CompleteAsync(2000m, D, Csr);
        var active = await Host.ServiceAgreement(sa).GetAsync();
        var resolved = await Host.ToDo(toDoId).GetAsync();

        Assert.Equal(
            (ToDoType.ActivationException, ToDoStatus.Open, "CSR", ToDoPriority.High, ToDoSubject.ServiceAgreement(sa), (AccountId?)account),
            (toDo.Type, toDo.Status, toDo.Role, toDo.Priority, toDo.Subject, toDo.AccountId));
        Assert.Contains($"start field activity {activity.Id} is not complete", toDo.Message, StringComparison.Ordinal);
        Assert.Equal(ServiceAgreementStatus.PendingStart, pending.Status);
        Assert.Equal([toDoId], pending.ToDoIds);
        Assert.Equal((ServiceAgreementStatus.Active, (decimal?)2000m), (active.Status, active.StartRead));
        Assert.Equal(ToDoStatus.Complete, resolved.Status);
        Assert.Contains("Active", resolved.Resolution, StringComparison.Ordinal);
        Assert.Equal(
            ["ServiceAgreementCreated", "ServiceAgreementActivationDelayed", "ServiceAgreementReadRecorded", "ServiceAgreementActivated"],
            (await Host.HistoryAsync("sa", sa.Value)).Select(e => e.Type));
        Assert.Equal(["ToDoCreated", "ToDoCompleted"], (await Host.HistoryAsync("todo", toDoId.Value)).Select(e => e.Type));
    }

    [Fact]
    public async Task AgedPendingStart_CreatesAToDo_AgedPendingDaysAfterTheStartDate()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);
        Host.SetDate(D.AddDays(-2));
        await StartFieldActivityAsync(sa);
        Host.SetDate(D);
        await DomainPolling.UntilExistsAsync(() => Host.ToDo(ToDoId.For(sa, "activation")).GetAsync(), "the activation exception To Do");

        Host.SetDate(D.AddDays(3), TimeSpan.FromMinutes(-1));
        var before = await Host.ServiceAgreement(sa).GetAsync();
        Host.SetDate(D.AddDays(3));
        var aged = await DomainPolling.UntilExistsAsync(() => Host.ToDo(ToDoId.For(sa, "aged-start")).GetAsync(), "the aged pending start To Do");

        Assert.Single(before.ToDoIds);
        Assert.Equal((ToDoType.AgedPendingStart, ToDoStatus.Open), (aged.Type, aged.Status));
        Assert.Contains("still pending start 3 days after its start date 2026-03-10", aged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_FinalizesAtTheStopDateWithTheStopRead_AndFlagsTheAccountForAFinalBill()
    {
        var premise = await Host.NewPremiseAsync();
        var (account, sa) = await ActiveTenantAsync(premise);
        var stopDate = D.AddDays(10);

        var stop = await Host.Account(account).StopServiceAsync(premise, stopDate, null, Csr);
        Host.SetDate(stopDate.AddDays(-2));
        var stopActivity = await DomainPolling.UntilExistsAsync(
            () => Host.FieldActivity(FieldActivityId.For(sa, FieldActivityKind.Stop)).GetAsync(), "the stop field activity");
        await Host.FieldActivity(stopActivity.Id).CompleteAsync(950m, stopDate.AddDays(-2), Csr);
        var beforeStopDate = await Host.ServiceAgreement(sa).GetAsync();
        Host.SetDate(stopDate);
        var stopped = await Polling.UntilAsync(() => Host.ServiceAgreement(sa).GetAsync(), s => s.Status == ServiceAgreementStatus.Stopped, "finalization at the stop date");
        var final = await Polling.UntilAsync(() => Host.Account(account).GetAsync(), a => a.FinalBillRequired, "the final bill flag");

        Assert.Equal((ServiceAgreementStatus.PendingStop, (DateOnly?)stopDate), (Assert.Single(stop.ServiceAgreements).Status, stop.ServiceAgreements[0].StopDate));
        Assert.Equal(stopDate, stopActivity.ScheduledDate);
        Assert.Equal((ServiceAgreementStatus.PendingStop, (decimal?)950m), (beforeStopDate.Status, beforeStopDate.StopRead));
        Assert.Equal((stopDate, (decimal?)950m), (stopped.StopDate, stopped.StopRead));
        Assert.Equal(ServiceAgreementStatus.Stopped, final.ServiceAgreements.Single().Status);
        Assert.Contains("AccountFlaggedForFinalBill", (await Host.HistoryAsync("account", account.Value)).Select(e => e.Type));
    }

    [Fact]
    public async Task Finalization_WhenTheStopReadIsMissing_CreatesAToDo_ThatTheLateReadResolves()
    {
        var premise = await Host.NewPremiseAsync();
        var (account, sa) = await ActiveTenantAsync(premise);
        var stopDate = D.AddDays(10);
        await Host.Account(account).StopServiceAsync(premise, stopDate, null, Csr);
        Host.SetDate(stopDate.AddDays(-2));
        var stopActivity = await DomainPolling.UntilExistsAsync(
            () => Host.FieldActivity(FieldActivityId.For(sa, FieldActivityKind.Stop)).GetAsync(), "the stop field activity");

        Host.SetDate(stopDate);
        var toDoId = ToDoId.For(sa, "finalization");
        var toDo = await DomainPolling.UntilExistsAsync(() => Host.ToDo(toDoId).GetAsync(), "the finalization exception To Do");
        await Host.FieldActivity(stopActivity.Id).CompleteAsync(990m, stopDate, Csr);

        Assert.Equal((ToDoType.FinalizationException, ToDoStatus.Open), (toDo.Type, toDo.Status));
        Assert.Equal(ServiceAgreementStatus.Stopped, (await Host.ServiceAgreement(sa).GetAsync()).Status);
        Assert.Equal(ToDoStatus.Complete, (await Host.ToDo(toDoId).GetAsync()).Status);
    }

    [Fact]
    public async Task ManualActivation_NeedsAReason_AndTheStartDate()
    {
        var premise = await Host.NewPremiseAsync();
        var (_, sa) = await MoveInAsync(premise, D);

        var noReason = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => Host.ServiceAgreement(sa).ActivateAsync(new Actor("csr:bob")));
        var tooEarly = await ThrowsDomainAsync(DomainErrorCode.Invalid, () => Host.ServiceAgreement(sa).ActivateAsync(new Actor("csr:bob", "meter read by phone")));
        Host.SetDate(D.AddDays(-2));
        await StartFieldActivityAsync(sa);
        Host.SetDate(D);
        await DomainPolling.UntilExistsAsync(() => Host.ToDo(ToDoId.For(sa, "activation")).GetAsync(), "the activation exception To Do");
        var active = await Host.ServiceAgreement(sa).ActivateAsync(new Actor("csr:bob", "meter read by phone"));
        var again = await ThrowsDomainAsync(DomainErrorCode.IllegalTransition, () => Host.ServiceAgreement(sa).ActivateAsync(new Actor("csr:bob", "again")));

        Assert.Equal(("reason", "startDate"), (noReason.Field, tooEarly.Field));
        Assert.Equal(ServiceAgreementStatus.Active, active.Status);
        Assert.Equal(ToDoStatus.Complete, (await Host.ToDo(ToDoId.For(sa, "activation")).GetAsync()).Status);
        Assert.Contains("Active", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinancialTransactions_CloseAStoppedSaAtZeroBalance_AndReactivateAClosedOne()
    {
        var premise = await Host.NewPremiseAsync();
        var (account, sa) = await ActiveTenantAsync(premise);
        var grain = Host.ServiceAgreement(sa);
        await grain.RecordFinancialTransactionAsync(new FinancialTransaction("bill-1", FinancialTransactionKind.BillSegment, new Money(80m)), Csr);
        var cancelActive = await ThrowsDomainAsync(DomainErrorCode.Conflict, () => grain.CancelAsync(new Actor("csr:bob", "wrong customer")));
        await Host.Account(account).StopServiceAsync(premise, D, null, new Actor("csr:bob", "moved out"));
        await Host.FieldActivity(Assert.IsType<FieldActivityId>((await Polling.UntilAsync(
            () => grain.GetAsync(), s => s.StopFieldActivityId is not null, "the stop field activity")).StopFieldActivityId)).CompleteAsync(300m, D, Csr);

        var stopped = await grain.GetAsync();
        var closed = await grain.RecordFinancialTransactionAsync(new FinancialTransaction("pay-1", FinancialTransactionKind.Payment, new Money(-80m)), Csr);
        var reactivated = await grain.RecordFinancialTransactionAsync(new FinancialTransaction("adj-1", FinancialTransactionKind.Adjustment, new Money(5m)), Csr);

        Assert.Contains("financial transactions", cancelActive.Message, StringComparison.Ordinal);
        Assert.Equal((ServiceAgreementStatus.Stopped, 80m), (stopped.Status, stopped.Balance.Amount));
        Assert.Equal((ServiceAgreementStatus.Closed, 0m), (closed.Status, closed.Balance.Amount));
        Assert.Equal((ServiceAgreementStatus.Reactivated, 5m), (reactivated.Status, reactivated.Balance.Amount));
    }

    private static string? Actor(Runtime.Storage.StoredEvent stored)
    {
        using var payload = JsonDocument.Parse(stored.Payload);
        return payload.RootElement.GetProperty("actor").GetString();
    }
}
