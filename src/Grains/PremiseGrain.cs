using Actors.Grains.Abstractions;
using Actors.Grains.Abstractions.Events;
using Actors.Grains.Rules;
using Actors.Grains.State;
using Actors.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

/// <summary>
/// A premise: the gate for "one SA per service point for any date" and the matchmaker of back-to-back field
/// activities. Its copy of the SAs on each service point is kept current by the SAs (each update carries the SA's
/// revision, so a late one never overwrites a newer one). It calls only its parent premise, at creation.
/// </summary>
public sealed class PremiseGrain(
    [PersistentState("premise")] IPersistentState<PremiseState> state,
    IOptions<UtilityOptions> options,
    TimeProvider time,
    ILogger<PremiseGrain> logger)
    : DomainGrain<PremiseState>(state, time), IPremiseGrain
{
    protected override string StreamNamespace => StreamNamespaces.Premise;

    private PremiseId Id => PremiseId.Parse(Key);

    public async Task<PremiseSnapshot> CreateAsync(CreatePremise command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        Validate.Actor(actor);
        var address = ValidAddress(command.Address);
        var points = ValidServicePoints(command.ServicePoints);
        if (command.ParentPremiseId == Id)
        {
            throw DomainException.Invalid("parentPremiseId", "A premise cannot be its own parent.");
        }

        if (State.Created)
        {
            var same = State.Address == address && State.ParentPremiseId == command.ParentPremiseId && State.LifeSupport == command.LifeSupport
                && State.ServicePoints.Count == points.Count
                && points.All(p => State.ServicePoints.Any(s => s.Id == p.Id && s.MeterId == p.MeterId && s.Metered == p.Metered));
            if (!same)
            {
                throw DomainException.Conflict($"Premise {Key} already exists with other details.");
            }
        }
        else
        {
            if (command.ParentPremiseId is { } parentId)
            {
                await EnsureParentExistsAsync(parentId);
            }

            State.Created = true;
            State.Address = address;
            State.ParentPremiseId = command.ParentPremiseId;
            State.LifeSupport = command.LifeSupport;
            State.ServicePoints = [.. points.Select(p => new ServicePointState { Id = p.Id, ServiceType = p.ServiceType, MeterId = p.MeterId, Metered = p.Metered })];
            State.CreatedAt = Now;
            await RaiseAsync(new PremiseCreated(Id, address, command.ParentPremiseId, points, command.LifeSupport), actor);
            await WriteAsync();
        }

        // After the write, so a retry of a creation that failed here still links the child.
        if (command.ParentPremiseId is { } parent)
        {
            await GrainFactory.GetGrain<IPremiseGrain>(parent.Value).AddChildAsync(Id, actor);
        }

        return Snapshot();
    }

    public Task<PremiseSnapshot> GetAsync()
    {
        EnsureCreated();
        return Task.FromResult(Snapshot());
    }

    public async Task<PremiseSnapshot> SetLifeSupportAsync(bool lifeSupport, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (State.LifeSupport != lifeSupport)
        {
            State.LifeSupport = lifeSupport;
            await RaiseAsync(new PremiseLifeSupportChanged(Id, lifeSupport), actor);
            await WriteAsync();
        }

        return Snapshot();
    }

    public async Task AddChildAsync(PremiseId childPremiseId, Actor actor)
    {
        Validate.Actor(actor);
        EnsureCreated();
        if (State.Children.Contains(childPremiseId))
        {
            return;
        }

        State.Children.Add(childPremiseId);
        await RaiseAsync(new PremiseChildAdded(Id, childPremiseId), actor);
        await WriteAsync();
    }

    public Task<IReadOnlyList<ReservedService>> CheckReservationAsync(ServiceReservation reservation) =>
        Task.FromResult<IReadOnlyList<ReservedService>>(Evaluate(reservation));

    public async Task<IReadOnlyList<ReservedService>> ReserveAsync(ServiceReservation reservation, Actor actor)
    {
        Validate.Actor(actor);
        var reserved = Evaluate(reservation);
        var added = new List<ReservedService>();
        foreach (var service in reserved)
        {
            if (State.Reservations.ContainsKey(service.ServiceAgreementId))
            {
                continue;
            }

            var point = State.ServicePoints.Single(p => p.Id == service.ServicePointId);
            point.Occupancy.Add(new ServicePointOccupancy(
                service.ServiceAgreementId, reservation.AccountId, ServiceAgreementStatus.PendingStart, reservation.StartDate, null, Revision: 0));
            foreach (var occupantId in service.OccupantsToStop)
            {
                // Held as stopping at once, so no other start slips in before the occupant's own update arrives.
                var index = point.Occupancy.FindIndex(o => o.ServiceAgreementId == occupantId);
                point.Occupancy[index] = point.Occupancy[index] with { Status = ServiceAgreementStatus.PendingStop, StopDate = reservation.StartDate };
            }

            State.Reservations[service.ServiceAgreementId] = service;
            added.Add(service);
        }

        if (added.Count > 0)
        {
            await RaiseAsync(new PremiseServiceReserved(Id, reservation.RequestId, reservation.AccountId, reservation.StartDate, added), actor);
            await WriteAsync();
        }

        return reserved;
    }

    public async Task UpdateOccupancyAsync(ServicePointId servicePointId, ServicePointOccupancy occupancy)
    {
        ArgumentNullException.ThrowIfNull(occupancy);
        EnsureCreated();
        var point = State.ServicePoints.Find(p => p.Id == servicePointId);
        if (point is null)
        {
            Log.UnknownServicePoint(logger, Key, servicePointId.Value, occupancy.ServiceAgreementId.Value);
            return;
        }

        var index = point.Occupancy.FindIndex(o => o.ServiceAgreementId == occupancy.ServiceAgreementId);
        if (index >= 0 && (point.Occupancy[index].Revision > occupancy.Revision || point.Occupancy[index] == occupancy))
        {
            return;
        }

        if (index >= 0)
        {
            point.Occupancy[index] = occupancy;
        }
        else
        {
            point.Occupancy.Add(occupancy);
        }

        // A copy of the SA's own state (its changes are events on its stream), so no premise event.
        await WriteAsync();
    }

    public async Task<FieldActivityId?> RegisterFieldActivityAsync(FieldActivityRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        EnsureCreated();
        var entry = State.FieldActivities.Find(f => f.Id == registration.Id);
        if (registration.Status != FieldActivityStatus.Pending)
        {
            if (entry is not null)
            {
                // Done or canceled: it pairs with nothing any more. A completed partner keeps its own record of the pairing.
                Unpair(entry);
                State.FieldActivities.Remove(entry);
                await WriteAsync();
            }

            return null;
        }

        if (entry is not null && entry.ScheduledDate == registration.ScheduledDate && entry.ServicePointId == registration.ServicePointId)
        {
            return entry.Partner;
        }

        if (entry is null)
        {
            entry = new PendingFieldActivity { Id = registration.Id, Kind = registration.Kind };
            State.FieldActivities.Add(entry);
        }
        else
        {
            Unpair(entry);
        }

        entry.ServicePointId = registration.ServicePointId;
        entry.ScheduledDate = registration.ScheduledDate;
        var partner = State.FieldActivities.Find(f =>
            f.Id != entry.Id && f.Partner is null && f.ServicePointId == entry.ServicePointId && f.Kind != entry.Kind && f.ScheduledDate == entry.ScheduledDate);
        if (partner is not null)
        {
            partner.Partner = entry.Id;
            entry.Partner = partner.Id;
        }

        await WriteAsync();
        return entry.Partner;
    }

    private void Unpair(PendingFieldActivity entry)
    {
        if (entry.Partner is { } partnerId && State.FieldActivities.Find(f => f.Id == partnerId) is { } partner)
        {
            partner.Partner = null;
        }

        entry.Partner = null;
    }

    /// <summary>Checks a start against territory, service points and occupancy; throws on the first rule broken.</summary>
    private List<ReservedService> Evaluate(ServiceReservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        EnsureCreated();
        Validate.RequestId(reservation.RequestId);
        if (reservation.Services is null || reservation.Services.Count == 0)
        {
            throw DomainException.Invalid("serviceTypes", "At least one service type is required.");
        }

        var result = new List<ReservedService>();
        foreach (var service in reservation.Services)
        {
            // What was held for a request stays its answer, whatever changed since (a retry must find its own work).
            if (State.Reservations.TryGetValue(service.ServiceAgreementId, out var held))
            {
                result.Add(held);
                continue;
            }

            if (!ServiceTerritory.Contains(options.Value.ServiceTerritory.PostalCodes, State.Address!.PostalCode))
            {
                throw DomainException.Invalid("premiseId", $"Premise {Key} (postal code {State.Address.PostalCode}) is outside the service territory.");
            }

            var point = State.ServicePoints.Find(p => p.ServiceType == service.ServiceType)
                ?? throw DomainException.Invalid("serviceTypes", $"Premise {Key} has no {service.ServiceType} service point.");
            var decision = Occupancy.Evaluate(point.Occupancy, service.ServiceAgreementId, reservation.AccountId, reservation.StartDate, reservation.StopCurrentOccupants);
            if (decision.Conflicts.Count > 0)
            {
                var other = decision.Conflicts[0];
                var until = other.StopDate is { } stop ? $"until {stop:yyyy-MM-dd}" : "with no stop date";
                throw DomainException.Conflict(
                    $"{service.ServiceType} service point {point.Id} of premise {Key} already has SA {other.ServiceAgreementId} " +
                    $"({other.Status}) of account {other.AccountId} from {other.StartDate:yyyy-MM-dd} {until}, which overlaps a start on {reservation.StartDate:yyyy-MM-dd}.",
                    "startDate");
            }

            result.Add(new ReservedService(service.ServiceType, service.ServiceAgreementId, point.Id, point.Metered, [.. decision.OccupantsToStop.Select(o => o.ServiceAgreementId)]));
        }

        return result;
    }

    private async Task EnsureParentExistsAsync(PremiseId parentId)
    {
        try
        {
            await GrainFactory.GetGrain<IPremiseGrain>(parentId.Value).GetAsync();
        }
        catch (DomainException ex) when (ex.Code == DomainErrorCode.NotFound)
        {
            throw DomainException.Invalid("parentPremiseId", $"Parent premise {parentId} does not exist.");
        }
    }

    private static Address ValidAddress(Address? address)
    {
        if (address is null)
        {
            throw DomainException.Invalid("address", "An address is required.");
        }

        return new Address(
            Validate.Required(address.Line1, "address.line1", 200),
            Validate.Required(address.City, "address.city", 100),
            Validate.Required(address.State, "address.state", 50),
            Validate.Required(address.PostalCode, "address.postalCode", 20),
            Validate.Optional(address.Line2, "address.line2", 200));
    }

    private List<ServicePointInfo> ValidServicePoints(IReadOnlyList<ServicePointInput>? inputs)
    {
        if (inputs is null || inputs.Count == 0)
        {
            throw DomainException.Invalid("servicePoints", "A premise needs at least one service point.");
        }

        if (inputs.Any(i => i is null || !Enum.IsDefined(i.ServiceType)))
        {
            throw DomainException.Invalid("servicePoints", "Unknown service type.");
        }

        if (inputs.Select(i => i.ServiceType).Distinct().Count() != inputs.Count)
        {
            throw DomainException.Invalid("servicePoints", "A premise has one service point per service type.");
        }

        return [.. inputs.Select(i =>
        {
            var id = ServicePointId.For(Id, i.ServiceType);
            var meter = Validate.Optional(i.MeterId, "servicePoints.meterId", 64);
            if (!i.Metered && meter is not null)
            {
                throw DomainException.Invalid("servicePoints.meterId", "An unmetered service point has no meter.");
            }

            return new ServicePointInfo(id, i.ServiceType, i.Metered ? meter ?? $"MTR-{id.Value["SP-".Length..]}" : null, i.Metered);
        })];
    }

    private void EnsureCreated()
    {
        if (!State.Created)
        {
            throw DomainException.NotFound("Premise", Key);
        }
    }

    private PremiseSnapshot Snapshot() => new(
        Id,
        State.Address!,
        State.ParentPremiseId,
        [.. State.Children],
        [.. State.ServicePoints.Select(p => new ServicePointSnapshot(p.Id, p.ServiceType, p.MeterId, p.Metered, [.. p.Occupancy]))],
        ServiceTerritory.Contains(options.Value.ServiceTerritory.PostalCodes, State.Address!.PostalCode),
        State.CreatedAt,
        State.LifeSupport);
}
