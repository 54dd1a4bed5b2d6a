namespace Actors.Runtime.Execution;

/// <summary>
/// An activation's waiting work, in order: an intrusive list (the links live in the items, which wait in one queue at a
/// time), so queueing a request behind a busy grain allocates nothing. A mutable struct held in its activation's field
/// and guarded by the activation's lock; never copied.
/// </summary>
internal struct WorkQueue
{
    public WorkItem? First { get; private set; }

    private WorkItem? _last;

    public int Count { get; private set; }

    public void AddFirst(WorkItem item)
    {
        item.QueueNext = First;
        if (First is { } first)
        {
            first.QueuePrevious = item;
        }
        else
        {
            _last = item;
        }

        First = item;
        Count++;
    }

    public void AddLast(WorkItem item)
    {
        item.QueuePrevious = _last;
        if (_last is { } last)
        {
            last.QueueNext = item;
        }
        else
        {
            First = item;
        }

        _last = item;
        Count++;
    }

    public void Remove(WorkItem item)
    {
        if (item.QueuePrevious is { } previous)
        {
            previous.QueueNext = item.QueueNext;
        }
        else
        {
            First = item.QueueNext;
        }

        if (item.QueueNext is { } next)
        {
            next.QueuePrevious = item.QueuePrevious;
        }
        else
        {
            _last = item.QueuePrevious;
        }

        item.QueuePrevious = null;
        item.QueueNext = null;
        Count--;
    }

    /// <summary>Empties the queue and returns what waited in it, in order.</summary>
    public List<WorkItem> TakeAll()
    {
        var all = new List<WorkItem>(Count);
        while (First is { } item)
        {
            Remove(item);
            all.Add(item);
        }

        return all;
    }
}
