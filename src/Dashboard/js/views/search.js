// Control Central search: GET /api/search?q= by name, phone, address, or account, premise or person id.

import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { field, formError, onSubmit } from '../forms.js';

export function searchView(container, initial) {
  const input = h('input', {
    type: 'search', value: initial, placeholder: 'Name, phone, address, or an ACC-, PRM- or PER- id',
    autocomplete: 'off', testid: 'search-input',
  });
  const results = h('div', { testid: 'search-results-area' });
  const form = onSubmit(h('form', { class: 'form', role: 'search', testid: 'search-form' },
    formError(),
    h('div', { class: 'search-bar' },
      field('Find a customer', 'q', input),
      h('div', { class: 'field' }, h('span', { class: 'label' }, '\u00a0'),
        h('button', { type: 'submit', class: 'button', testid: 'search-submit' }, 'Search')))),
  async ({ q }) => {
    const text = q ?? '';
    if (location.hash !== `#/search?q=${encodeURIComponent(text)}`) history.replaceState(null, '', `#/search?q=${encodeURIComponent(text)}`);
    fill(results, h('p', { class: 'muted' }, 'Searching…'));
    try {
      show(await api.search(text), text);
    } catch (error) {
      fill(results);
      throw error;
    }
  });

  function show(rows, text) {
    if (rows.length === 0) {
      fill(results, h('div', { class: 'card' }, h('p', { class: 'empty', testid: 'search-empty' }, `Nobody matches “${text}”.`)));
      return;
    }
    fill(results, h('div', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', null, 'Results'), h('span', { class: 'count' }, `${rows.length}`)),
      h('div', { class: 'card-body flush' }, h('table', { testid: 'search-results' },
        h('thead', null, h('tr', null, h('th', null, 'Customer'), h('th', null, 'Account'), h('th', null, 'Premise'))),
        h('tbody', null, rows.map(row => h('tr', {
          class: 'result-row', testid: 'search-result', dataset: { accountId: row.accountId ?? '', premiseId: row.premiseId ?? '' },
          onclick: event => {
            if (event.target.closest('a')) return;
            location.hash = row.accountId ? `#/accounts/${row.accountId}` : row.premiseId ? `#/premises/${row.premiseId}` : location.hash;
          },
        },
        h('td', null, row.name ?? h('span', { class: 'muted' }, 'No customer'), row.personId ? h('div', { class: 'muted mono' }, row.personId) : null),
        h('td', null, row.accountId ? h('a', { href: `#/accounts/${row.accountId}`, class: 'mono', testid: 'open-account' }, row.accountId) : h('span', { class: 'muted' }, '—')),
        h('td', null, row.premiseId
          ? [h('a', { href: `#/premises/${row.premiseId}`, testid: 'open-premise' }, row.address), h('div', { class: 'muted mono' }, row.premiseId)]
          : h('span', { class: 'muted' }, '—')))))))));
  }

  fill(container,
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Control Central'),
      h('p', { class: 'subtitle' }, 'Search for a customer to open their account, or a premise to see who is on it.'))),
    h('div', { class: 'card', style: 'margin-bottom:16px' }, h('div', { class: 'card-body' }, form)),
    results);
  input.focus();
  if (initial.trim()) form.requestSubmit();
  return () => {};
}
