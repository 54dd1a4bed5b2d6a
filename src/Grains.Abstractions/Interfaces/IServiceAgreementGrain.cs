using Actors.Runtime;

namespace Actors.Grains.Abstractions;

/// <summary>
/// A service agreement, keyed by <see cref="ServiceAgreementId"/>: the lifecycle PendingStart → Active → PendingStop →
/// Stopped → Closed (→ Reactivated), or Canceled. Durable reminders do CC&amp;B's batch work for it: field activity
/// creation ahead of its dates, activation at the start date, finalization at the stop date, To Dos for exceptions
/// and aged pending SAs.
/// </summary>
public interface IServiceAgreementGrain : IGrainWithStringKey
{
    /// <summary>Creates the pending-start SA and schedules its reminders. Repeating the same creation is harmless.</summary>
    /// <exception cref="DomainException">Conflict when the SA exists with other details.</exception>
    Task<ServiceAgreementSnapshot> CreateAsync(CreateServiceAgreement command, Actor actor);

    /// <summary>The SA.</summary>
    /// <exception cref="DomainException">NotFound.</exception>
    [ReadOnly]
    Task<ServiceAgreementSnapshot> GetAsync();

    /// <summary>
    /// Activates a pending-start SA by hand (a CSR override, on or after the start date, even without a start read).
    /// A reason is required.
    /// </summary>
    /// <param name="expectedVersion">The <see cref="ServiceAgreementSnapshot.Revision"/> the caller read, if it wants the change refused when the SA changed since.</param>
    /// <exception cref="DomainException">NotFound, StaleVersion, Invalid (no reason, before the start date), IllegalTransition (not pending start).</exception>
    Task<ServiceAgreementSnapshot> ActivateAsync(Actor actor, long? expectedVersion = null);

    /// <summary>
    /// Requests a stop at <paramref name="stopDate"/>: an active SA becomes pending stop; a pending stop moves to the
    /// new date. The same date again changes nothing.
    /// </summary>
    /// <param name="requestedBy">The incoming SA of another account whose start requires this stop (a reciprocal stop), if any.</param>
    /// <param name="expectedVersion">As for <see cref="ActivateAsync"/>.</param>
    /// <exception cref="DomainException">NotFound, StaleVersion, Invalid (before the start date or outside the back-dating window), IllegalTransition.</exception>
    Task<ServiceAgreementSnapshot> StopAsync(DateOnly stopDate, Actor actor, ServiceAgreementId? requestedBy = null, long? expectedVersion = null);

    /// <summary>
    /// Withdraws a pending stop: the SA is active again. With <paramref name="requestedBy"/>, only a stop that
    /// start requested is withdrawn (anything else is left alone), which is how canceling a start undoes its reciprocal stop.
    /// </summary>
    /// <exception cref="DomainException">NotFound; IllegalTransition when not pending stop and no <paramref name="requestedBy"/> was given.</exception>
    Task<ServiceAgreementSnapshot> WithdrawStopAsync(Actor actor, ServiceAgreementId? requestedBy = null);

    /// <summary>
    /// Cancels the SA (reason required). A pending start is canceled directly, with its field activity and the
    /// reciprocal stop it requested; an active or pending-stop SA only when all its financial transactions are canceled.
    /// </summary>
    /// <param name="expectedVersion">As for <see cref="ActivateAsync"/>.</param>
    /// <exception cref="DomainException">NotFound, StaleVersion, Invalid (no reason), IllegalTransition, Conflict (uncanceled financial transactions).</exception>
    Task<ServiceAgreementSnapshot> CancelAsync(Actor actor, long? expectedVersion = null);

    /// <summary>
    /// A field activity of this SA was completed with a meter read (called by the field activity; idempotent). A start
    /// read on or after the start date activates a pending start at once; a stop read on or after the stop date stops it.
    /// </summary>
    Task<ServiceAgreementSnapshot> FieldActivityCompletedAsync(FieldActivityId fieldActivityId, FieldActivityKind kind, decimal read, DateOnly completedOn, Actor actor);

    /// <summary>A field activity of this SA was canceled (called by the field activity; idempotent).</summary>
    Task<ServiceAgreementSnapshot> FieldActivityCanceledAsync(FieldActivityId fieldActivityId, FieldActivityKind kind, Actor actor);

    /// <summary>
    /// Posts a financial transaction. A stopped or reactivated SA whose balance returns to zero closes; a closed SA that
    /// gets a new transaction is reactivated. Repeating a transaction id changes nothing.
    /// </summary>
    /// <exception cref="DomainException">NotFound, Invalid, IllegalTransition (pending start or canceled), Conflict (id reused with another amount).</exception>
    Task<ServiceAgreementSnapshot> RecordFinancialTransactionAsync(FinancialTransaction transaction, Actor actor);

    /// <summary>Cancels a financial transaction (its amount leaves the balance). Idempotent.</summary>
    /// <exception cref="DomainException">NotFound (SA or transaction).</exception>
    Task<ServiceAgreementSnapshot> CancelFinancialTransactionAsync(string transactionId, Actor actor);
}
