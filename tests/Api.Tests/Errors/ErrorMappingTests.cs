using Actors.Api.Errors;
using Actors.Runtime;
using Microsoft.AspNetCore.Http;

namespace Actors.Api.Tests.Errors;

public sealed class ErrorMappingTests
{
    public static TheoryData<Exception> SafeToRetry => new()
    {
        new GrainUnavailableException("no live node held partition 3"),
        new TimeoutException("Call IAccountGrain.StartServiceAsync timed out"),
        new LeaseLostException("Write of grain account/ACC-1 refused: node silo-3 no longer holds partition 54 at epoch 5."),
    };

    [Theory]
    [MemberData(nameof(SafeToRetry))]
    public void RefusedOrUnansweredWork_Is503_AskingForARetryWithTheSameKey(Exception exception)
    {
        var problem = ApiExceptionHandler.Map(exception);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.Status);
        Assert.Contains("Retry the request with the same Idempotency-Key", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AnythingElse_Is500_SayingNothingAboutInternals()
    {
        var problem = ApiExceptionHandler.Map(new InvalidOperationException("connection string Password=secret"));

        Assert.Equal(StatusCodes.Status500InternalServerError, problem.Status);
        Assert.DoesNotContain("secret", problem.Detail, StringComparison.Ordinal);
    }
}
