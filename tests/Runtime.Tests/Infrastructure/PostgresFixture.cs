namespace Actors.Runtime.Tests.Infrastructure;

/// <summary>
/// Gives a test collection the assembly's shared PostgreSQL server. Disposing the fixture leaves the server
/// running: other collections may still use it; it stops when the test process exits.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture is not initialized.");

    public async Task InitializeAsync() => _server = await PostgresServer.GetSharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Postgres";
}
