using Actors.Runtime.Storage;
using Actors.Runtime.Storage.Sqlite;

namespace Actors.Runtime.Tests.Storage;

public sealed class SqliteStorageConformanceTests : StorageConformanceTests
{
    [Fact]
    public async Task Open_WhileAnotherProviderHasTheFileOpen_Throws()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => new SqliteStorageProvider(Location));
        Assert.Contains(Location + ".lock", exception.Message, StringComparison.Ordinal);

        await Store.DisposeAsync();
        await using var reopened = new SqliteStorageProvider(Location);
        Assert.Equal(1, await reopened.GetSchemaVersionAsync(Ct));
    }

    [Fact]
    public void Provider_IsSingleProcess()
    {
        Assert.Equal(("Sqlite", true), (Store.Name, Store.IsSingleProcess));
    }

    protected override Task<string> CreateStoreAsync() =>
        Task.FromResult(Path.Combine(Path.GetTempPath(), "actors-sqlite-" + Guid.NewGuid().ToString("N"), "actors.db"));

    protected override IStorageProvider Open(string location) => new SqliteStorageProvider(location);

    protected override int SchemaVersion => 1;

    protected override Task DeleteStoreAsync(string location)
    {
        var directory = Path.GetDirectoryName(location)!;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
