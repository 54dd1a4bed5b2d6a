using Actors.Runtime.Storage;
using Actors.Runtime.Storage.Postgres;
using Actors.Runtime.Storage.Sqlite;

namespace Actors.Runtime.Tests.Infrastructure;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>A fresh, real store for one test; <see cref="Open"/> gives a new provider on it (a restart).</summary>
public sealed class TestStore : IDisposable
{
    private readonly string? _directory;
    private readonly string? _sqlitePath;
    private readonly string? _connectionString;

    private TestStore(StoreKind kind, string? directory, string? sqlitePath, string? connectionString)
    {
        Kind = kind;
        _directory = directory;
        _sqlitePath = sqlitePath;
        _connectionString = connectionString;
    }

    public StoreKind Kind { get; }

    public string? SqlitePath => _sqlitePath;

    public string? ConnectionString => _connectionString;

    public static async Task<TestStore> CreateAsync(StoreKind kind)
    {
        if (kind == StoreKind.Sqlite)
        {
            var directory = Directory.CreateTempSubdirectory("actors-test-").FullName;
            return new TestStore(kind, directory, Path.Combine(directory, "store.db"), null);
        }

        var server = await PostgresServer.GetSharedAsync();
        var connectionString = await server.CreateDatabaseAsync();
        return new TestStore(kind, null, null, connectionString);
    }

    public IStorageProvider Open() => Kind == StoreKind.Sqlite
        ? new SqliteStorageProvider(_sqlitePath!)
        : new PostgresStorageProvider(_connectionString!);

    public void Dispose()
    {
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A provider of a killed child process may still hold the file for a moment; the OS temp cleaner takes it.
            }
        }
    }
}
