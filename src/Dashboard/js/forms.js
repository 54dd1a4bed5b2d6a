// Forms: the engine is the one place rules live (forms are `novalidate`), so a refused request's problem details are
// shown where the user looks: each `errors[field]` beside its input, anything else (and `detail`) at the form's top.

import { h } from './dom.js';

/** A labelled input with its error slot. `name` is the request's field name, as the problem's `errors` names it. */
export function field(label, name, input, hint) {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 8)}`;
  input.id = id;
  if (!input.getAttribute('name')) input.setAttribute('name', name);
  const error = errorSlot(name);
  input.setAttribute('aria-describedby', error.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('span', { class: 'hint' }, hint) : null, error);
}

/** A group of checkboxes named `name` (e.g. serviceTypes) with one error slot for the group. */
export function checkGroup(legend, name, options, checked = []) {
  const error = errorSlot(name);
  return h('fieldset', { dataset: { field: name }, 'aria-describedby': error.id },
    h('legend', null, legend),
    h('div', { class: 'checks' }, options.map(option => {
      const [value, text] = Array.isArray(option) ? option : [option, option];
      return h('label', null, h('input', { type: 'checkbox', name, value, checked: checked.includes(value), dataset: { group: name }, testid: `${name}-${value}` }), text);
    })),
    error);
}

export function errorSlot(name) {
  return h('p', {
    class: 'field-error', id: `e-${name}-${Math.random().toString(36).slice(2, 8)}`,
    dataset: { errorFor: name }, testid: `error-${name}`, role: 'alert', hidden: true,
  });
}

/** The slot at the top of a form for what belongs to no field. */
export function formError() {
  return h('p', { class: 'form-error', dataset: { formError: '' }, testid: 'form-error', role: 'alert', hidden: true });
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll('[data-error-for], [data-form-error]')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const invalid of form.querySelectorAll('[aria-invalid]')) invalid.removeAttribute('aria-invalid');
}

/** Shows an ApiError (or any error) on the form. */
export function showProblem(form, error) {
  clearErrors(form);
  const problem = error?.problem ?? { detail: error?.message ?? 'Something went wrong.' };
  const unplaced = [];
  let placed = 0;
  for (const [name, messages] of Object.entries(problem.errors ?? {})) {
    const slot = slotFor(form, name);
    if (!slot) {
      unplaced.push(...messages);
      continue;
    }
    slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(' ');
    slot.hidden = false;
    placed++;
    const control = slot.closest('fieldset') ?? slot.parentElement.querySelector('input, select, textarea');
    control?.setAttribute('aria-invalid', 'true');
  }
  const top = form.querySelector('[data-form-error]');
  const message = unplaced.length > 0 ? unplaced.join(' ') : placed === 0 ? (problem.detail ?? problem.title) : null;
  if (top && message) {
    top.textContent = message;
    top.hidden = false;
  }
  form.querySelector('[aria-invalid="true"]')?.focus?.();
}

/** `serviceTypes[0]` and `address.line1` fall back to `serviceTypes` and `address`; names match case-insensitively. */
function slotFor(form, name) {
  const slots = [...form.querySelectorAll('[data-error-for]')];
  const candidates = [name, name.replace(/\[\d+\].*$/, ''), name.split('.')[0]];
  for (const candidate of candidates) {
    const slot = slots.find(s => s.dataset.errorFor.toLowerCase() === candidate.toLowerCase());
    if (slot) return slot;
  }
  return null;
}

/** A form's values: text as trimmed strings or null, checkbox groups as arrays. */
export function values(form) {
  const result = {};
  for (const element of form.elements) {
    if (!element.name || element.disabled) continue;
    if (element.type === 'checkbox') {
      if (element.dataset.group != null) {
        result[element.name] ??= [];
        if (element.checked) result[element.name].push(element.value);
      } else {
        result[element.name] = element.checked;
      }
    } else if (element.type !== 'submit' && element.type !== 'button') {
      const value = element.value.trim();
      result[element.name] = value === '' ? null : value;
    }
  }
  return result;
}

/**
 * The Idempotency-Key of a creating form: a new UUID per submission, the same one when the same request is sent again
 * after a failure (a retry must land on what the first attempt may have created), a new one once the body changed or
 * the request succeeded.
 */
export class Submission {
  #key = null;
  #body = null;

  keyFor(body) {
    const text = JSON.stringify(body);
    if (this.#key === null || this.#body !== text) {
      this.#key = newKey();
      this.#body = text;
    }
    return this.#key;
  }

  succeeded() {
    this.#key = null;
    this.#body = null;
  }
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context (https or localhost); elsewhere build the same v4 UUID by hand.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Wires a form: on submit clears errors, disables the submit button, runs `action(values)`, shows a problem on failure.
 * `action` returns a message to show on success (or nothing).
 */
export function onSubmit(form, action) {
  form.noValidate = true;
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const button = form.querySelector('[type=submit]');
    clearErrors(form);
    form.querySelector('[data-form-success]')?.setAttribute('hidden', '');
    if (button) button.disabled = true;
    try {
      const message = await action(values(form));
      const success = form.querySelector('[data-form-success]');
      if (message && success) {
        success.textContent = message;
        success.hidden = false;
      }
    } catch (error) {
      showProblem(form, error);
    } finally {
      if (button) button.disabled = false;
    }
  });
  return form;
}

export function formSuccess() {
  return h('p', { class: 'form-success', dataset: { formSuccess: '' }, testid: 'form-success', role: 'status', hidden: true });
}
