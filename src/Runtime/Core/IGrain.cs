namespace Actors.Runtime;

/// <summary>Anything that has a grain identity: grains themselves and references (proxies) to them.</summary>
public interface IAddressable;

/// <summary>Marker for grain interfaces. Grain methods return Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt;.</summary>
public interface IGrain : IAddressable;

/// <summary>A grain addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>A grain addressed by a Guid key.</summary>
public interface IGrainWithGuidKey : IGrain;

/// <summary>Creates references to grains. A reference is cheap; the grain activates on its first call.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey;

    TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
        where TGrainInterface : IGrainWithGuidKey;
}
