using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Tests.Infrastructure;

namespace Actors.Runtime.Tests.Diagnostics;

public sealed class MetricsTests() : NodeTestBase(StoreKind.Sqlite)
{
    [Fact]
    public async Task Meter_ReportsActivationsCallsStorageAndReminderLag()
    {
        var node = await StartNodeAsync();
        var meters = node.Get<IMeterFactory>();
        var measured = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Tests run in parallel: listen to this node's meter only.
            if (instrument.Meter.Name == RuntimeMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measured.AddOrUpdate(instrument.Name, value, (_, v) => Math.Max(v, value)));
        listener.Start();

        var grain = node.Grains.GetGrain<IReminderGrain>("metered");
        await grain.OneShotAsync("r", Start.AddMinutes(1), MissedTickPolicy.FireOnce);
        Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(3));
        await Probe.WaitUntilAsync(() => Probe.Get("delivered:metered:r") == 1, "the reminder");
        listener.RecordObservableInstruments();

        Assert.Equal(1, measured["actors.activations"]);
        Assert.True(measured["actors.calls"] >= 2);
        Assert.True(measured.ContainsKey("actors.call.duration"));
        Assert.True(measured.ContainsKey("actors.storage.duration"));
        Assert.Equal(3000, measured["actors.reminder.lag"]);
        Assert.Equal(1, measured["actors.reminders.delivered"]);
    }
}
