namespace Actors.Grains.Abstractions;

/// <summary>
/// Stream namespaces of the outbox. Each entity raises its events on <c>namespace/entity-id</c>, so an entity's
/// history is its stream. Read models subscribe to these.
/// </summary>
public static class StreamNamespaces
{
    public const string Person = "person";
    public const string Account = "account";
    public const string Premise = "premise";
    public const string ServiceAgreement = "sa";
    public const string FieldActivity = "fa";
    public const string ToDo = "todo";

    /// <summary>
    /// The account grain's inbox, keyed by account id: SAs post their summary here when they change, and the
    /// account applies it (implicit subscription). Not an entity history; read models may ignore it.
    /// </summary>
    public const string AccountServiceAgreements = "account-sa";

    /// <summary>The stream provider grains raise events on.</summary>
    public const string Provider = "outbox";
}
