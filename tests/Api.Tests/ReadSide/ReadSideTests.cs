using Actors.Api.Contracts;
using Actors.Api.Tests.Infrastructure;

namespace Actors.Api.Tests.ReadSide;

/// <summary>Control Central search and the event log, fed by the outbox.</summary>
public sealed class ReadSideTests : IAsyncLifetime
{
    private static readonly DateOnly StartDate = new(2026, 3, 20);

    private TestSilo _silo = null!;
    private CustomerCare _care = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync(Store.Sqlite);
        _care = await CustomerCare.SignInAsync(_silo);
    }

    public async Task DisposeAsync()
    {
        _care.Dispose();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task Search_FindsCustomersByNamePhoneAddressAndIds()
    {
        var (quinn, quinnAccount) = await _care.CreateCustomerAsync("Quinn Harlow", "(217) 555-0177");
        var (rosa, rosaAccount) = await _care.CreateCustomerAsync("Rosa Harlow-Diaz", "217-555-0188");
        var lonely = await _care.CreatePersonAsync("Sam Nobody");
        var maple = await _care.CreatePremiseAsync("77 Maple Drive", "62701", "Electric");
        var vacant = await _care.CreatePremiseAsync("5 Vacant Court", "62702", "Gas");
        await _care.StartAsync(quinnAccount.Id, maple.Id, StartDate, ["Electric"]);
        var mapleAddress = "77 Maple Drive, Springfield, IL 62701";

        SearchResult quinnAtMaple = new(quinn.Id, "Quinn Harlow", quinnAccount.Id, maple.Id, mapleAddress);
        SearchResult rosaNowhere = new(rosa.Id, "Rosa Harlow-Diaz", rosaAccount.Id, null, null);
        await ExpectAsync("harlow", [quinnAtMaple, rosaNowhere]);
        await ExpectAsync("555-0177", [quinnAtMaple]);
        await ExpectAsync("2175550188", [rosaNowhere]);
        await ExpectAsync("maple dr", [quinnAtMaple]);
        await ExpectAsync(quinnAccount.Id, [quinnAtMaple]);
        await ExpectAsync(maple.Id.ToLowerInvariant(), [quinnAtMaple]);
        await ExpectAsync(vacant.Id, [new SearchResult(null, null, null, vacant.Id, "5 Vacant Court, Springfield, IL 62702")]);
        await ExpectAsync("Sam Nob", [new SearchResult(lonely.Id, "Sam Nobody", null, null, null)]);
        await ExpectAsync("zzzz", []);
    }

    [Fact]
    public async Task TheEventLog_PagesInCommitOrder_AndFiltersByStream()
    {
        var first = await _care.CreatePersonAsync("Tia Log");
        var second = await _care.CreatePersonAsync("Uma Log");
        var all = await _care.EventsAsync(0);
        var created = all.Events.Where(e => e.Type == "PersonCreated").ToList();
        Assert.Equal([$"person/{first.Id}", $"person/{second.Id}"], created.Select(e => e.Stream));
        Assert.Equal("Tia Log", created[0].Data.GetProperty("name").GetString());
        Assert.True(all.Events.Zip(all.Events.Skip(1)).All(p => p.First.Seq < p.Second.Seq), "events are in sequence order");

        var page = await _care.Csr.GetAsync<EventPage>($"/api/events?after={created[0].Seq - 1}&limit=1");
        Assert.Equal([created[0].Seq], page.Events.Select(e => e.Seq));
        Assert.Equal((created[0].Seq, true), (page.Last, page.HasMore));
        var rest = await _care.EventsAsync(page.Last);
        Assert.DoesNotContain(rest.Events, e => e.Seq <= page.Last);
        Assert.Contains(rest.Events, e => e.Seq == created[1].Seq);
        var empty = await _care.EventsAsync(all.Last);
        Assert.Equal((0, all.Last, false), (empty.Events.Count, empty.Last, empty.HasMore));

        var stream = await _care.EventsAsync(0, $"person/{second.Id}");
        Assert.Equal([created[1].Seq], stream.Events.Select(e => e.Seq));
        var history = await _care.Csr.GetAsync<IReadOnlyList<HistoryEntry>>($"/api/persons/{second.Id}/history");
        var entry = Assert.Single(history);
        Assert.Equal(("PersonCreated", "csr:csr", "Uma Log"), (entry.Type, entry.Actor, entry.Changes.GetProperty("name").GetString()));
        Assert.Equal(TestSilo.Start, entry.OccurredAt);
    }

    private Task<IReadOnlyList<SearchResult>> ExpectAsync(string query, SearchResult[] expected) =>
        Polling.UntilAsync(
            () => _care.Csr.GetAsync<IReadOnlyList<SearchResult>>($"/api/search?q={Uri.EscapeDataString(query)}"),
            results => results.OrderBy(r => r.PersonId).ThenBy(r => r.PremiseId).SequenceEqual(expected.OrderBy(r => r.PersonId).ThenBy(r => r.PremiseId)),
            $"search '{query}' to find [{string.Join("; ", expected.Select(e => e.ToString()))}]");
}
