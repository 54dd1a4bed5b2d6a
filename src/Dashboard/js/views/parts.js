// Pieces the account and premise views share.

import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { errorSlot } from '../forms.js';
import { address, date, instant, words } from '../format.js';

export function badge(text, className = '', testid) {
  return h('span', { class: `badge ${className}`, testid }, text);
}

export function statusBadge(status, testid) {
  return h('span', { class: `badge status-${status}`, testid, dataset: { status } }, words(status));
}

export function card(title, body, { tools, count, testid } = {}) {
  return h('section', { class: 'card', testid },
    h('div', { class: 'card-head' }, h('h2', null, title), count != null ? h('span', { class: 'count' }, count) : null,
      tools ? h('div', { class: 'tools' }, tools) : null),
    body);
}

const addresses = new Map();

/** A premise's address, fetched once per page load (addresses do not change). */
export async function premiseAddress(premiseId) {
  if (!addresses.has(premiseId)) {
    addresses.set(premiseId, api.premise(premiseId).then(p => address(p.address), () => premiseId));
  }
  return addresses.get(premiseId);
}

export function rememberAddress(premise) {
  addresses.set(premise.id, Promise.resolve(address(premise.address)));
}

/**
 * A premise field with a finder: type a premise id, or search by address and pick one. `onPicked(premise)` runs
 * with the loaded premise whenever the id changes to a premise that exists.
 */
export function premisePicker(label, name, onPicked) {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const input = h('input', { type: 'text', id, name, placeholder: 'PRM-…', autocomplete: 'off', class: 'mono', testid: `${name}-input` });
  const finder = h('input', { type: 'search', placeholder: 'Search by address', 'aria-label': `${label}: search by address`, testid: `${name}-finder` });
  const picks = h('div', { class: 'picker', testid: `${name}-picks` });
  const error = errorSlot(name);
  input.setAttribute('aria-describedby', error.id);

  async function find() {
    const text = finder.value.trim();
    if (text.length < 2) return;
    fill(picks, h('span', { class: 'hint' }, 'Searching…'));
    try {
      const rows = (await api.search(text)).filter(r => r.premiseId);
      const unique = [...new Map(rows.map(r => [r.premiseId, r])).values()];
      fill(picks, unique.length === 0 ? h('span', { class: 'hint' }, 'No premise matches.') : unique.map(r =>
        h('button', { type: 'button', testid: 'premise-pick', dataset: { premiseId: r.premiseId }, onclick: () => pick(r.premiseId) },
          r.address, ' ', h('span', { class: 'muted mono' }, r.premiseId))));
    } catch (problem) {
      fill(picks, h('span', { class: 'field-error' }, problem.message));
    }
  }

  async function pick(premiseId) {
    input.value = premiseId;
    fill(picks);
    await load();
  }

  let loaded = null;
  async function load() {
    const value = input.value.trim().toUpperCase();
    if (!/^PRM-[0-9A-Z]{10}$/.test(value) || value === loaded) return;
    loaded = value;
    try {
      const premise = await api.premise(value);
      rememberAddress(premise);
      onPicked(premise);
    } catch {
      loaded = null;
    }
  }

  finder.addEventListener('keydown', event => {
    if (event.key === 'Enter') {
      event.preventDefault();
      find();
    }
  });
  input.addEventListener('change', load);

  const element = h('div', { class: 'field' },
    h('label', { for: id }, label),
    input,
    h('div', { class: 'search-bar' }, finder, h('button', { type: 'button', class: 'button button-secondary button-small', onclick: find, testid: `${name}-find` }, 'Find')),
    picks,
    error);
  return { element, input };
}

/** History entries (GET …/history) merged into one timeline, newest first. */
export function timeline(entries, subjectOf) {
  if (entries.length === 0) return h('p', { class: 'empty' }, 'No history yet.');
  return h('ol', { class: 'timeline', testid: 'history' }, entries.map(entry => h('li', { testid: 'history-entry', dataset: { type: entry.type } },
    h('div', { class: 'when' }, instant(entry.occurredAt), ' · ', subjectOf(entry)),
    h('div', { class: 'what' }, words(entry.type)),
    h('div', { class: 'who' }, 'by ', entry.actor, entry.reason ? ` — ${entry.reason}` : '', entry.comment ? ` (“${entry.comment}”)` : ''),
    changesOf(entry))));
}

const shownChanges = ['status', 'startDate', 'stopDate', 'read', 'startRead', 'stopRead', 'completedOn', 'serviceType', 'customerClass', 'scheduledDate', 'previousStopDate'];

function changesOf(entry) {
  const parts = [];
  for (const key of shownChanges) {
    const value = entry.changes?.[key];
    if (value == null || typeof value === 'object') continue;
    parts.push(`${words(key).toLowerCase()}: ${/Date$|On$/.test(key) ? date(value) : words(String(value))}`);
  }
  return parts.length ? h('div', { class: 'changes' }, parts.join(' · ')) : null;
}
