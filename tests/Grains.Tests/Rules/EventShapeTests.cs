using Actors.Grains.Abstractions.Events;

namespace Actors.Grains.Tests.Rules;

public sealed class EventShapeTests
{
    private static readonly Type[] Events = [.. typeof(DomainEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(DomainEvent)))];

    [Fact]
    public void EveryEvent_IsSealed_InTheEventsNamespace()
    {
        Assert.NotEmpty(Events);
        Assert.All(Events, t =>
        {
            Assert.True(t.IsSealed, $"{t.Name} is not sealed");
            Assert.Equal("Actors.Grains.Abstractions.Events", t.Namespace);
        });
    }

    [Fact]
    public void EventNames_AreUnique_SoTheOutboxTypeNameIdentifiesThem() =>
        Assert.Equal(Events.Length, Events.Select(t => t.Name).Distinct().Count());
}
