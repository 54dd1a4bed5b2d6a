// How the dashboard writes dates, statuses and event names.

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: 'short', year: 'numeric', timeZone: 'UTC' });
const instantFormat = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hour12: false,
});

/** A business date (YYYY-MM-DD) as "05 Mar 2026". */
export function date(value) {
  if (!value) return '—';
  const [y, m, d] = value.split('-').map(Number);
  return dateFormat.format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant in UTC, the business clock's zone. */
export function instant(value) {
  return value ? `${instantFormat.format(new Date(value))} UTC` : '—';
}

/** PendingStart -> Pending start; ServiceAgreementActivated -> Service agreement activated. */
export function words(value) {
  if (!value) return '';
  const spaced = value.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return spaced.charAt(0) + spaced.slice(1).toLowerCase().replace(/\bsa\b/g, 'SA').replace(/\bcsr\b/g, 'CSR').replace(/\bto do\b/g, 'To Do');
}

export function address(a) {
  if (!a) return '';
  return [a.line1, a.line2, `${a.city}, ${a.state} ${a.postalCode}`].filter(Boolean).join(', ');
}

export const serviceTypes = ['Electric', 'Gas', 'Water'];

/** Today's date (UTC) as YYYY-MM-DD. */
export function isoDate(d) {
  return d.toISOString().slice(0, 10);
}
