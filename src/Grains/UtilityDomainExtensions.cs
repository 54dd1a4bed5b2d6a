using Actors.Grains.Rules;
using Actors.Runtime.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

/// <summary>Registration of the utility domain.</summary>
public static class UtilityDomainExtensions
{
    /// <summary>
    /// Adds what the domain grains need: <see cref="UtilityOptions"/> bound from the "Utility" section (of
    /// <paramref name="configuration"/>, or of the host's configuration when null), validated at start-up, and the
    /// business calendar. Add the grains themselves to the runtime with <see cref="AddUtilityGrains"/>.
    /// </summary>
    public static IServiceCollection AddUtilityDomain(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var options = services.AddOptions<UtilityOptions>();
        if (configuration is null)
        {
            options.BindConfiguration(UtilityOptions.SectionName);
        }
        else
        {
            options.Bind(configuration.GetSection(UtilityOptions.SectionName));
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new BusinessCalendar(sp.GetRequiredService<IOptions<UtilityOptions>>().Value.GetTimeZone()));
        return services;
    }

    /// <summary>Registers the domain grains (person, account, premise, SA, field activity, To Do) with the runtime.</summary>
    public static ActorRuntimeBuilder AddUtilityGrains(this ActorRuntimeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddGrains(typeof(UtilityDomainExtensions).Assembly);
    }
}
