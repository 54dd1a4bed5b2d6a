namespace Actors.Runtime.Execution;

internal static class Pause
{
    /// <summary>A back-off between retries of a background loop that ends quietly when the loop is stopping.</summary>
    public static async Task ForAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The caller's loop checks the token next.
        }
    }
}
