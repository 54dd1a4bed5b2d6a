using Actors.Api.Tests.Infrastructure;

namespace Actors.Api.Tests.Dashboard;

/// <summary>
/// The CSR dashboard in a real browser (Debian's Chromium, driven by playwright-core from Node) against a real silo:
/// what a CSR sees change on screen when the engine's state changes, and the problem details beside the fields.
/// The steps are in <c>browser/dashboard.mjs</c>; its output is printed when it fails.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(4);

    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync(Store.Sqlite);

    public Task DisposeAsync() => _silo.DisposeAsync().AsTask();

    /// <summary>
    /// Sign in, search, open the account, start service through the form: PENDING_START appears. Then the test moves
    /// the world through the API (reads, clock): with no reload the SAs turn Active and the alert clears, and a second
    /// tab on the To Do queue sees the activation exception of another customer arrive, assigns and completes it.
    /// The account view with its live alerts is the README's screenshot (docs/dashboard.png).
    /// </summary>
    [Fact]
    public async Task AccountView_ShowsAlertsAndServiceAgreementsLive_AndTheToDoQueueUpdates()
    {
        var screenshot = Path.Combine(BrowserScript.RepositoryRoot, "docs", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var before = DateTime.UtcNow;

        await RunScenarioAsync("live", new Dictionary<string, string> { ["SCREENSHOT"] = screenshot });

        Assert.True(File.GetLastWriteTimeUtc(screenshot) >= before.AddSeconds(-1), $"{screenshot} was not written by this run");
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"{screenshot} is too small to be a picture of the dashboard");
    }

    /// <summary>
    /// A refused sign-in, a start with no service type and with a date far in the past, a field activity without a
    /// read, a negative read and a future read date, an SA cancel without a reason: each problem's message stands
    /// beside its field, and nothing was changed.
    /// </summary>
    [Fact]
    public Task Forms_ShowTheProblemMessageBesideTheField() => RunScenarioAsync("bad-input");

    /// <summary>
    /// The hub connection drops and cannot come back for a while; service is started meanwhile. The header says
    /// Reconnecting…, the page reconnects by itself, watches again and shows the SAs and the alert it missed, then
    /// follows the account live again, all without a reload.
    /// </summary>
    [Fact]
    public Task AccountView_AfterTheConnectionDrops_ReconnectsAndShowsWhatChangedMeanwhile() => RunScenarioAsync("reconnect");

    private async Task RunScenarioAsync(string scenario, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["DASHBOARD_URL"] = _silo.BaseAddress.ToString().TrimEnd('/'),
            ["CSR_USER"] = "csr",
            ["CSR_PASSWORD"] = "csr-pass",
            ["ADMIN_USER"] = "admin",
            ["ADMIN_PASSWORD"] = "admin-pass",
            ["SCENARIO"] = scenario,
            ["CHROMIUM"] = BrowserScript.Chromium,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var (exitCode, output) = await BrowserScript.RunAsync(environment, ScriptTimeout);
        Assert.True(exitCode == 0, $"The browser scenario '{scenario}' failed (exit code {exitCode}):\n{output}");
    }
}
