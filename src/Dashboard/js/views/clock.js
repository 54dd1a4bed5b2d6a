// The business clock (Admins; the demo runs on a manual clock): GET/POST /api/admin/clock. Moving it runs the
// reminders that became due (field activities, activations, To Dos); the answer comes once they have run.

import { api } from '../api.js';
import { fill, h, toast } from '../dom.js';
import { field, formError, onSubmit } from '../forms.js';
import { instant } from '../format.js';

export const clockEvents = new EventTarget();

export function clockControl(slot) {
  let now = null;
  const display = h('span', { class: 'clock-now', testid: 'clock-now' }, 'Business time …');
  const input = h('input', { type: 'datetime-local', step: 60, testid: 'clock-input' });
  const panel = h('div', { class: 'clock-panel', testid: 'clock-panel', hidden: true });
  const toggle = h('button', {
    type: 'button', class: 'button button-quiet button-small', testid: 'clock-toggle', 'aria-expanded': 'false',
    onclick: () => setOpen(panel.hidden),
  }, 'Move clock');

  const form = onSubmit(h('form', { class: 'form', testid: 'clock-form' },
    formError(),
    h('h3', null, 'Business clock (UTC)'),
    field('Move to', 'now', input, 'Time only moves forward; reminders due by then run before this answers.'),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => bump(1) }, '+1 day'),
      h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => bump(7) }, '+1 week'),
      h('button', { type: 'submit', class: 'button button-small', testid: 'clock-submit' }, 'Move'))),
  async ({ now: local }) => {
    const parsed = local ? new Date(`${local}Z`) : null;
    const target = parsed && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : null;
    const clock = await api.moveClock(target);
    show(clock);
    setOpen(false);
    toast(clock.settled ? `Business time is now ${instant(clock.now)}.` : 'The clock moved, but some due work is still running.');
    clockEvents.dispatchEvent(new CustomEvent('moved', { detail: clock }));
  });
  fill(panel, form);

  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open && now) input.value = toLocalInput(now);
  }

  function bump(days) {
    const base = input.value ? new Date(`${input.value}Z`) : new Date(now);
    input.value = toLocalInput(new Date(base.getTime() + days * 86400000));
  }

  function show(clock) {
    now = new Date(clock.now);
    fill(display, 'Business time ', h('strong', null, instant(clock.now)));
  }

  fill(slot, h('div', { class: 'clock' }, display, toggle, panel));
  api.clock().then(show, error => fill(display, error.status === 404 ? 'System clock' : 'Clock unavailable'));
  return () => fill(slot);
}

/** A Date as the value of a datetime-local input, in UTC. */
function toLocalInput(date) {
  return date.toISOString().slice(0, 16);
}
