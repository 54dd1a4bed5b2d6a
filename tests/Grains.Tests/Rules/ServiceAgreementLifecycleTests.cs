using Actors.Grains.Abstractions;
using Actors.Grains.Rules;
using static Actors.Grains.Abstractions.ServiceAgreementStatus;

namespace Actors.Grains.Tests.Rules;

public sealed class ServiceAgreementLifecycleTests
{
    /// <summary>Every allowed transition; anything not listed is illegal.</summary>
    private static readonly Dictionary<(ServiceAgreementStatus, ServiceAgreementAction), ServiceAgreementStatus> Allowed = new()
    {
        [(PendingStart, ServiceAgreementAction.Activate)] = Active,
        [(PendingStart, ServiceAgreementAction.Cancel)] = Canceled,
        [(Active, ServiceAgreementAction.RequestStop)] = PendingStop,
        [(Active, ServiceAgreementAction.Cancel)] = Canceled,
        [(PendingStop, ServiceAgreementAction.RequestStop)] = PendingStop,
        [(PendingStop, ServiceAgreementAction.WithdrawStop)] = Active,
        [(PendingStop, ServiceAgreementAction.Finalize)] = Stopped,
        [(PendingStop, ServiceAgreementAction.Cancel)] = Canceled,
        [(Stopped, ServiceAgreementAction.Close)] = Closed,
        [(Closed, ServiceAgreementAction.Reactivate)] = Reactivated,
        [(Reactivated, ServiceAgreementAction.Close)] = Closed,
    };

    public static TheoryData<ServiceAgreementStatus, ServiceAgreementAction> AllPairs()
    {
        var data = new TheoryData<ServiceAgreementStatus, ServiceAgreementAction>();
        foreach (var status in Enum.GetValues<ServiceAgreementStatus>())
        {
            foreach (var action in Enum.GetValues<ServiceAgreementAction>())
            {
                data.Add(status, action);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Next_FollowsTheStateMachine(ServiceAgreementStatus from, ServiceAgreementAction action)
    {
        var expected = Allowed.TryGetValue((from, action), out var to) ? to : (ServiceAgreementStatus?)null;

        Assert.Equal(expected, ServiceAgreementLifecycle.Next(from, action));
    }

    [Fact]
    public void Transition_WhenIllegal_ThrowsIllegalTransitionNamingStatusAndAction()
    {
        var id = ServiceAgreementId.Parse("SA-0123456789");

        var ex = Assert.Throws<DomainException>(() => ServiceAgreementLifecycle.Transition(id, PendingStart, ServiceAgreementAction.RequestStop));

        Assert.Equal(DomainErrorCode.IllegalTransition, ex.Code);
        Assert.Contains("SA-0123456789 is PendingStart", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Canceled_IsFinal()
    {
        Assert.All(Enum.GetValues<ServiceAgreementAction>(), a => Assert.False(ServiceAgreementLifecycle.IsAllowed(Canceled, a)));
    }

    [Theory]
    [InlineData(PendingStart, true)]
    [InlineData(Active, true)]
    [InlineData(PendingStop, true)]
    [InlineData(Stopped, false)]
    [InlineData(Closed, false)]
    [InlineData(Reactivated, false)]
    [InlineData(Canceled, false)]
    public void IsInService_CountsPendingAndActiveOnly(ServiceAgreementStatus status, bool expected) =>
        Assert.Equal(expected, ServiceAgreementLifecycle.IsInService(status));
}
