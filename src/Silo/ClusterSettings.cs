using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Actors.Silo;

/// <summary>
/// The "Cluster" section: what a silo of a cluster needs beyond the store. Mapped onto the runtime's options
/// (<c>Runtime:NodeName</c>, <c>Runtime:LeaseDuration</c>, <c>Runtime:NodeAddress</c>, <c>Runtime:ClusterSecret</c>).
/// </summary>
internal sealed class ClusterSettings
{
    /// <summary>This silo's name (default: machine name and process id).</summary>
    public string? NodeName { get; set; }

    /// <summary>Partition lease duration in seconds (default 10): how long a dead silo's grains wait for a new owner.</summary>
    public int? LeaseSeconds { get; set; }

    /// <summary>
    /// The internal address other silos forward grain calls to, e.g. <c>http://10.0.0.5:6001</c>: a separate HTTP/2
    /// (cleartext) listener, not for clients. Unset: a single silo, no forwarding.
    /// </summary>
    public Uri? Address { get; set; }

    /// <summary>The secret silos present to each other (default: <c>Auth:SigningKey</c>); all silos must share it.</summary>
    public string? Secret { get; set; }

    public static ClusterSettings Read(IConfiguration configuration) =>
        configuration.GetSection("Cluster").Get<ClusterSettings>() ?? new ClusterSettings();

    /// <summary>The runtime settings this section stands for, to add to the configuration.</summary>
    public Dictionary<string, string?> RuntimeSettings(IConfiguration configuration)
    {
        var settings = new Dictionary<string, string?>();
        if (NodeName is not null)
        {
            settings["Runtime:NodeName"] = NodeName;
        }

        if (LeaseSeconds is { } seconds)
        {
            settings["Runtime:LeaseDuration"] = TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);
        }

        if (Address is not null)
        {
            settings["Runtime:NodeAddress"] = Address.GetLeftPart(UriPartial.Authority);
        }

        if ((Secret ?? configuration["Auth:SigningKey"]) is { } secret)
        {
            settings["Runtime:ClusterSecret"] = secret;
        }

        return settings;
    }

    /// <summary>
    /// Listens on the client URLs (<c>--urls</c>) and, for a cluster, on the internal address with HTTP/2 only (prior
    /// knowledge: silos speak HTTP/2 to each other without TLS inside the cluster network). Kestrel ignores
    /// <c>--urls</c> once endpoints are configured in code, so both are configured here.
    /// </summary>
    public void ConfigureKestrel(KestrelServerOptions kestrel, IConfiguration configuration)
    {
        if (Address is null)
        {
            return;
        }

        var urls = (configuration["urls"] ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            Listen(kestrel, new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal)), HttpProtocols.Http1AndHttp2);
        }

        Listen(kestrel, Address, HttpProtocols.Http2);
    }

    private static void Listen(KestrelServerOptions kestrel, Uri uri, HttpProtocols protocols)
    {
        if (uri.Host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, o => o.Protocols = protocols);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(uri.Host), uri.Port, o => o.Protocols = protocols);
        }
    }
}
