namespace Actors.Grains.Abstractions;

/// <summary>
/// A typed identifier: a string value of a known shape, never passed around as a bare string. Implements
/// <see cref="IParsable{TSelf}"/>, so ASP.NET Core binds it from routes and queries.
/// </summary>
public interface ITypedId<TSelf> : IParsable<TSelf>
    where TSelf : struct, ITypedId<TSelf>
{
    /// <summary>The id as text (e.g. <c>PER-7K2M9QXA4B</c>).</summary>
    string Value { get; }
}
