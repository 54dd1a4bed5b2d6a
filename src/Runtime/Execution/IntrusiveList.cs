namespace Actors.Runtime.Execution;

/// <summary>The two links an item carries for one kind of <see cref="IntrusiveList{T, TLinks}"/> it can be in.</summary>
internal struct ListLinks<T>
    where T : class
{
    public T? Previous;
    public T? Next;
}

/// <summary>Names which of an item's links a list uses: an item can be in one list of each kind at a time.</summary>
internal interface ILinkSelector<T>
    where T : class
{
    static abstract ref ListLinks<T> Of(T item);
}

/// <summary>
/// A doubly linked list whose links live in its items, so adding and removing allocate nothing: an activation's mailbox
/// and the call deadline lists. A mutable struct held in its owner's field and guarded by the owner's lock; never copied.
/// </summary>
internal struct IntrusiveList<T, TLinks>
    where T : class
    where TLinks : ILinkSelector<T>
{
    private T? _last;

    public T? First { get; private set; }

    public int Count { get; private set; }

    /// <summary>The item after <paramref name="item"/> in its list, for a walk that may remove as it goes.</summary>
    public static T? NextOf(T item) => TLinks.Of(item).Next;

    public void AddFirst(T item)
    {
        TLinks.Of(item).Next = First;
        if (First is { } first)
        {
            TLinks.Of(first).Previous = item;
        }
        else
        {
            _last = item;
        }

        First = item;
        Count++;
    }

    public void AddLast(T item)
    {
        TLinks.Of(item).Previous = _last;
        if (_last is { } last)
        {
            TLinks.Of(last).Next = item;
        }
        else
        {
            First = item;
        }

        _last = item;
        Count++;
    }

    public void Remove(T item)
    {
        ref var links = ref TLinks.Of(item);
        if (links.Previous is { } previous)
        {
            TLinks.Of(previous).Next = links.Next;
        }
        else
        {
            First = links.Next;
        }

        if (links.Next is { } next)
        {
            TLinks.Of(next).Previous = links.Previous;
        }
        else
        {
            _last = links.Previous;
        }

        links = default;
        Count--;
    }

    /// <summary>Empties the list and returns what was in it, in order.</summary>
    public List<T> TakeAll()
    {
        var all = new List<T>(Count);
        while (First is { } item)
        {
            Remove(item);
            all.Add(item);
        }

        return all;
    }
}
