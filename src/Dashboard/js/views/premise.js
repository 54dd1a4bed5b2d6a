// A premise: its service points and who is on each, live (WatchPremise: every SA change at the premise).

import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { address, date } from '../format.js';
import { Feed, live } from '../live.js';
import { clockEvents } from './clock.js';
import { card, rememberAddress, statusBadge, timeline } from './parts.js';

export function premiseView(container, premiseId) {
  let premise = null;
  let disposed = false;
  const customers = new Map();
  const saFeed = new Feed(message => upsert(message.serviceAgreement));

  const head = h('div', { class: 'page-head' }, h('h1', null, 'Loading premise…'));
  const details = h('div', { class: 'card-body' });
  const points = h('div', { class: 'service-points', testid: 'service-points' });
  const historyBody = h('div', { class: 'card-body flush' });
  fill(container, head,
    h('div', { class: 'grid' },
      h('div', { class: 'stack' }, points),
      h('div', { class: 'stack' }, card('Premise', details), card('History', historyBody))));

  async function load() {
    try {
      premise = await api.premise(premiseId);
    } catch (error) {
      if (error.status === 404) {
        fill(head, h('div', null, h('h1', null, 'Premise not found'), h('p', { class: 'subtitle' }, error.message)));
        return;
      }
      throw error;
    }
    rememberAddress(premise);
    await loadCustomers();
    if (!disposed) render();
  }

  /** The main customer's name of each account on the premise, for the service point tables. */
  async function loadCustomers() {
    const accountIds = new Set(premise.servicePoints.flatMap(sp => sp.serviceAgreements.map(s => s.accountId)));
    await Promise.all([...accountIds].filter(id => !customers.has(id)).map(async id => {
      try {
        const account = await api.account(id);
        const main = account.persons.find(p => p.isMainCustomer);
        customers.set(id, main ? (await api.person(main.personId)).name : id);
      } catch {
        customers.set(id, id);
      }
    }));
  }

  async function loadHistory() {
    const entries = await api.premiseHistory(premiseId).catch(() => []);
    if (!disposed) fill(historyBody, timeline([...entries].sort((a, b) => b.seq - a.seq), () => 'Premise'));
  }

  function upsert(sa) {
    if (!premise || sa.premiseId !== premiseId) return;
    const point = premise.servicePoints.find(sp => sp.id === sa.servicePointId);
    if (!point) return;
    const row = { serviceAgreementId: sa.id, accountId: sa.accountId, status: sa.status, startDate: sa.startDate, stopDate: sa.stopDate };
    const index = point.serviceAgreements.findIndex(s => s.serviceAgreementId === sa.id);
    if (index >= 0) point.serviceAgreements[index] = row;
    else point.serviceAgreements.push(row);
    render();
    if (!customers.has(sa.accountId)) loadCustomers().then(() => disposed || render());
    loadHistory();
  }

  function render() {
    fill(head, h('div', null,
      h('h1', { testid: 'premise-title' }, premise.address.line1),
      h('p', { class: 'subtitle' }, h('span', { class: 'mono', testid: 'premise-id' }, premise.id), ' · ', address(premise.address))));
    fill(details, h('dl', { class: 'kv' },
      h('dt', null, 'Address'), h('dd', null, address(premise.address)),
      h('dt', null, 'Service territory'), h('dd', null, premise.inServiceTerritory ? 'Inside' : 'Outside'),
      h('dt', null, 'Life support'), h('dd', null, premise.lifeSupport ? h('span', { class: 'badge badge-life', testid: 'premise-life-support' }, 'Life support / sensitive load') : 'No'),
      h('dt', null, 'Parent premise'), h('dd', null, premise.parentPremiseId
        ? h('a', { href: `#/premises/${premise.parentPremiseId}`, class: 'mono' }, premise.parentPremiseId) : '—'),
      h('dt', null, 'Units'), h('dd', null, premise.childPremiseIds.length
        ? premise.childPremiseIds.map(id => h('div', null, h('a', { href: `#/premises/${id}`, class: 'mono' }, id))) : '—')));
    fill(points, premise.servicePoints.map(sp => card(`${sp.serviceType} service point`,
      sp.serviceAgreements.length === 0
        ? h('p', { class: 'empty' }, 'Nobody has service here.')
        : h('div', { class: 'card-body flush' }, h('table', null,
          h('thead', null, h('tr', null, ['Customer', 'Status', 'Start', 'Stop'].map(t => h('th', null, t)))),
          h('tbody', null, [...sp.serviceAgreements].sort((a, b) => b.startDate.localeCompare(a.startDate)).map(s =>
            h('tr', { testid: 'premise-sa-row', dataset: { saId: s.serviceAgreementId, status: s.status } },
              h('td', null, h('a', { href: `#/accounts/${s.accountId}` }, customers.get(s.accountId) ?? s.accountId),
                h('div', { class: 'muted mono' }, s.serviceAgreementId)),
              h('td', null, statusBadge(s.status, 'premise-sa-status')),
              h('td', { class: 'nowrap' }, date(s.startDate)),
              h('td', { class: 'nowrap' }, date(s.stopDate))))))),
      { testid: 'service-point', tools: h('span', { class: 'muted mono' }, sp.meterId ? `meter ${sp.meterId}` : sp.id) })));
  }

  async function sync(connected) {
    let snapshot = null;
    if (connected) {
      saFeed.begin();
      try {
        snapshot = await live.invoke('WatchPremise', premiseId);
      } catch (error) {
        console.warn('WatchPremise failed; showing the premise without live updates', error);
        saFeed.abandon();
      }
    }
    try {
      await load();
    } finally {
      if (snapshot) saFeed.settle(snapshot.seq);
    }
    loadHistory();
  }

  const offSa = live.on('serviceAgreement', message => {
    if (message.serviceAgreement?.premiseId === premiseId) saFeed.offer(message);
  });
  const onClock = () => live.connected || load();
  clockEvents.addEventListener('moved', onClock);
  const unsubscribe = live.subscribe(sync);
  return () => {
    disposed = true;
    offSa();
    unsubscribe();
    clockEvents.removeEventListener('moved', onClock);
    live.tryInvoke('UnwatchPremise', premiseId);
  };
}
