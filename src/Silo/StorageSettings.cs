using System.ComponentModel.DataAnnotations;

namespace Actors.Silo;

public enum StorageProviderKind
{
    Sqlite,
    Postgres,
}

/// <summary>The "Storage" configuration section.</summary>
public sealed class StorageSettings
{
    /// <summary>Sqlite (the embedded default, one file, single node) or Postgres (production and cluster).</summary>
    public StorageProviderKind Provider { get; set; } = StorageProviderKind.Sqlite;

    public SqliteSettings Sqlite { get; set; } = new();
}

public sealed class SqliteSettings
{
    /// <summary>The database file (default "data/actors.db" under the working directory).</summary>
    [Required]
    public string Path { get; set; } = System.IO.Path.Combine("data", "actors.db");
}
