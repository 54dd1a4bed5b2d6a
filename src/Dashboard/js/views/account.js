// The account in context (Control Central's account view): the alert zone, persons, service agreements, pending field
// activities and the history, with the forms a CSR works from. Alerts and SAs change live (WatchAccount); history and
// field activities are reloaded when an SA changes.

import { api } from '../api.js';
import { fill, h, toast } from '../dom.js';
import { checkGroup, field, formError, formSuccess, onSubmit, Submission } from '../forms.js';
import { date, serviceTypes, words } from '../format.js';
import { Feed, live } from '../live.js';
import { clockEvents } from './clock.js';
import { badge, card, premiseAddress, premisePicker, statusBadge, timeline } from './parts.js';

const severityIcon = { Critical: '!', Warning: '▲', Info: 'i' };
const severityRank = { Critical: 0, Warning: 1, Info: 2 };

export function accountView(container, accountId) {
  let account = null;
  let alerts = null;
  let fieldActivities = [];
  const persons = new Map();
  let selectedSa = null;
  let disposed = false;

  const alertsFeed = new Feed(message => {
    alerts = message.alerts;
    renderAlerts();
  });
  const saFeed = new Feed(message => upsertServiceAgreement(message.serviceAgreement));

  const head = h('div', { class: 'page-head' });
  const alertZone = h('div', { class: 'alert-zone', testid: 'alert-zone', 'aria-live': 'polite' });
  const formArea = h('div', { testid: 'form-area' });
  const personsBody = h('div', { class: 'card-body flush' });
  const saBody = h('div', { class: 'card-body flush' });
  const saPanel = h('div', { testid: 'sa-panel' });
  const faBody = h('div', { class: 'card-body flush' });
  const faPanel = h('div', { testid: 'fa-panel' });
  const historyBody = h('div', { class: 'card-body flush' });

  fill(container,
    head,
    card('Alerts', alertZone, { testid: 'alerts-card' }),
    h('div', { style: 'height:16px' }),
    formArea,
    h('div', { class: 'grid' },
      h('div', { class: 'stack' },
        card('Service agreements', h('div', null, saBody, saPanel), { testid: 'sa-card' }),
        card('Pending field activities', h('div', null, faBody, faPanel), {
          testid: 'fa-card',
          tools: h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => loadFieldActivities(), testid: 'fa-refresh' }, 'Refresh'),
        })),
      h('div', { class: 'stack' },
        card('Persons', personsBody, { testid: 'persons-card' }),
        card('History', historyBody, { testid: 'history-card' }))));
  fill(head, h('h1', null, 'Loading account…'));
  fill(alertZone, h('p', { class: 'muted' }, 'Loading alerts…'));

  // ---- loading ------------------------------------------------------------------------------------------------

  async function loadAccount() {
    try {
      account = await api.account(accountId);
    } catch (error) {
      if (error.status === 404) {
        fill(head, h('div', null, h('h1', null, 'Account not found'), h('p', { class: 'subtitle' }, error.message)));
        return false;
      }
      throw error;
    }
    await Promise.all(account.persons.filter(p => !persons.has(p.personId)).map(async p => {
      persons.set(p.personId, await api.person(p.personId).catch(() => ({ id: p.personId, name: p.personId })));
    }));
    if (disposed) return false;
    renderHead();
    renderPersons();
    renderServiceAgreements();
    return true;
  }

  async function loadAlerts() {
    try {
      alerts = await api.accountAlerts(accountId);
    } catch (error) {
      alerts = null;
      fill(alertZone, h('p', { class: 'muted' }, `Alerts unavailable: ${error.message}`));
      return;
    }
    renderAlerts();
  }

  /** Reloads the account over REST without losing live SA changes that arrive meanwhile. */
  async function reloadAccount() {
    saFeed.begin();
    try {
      await loadAccount();
    } finally {
      saFeed.settle(undefined);
    }
    if (!live.connected) await loadAlerts();
    scheduleSecondary();
  }

  async function loadFieldActivities() {
    if (!account) return;
    const premiseIds = [...new Set(account.serviceAgreements.filter(s => s.status !== 'Canceled').map(s => s.premiseId))];
    const lists = await Promise.all(premiseIds.map(premiseId => api.fieldActivities({ premiseId, status: 'Pending' }).catch(() => [])));
    fieldActivities = lists.flat().filter(f => f.accountId === accountId);
    if (!disposed) renderFieldActivities();
  }

  async function loadHistory() {
    if (!account) return;
    const sas = account.serviceAgreements;
    const [own, ...perSa] = await Promise.all([
      api.accountHistory(accountId).catch(() => []),
      ...sas.map(s => api.serviceAgreementHistory(s.id).catch(() => [])),
    ]);
    const subject = new Map();
    own.forEach(e => subject.set(e.seq, 'Account'));
    perSa.forEach((entries, i) => entries.forEach(e => subject.set(e.seq, `${sas[i].serviceType} ${sas[i].id}`)));
    const entries = [...own, ...perSa.flat()].sort((a, b) => b.seq - a.seq).slice(0, 60);
    if (!disposed) fill(historyBody, timeline(entries, e => subject.get(e.seq)));
  }

  let secondaryTimer = null;
  function scheduleSecondary() {
    clearTimeout(secondaryTimer);
    secondaryTimer = setTimeout(() => {
      loadFieldActivities();
      loadHistory();
    }, 250);
  }

  async function sync(connected) {
    let snapshot = null;
    if (connected) {
      alertsFeed.begin();
      saFeed.begin();
      try {
        snapshot = await live.invoke('WatchAccount', accountId);
      } catch (error) {
        console.warn('WatchAccount failed; showing the account without live updates', error);
        alertsFeed.abandon();
        saFeed.abandon();
      }
    }
    if (snapshot) {
      alerts = snapshot.alerts;
      renderAlerts();
      alertsFeed.settle(snapshot.seq);
      try {
        await loadAccount();
      } finally {
        saFeed.settle(snapshot.seq);
      }
    } else {
      await Promise.all([loadAccount(), loadAlerts()]);
    }
    scheduleSecondary();
  }

  function upsertServiceAgreement(sa) {
    if (!account || sa.accountId !== accountId) return;
    const summary = {
      id: sa.id, premiseId: sa.premiseId, servicePointId: sa.servicePointId, serviceType: sa.serviceType,
      status: sa.status, startDate: sa.startDate, stopDate: sa.stopDate,
    };
    const index = account.serviceAgreements.findIndex(s => s.id === sa.id);
    if (index >= 0) account.serviceAgreements[index] = summary;
    else account.serviceAgreements.push(summary);
    renderServiceAgreements();
    scheduleSecondary();
  }

  // ---- rendering ----------------------------------------------------------------------------------------------

  function mainCustomer() {
    const main = account.persons.find(p => p.isMainCustomer);
    return main ? persons.get(main.personId) : null;
  }

  function renderHead() {
    const main = mainCustomer();
    fill(head,
      h('div', null,
        h('h1', { testid: 'account-title' }, main?.name ?? account.id),
        h('p', { class: 'subtitle' },
          h('span', { class: 'mono', testid: 'account-id' }, account.id), ' · ', words(account.customerClass), ' account',
          account.finalBillRequired ? [' · ', badge('Final bill required', 'status-PendingStop')] : null)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button', onclick: () => openForm('start'), testid: 'open-start-service' }, 'Start service'),
        h('button', { type: 'button', class: 'button button-secondary', onclick: () => openForm('stop'), testid: 'open-stop-service' }, 'Stop service'),
        h('button', { type: 'button', class: 'button button-secondary', onclick: () => openForm('transfer'), testid: 'open-transfer-service' }, 'Transfer service')));
  }

  function renderAlerts() {
    if (alerts === null) return;
    if (alerts.length === 0) {
      fill(alertZone, h('p', { class: 'muted', testid: 'no-alerts' }, 'No alerts for this account.'));
      return;
    }
    const sorted = [...alerts].sort((a, b) => (severityRank[a.severity] ?? 3) - (severityRank[b.severity] ?? 3));
    fill(alertZone, sorted.map(alert => h('div', {
      class: 'alert', role: alert.severity === 'Critical' ? 'alert' : null, testid: 'alert',
      dataset: { code: alert.code, severity: alert.severity },
    },
    h('span', { class: 'alert-icon', 'aria-hidden': 'true' }, severityIcon[alert.severity] ?? '•'),
    h('div', null,
      h('div', { class: 'alert-code' }, `${alert.severity.toUpperCase()} · ${alert.code}`),
      h('div', { class: 'alert-message' }, alert.message)))));
  }

  function renderPersons() {
    fill(personsBody, h('table', { testid: 'persons' },
      h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Contact'), h('th', null, 'Role'))),
      h('tbody', null, [...account.persons].sort((a, b) => b.isMainCustomer - a.isMainCustomer).map(p => {
        const person = persons.get(p.personId) ?? {};
        return h('tr', { testid: 'person-row', dataset: { personId: p.personId, main: String(p.isMainCustomer) } },
          h('td', null, h('strong', null, person.name ?? p.personId), h('div', { class: 'muted mono' }, p.personId)),
          h('td', null, person.phone ?? '', person.email ? h('div', { class: 'muted' }, person.email) : null),
          h('td', null,
            p.isMainCustomer ? badge('Main customer', 'badge-main', 'main-customer') : null, ' ',
            p.isFinanciallyResponsible && !p.isMainCustomer ? badge('Financially responsible') : null, ' ',
            p.receivesBillCopy ? badge('Bill copy') : null, ' ',
            person.lifeSupport ? badge('Life support', 'badge-life') : null));
      }))));
  }

  function renderServiceAgreements() {
    const sas = [...account.serviceAgreements].sort((a, b) => a.startDate.localeCompare(b.startDate) || a.serviceType.localeCompare(b.serviceType));
    if (sas.length === 0) {
      fill(saBody, h('p', { class: 'empty', testid: 'no-sas' }, 'No service agreements yet. Start service to create one.'));
      return;
    }
    const rows = sas.map(sa => {
      const where = h('span', { class: 'mono' }, sa.premiseId);
      premiseAddress(sa.premiseId).then(text => {
        where.className = '';
        fill(where, text);
      });
      return h('tr', { testid: 'sa-row', dataset: { saId: sa.id, status: sa.status }, class: selectedSa === sa.id ? 'selected' : null },
        h('td', null, h('strong', null, sa.serviceType), h('div', { class: 'muted mono' }, sa.id)),
        h('td', null, h('a', { href: `#/premises/${sa.premiseId}` }, where)),
        h('td', null, statusBadge(sa.status, 'sa-status')),
        h('td', { testid: 'sa-start', class: 'nowrap' }, date(sa.startDate)),
        h('td', { testid: 'sa-stop', class: 'nowrap' }, date(sa.stopDate)),
        h('td', null, h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => openSaPanel(sa.id), testid: 'sa-manage' }, 'Manage')));
    });
    fill(saBody, h('table', { testid: 'service-agreements' },
      h('thead', null, h('tr', null, ['Service', 'Premise', 'Status', 'Start', 'Stop', ''].map(t => h('th', null, t)))),
      h('tbody', null, rows)));
  }

  function renderFieldActivities() {
    if (fieldActivities.length === 0) {
      fill(faBody, h('p', { class: 'empty', testid: 'no-field-activities' }, 'No pending field activities.'));
      return;
    }
    fill(faBody, h('table', { testid: 'field-activities' },
      h('thead', null, h('tr', null, ['Activity', 'Service agreement', 'Scheduled', ''].map(t => h('th', null, t)))),
      h('tbody', null, fieldActivities.map(fa => h('tr', { testid: 'fa-row', dataset: { faId: fa.id } },
        h('td', null, h('strong', null, `${fa.kind} read`), h('div', { class: 'muted mono' }, fa.id)),
        h('td', { class: 'mono' }, fa.serviceAgreementId),
        h('td', { class: 'nowrap' }, date(fa.scheduledDate)),
        h('td', null, h('button', { type: 'button', class: 'button button-small', onclick: () => openFaPanel(fa), testid: 'fa-complete-open' }, 'Enter read')))))));
  }

  // ---- forms --------------------------------------------------------------------------------------------------

  function panel(title, testid, body, onClose) {
    return h('section', { class: 'card', testid, style: 'margin-bottom:16px' },
      h('div', { class: 'card-head' }, h('h2', null, title),
        h('div', { class: 'tools' }, h('button', { type: 'button', class: 'button button-secondary button-small', onclick: onClose, testid: 'close-form' }, 'Close'))),
      h('div', { class: 'card-body' }, body));
  }

  function openForm(kind) {
    const close = () => fill(formArea);
    const forms = { start: startForm, stop: stopForm, transfer: transferForm };
    fill(formArea, forms[kind](close));
    formArea.querySelector('input, select')?.focus();
  }

  function serviceTypeChoices(premise, current) {
    if (!premise) return serviceTypes;
    return premise.servicePoints.map(sp => {
      const occupied = sp.serviceAgreements.filter(s => ['PendingStart', 'Active', 'PendingStop'].includes(s.status) && s.accountId !== accountId);
      return [sp.serviceType, occupied.length ? `${sp.serviceType} (now: ${occupied.map(s => `${s.accountId} ${words(s.status).toLowerCase()}`).join(', ')})` : sp.serviceType];
    }).filter(([type]) => !current || current.includes(type));
  }

  function startForm(close) {
    const submission = new Submission();
    const typesSlot = h('div', null, checkGroup('Services', 'serviceTypes', serviceTypes));
    const picker = premisePicker('Premise', 'premiseId', premise => {
      const choices = serviceTypeChoices(premise);
      fill(typesSlot, checkGroup('Services', 'serviceTypes', choices, choices.map(([type]) => type)));
    });
    const form = onSubmit(h('form', { class: 'form', testid: 'start-service-form' },
      formError(),
      formSuccess(),
      h('div', { class: 'form-row' },
        picker.element,
        h('div', { class: 'stack' },
          field('Start date', 'startDate', h('input', { type: 'date', testid: 'startDate-input' })),
          typesSlot,
          h('label', { class: 'checks' }, h('input', { type: 'checkbox', name: 'stopCurrentOccupants', testid: 'stopCurrentOccupants-input' }),
            'Stop the current occupants on the start date'))),
      h('div', { class: 'form-row' },
        field('Reason', 'reason', h('input', { type: 'text', placeholder: 'e.g. move-in', testid: 'reason-input' })),
        field('Comment', 'comment', h('input', { type: 'text', testid: 'comment-input' }))),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button', testid: 'start-service-submit' }, 'Start service'))),
    async v => {
      const body = {
        accountId, premiseId: v.premiseId?.toUpperCase() ?? null, startDate: v.startDate, serviceTypes: v.serviceTypes ?? [],
        stopCurrentOccupants: v.stopCurrentOccupants === true, reason: v.reason, comment: v.comment,
      };
      const result = await api.startService(body, submission.keyFor(body));
      submission.succeeded();
      toast(`Service starts ${date(result.startDate)}: ${result.serviceAgreements.map(s => `${s.serviceType} ${s.id}`).join(', ')}.`);
      close();
      await reloadAccount();
    });
    return panel('Start service', 'start-service', form, close);
  }

  function premisesInService() {
    const ids = account.serviceAgreements.filter(s => ['Active', 'PendingStart', 'PendingStop'].includes(s.status)).map(s => s.premiseId);
    return [...new Set(ids)];
  }

  function premiseSelect(name) {
    const select = h('select', { testid: `${name}-input` },
      h('option', { value: '' }, 'Choose a premise…'),
      premisesInService().map(id => {
        const option = h('option', { value: id }, id);
        premiseAddress(id).then(text => { option.textContent = `${text} (${id})`; });
        return option;
      }));
    if (premisesInService().length === 1) select.value = premisesInService()[0];
    return select;
  }

  function stopForm(close) {
    const form = onSubmit(h('form', { class: 'form', testid: 'stop-service-form' },
      formError(),
      h('div', { class: 'form-row' },
        field('Premise', 'premiseId', premiseSelect('premiseId')),
        field('Stop date', 'stopDate', h('input', { type: 'date', testid: 'stopDate-input' })),
        checkGroup('Services (none checked: all)', 'serviceTypes', serviceTypes)),
      h('div', { class: 'form-row' },
        field('Reason', 'reason', h('input', { type: 'text', placeholder: 'e.g. moving out', testid: 'reason-input' })),
        field('Comment', 'comment', h('input', { type: 'text', testid: 'comment-input' }))),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button', testid: 'stop-service-submit' }, 'Stop service'))),
    async v => {
      const result = await api.stopService({
        accountId, premiseId: v.premiseId, stopDate: v.stopDate, serviceTypes: v.serviceTypes?.length ? v.serviceTypes : null,
        reason: v.reason, comment: v.comment,
      });
      toast(`Service stops ${date(result.stopDate)}: ${result.serviceAgreements.map(s => s.id).join(', ')}.`);
      close();
      await reloadAccount();
    });
    return panel('Stop service', 'stop-service', form, close);
  }

  function transferForm(close) {
    const submission = new Submission();
    const picker = premisePicker('To premise', 'toPremiseId', () => {});
    const form = onSubmit(h('form', { class: 'form', testid: 'transfer-service-form' },
      formError(),
      h('div', { class: 'form-row' },
        field('From premise', 'fromPremiseId', premiseSelect('fromPremiseId')),
        picker.element),
      h('div', { class: 'form-row' },
        field('Date (stop there, start here)', 'date', h('input', { type: 'date', testid: 'date-input' })),
        checkGroup('Services (none checked: all)', 'serviceTypes', serviceTypes)),
      h('div', { class: 'form-row' },
        field('Reason', 'reason', h('input', { type: 'text', placeholder: 'e.g. moving house', testid: 'reason-input' })),
        field('Comment', 'comment', h('input', { type: 'text', testid: 'comment-input' }))),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button', testid: 'transfer-service-submit' }, 'Transfer service'))),
    async v => {
      const body = {
        accountId, fromPremiseId: v.fromPremiseId, toPremiseId: v.toPremiseId?.toUpperCase() ?? null, date: v.date,
        serviceTypes: v.serviceTypes?.length ? v.serviceTypes : null, reason: v.reason, comment: v.comment,
      };
      const result = await api.transferService(body, submission.keyFor(body));
      submission.succeeded();
      toast(`Transfer on ${date(result.start.startDate)}: ${result.stop.serviceAgreements.length} stopping, ${result.start.serviceAgreements.length} starting.`);
      close();
      await reloadAccount();
    });
    return panel('Transfer service', 'transfer-service', form, close);
  }

  async function openSaPanel(saId) {
    selectedSa = saId;
    renderServiceAgreements();
    fill(saPanel, h('div', { class: 'panel' }, h('p', { class: 'muted' }, 'Loading…')));
    let sa;
    try {
      sa = await api.serviceAgreement(saId);
    } catch (error) {
      fill(saPanel, h('div', { class: 'panel' }, h('p', { class: 'form-error' }, error.message)));
      return;
    }
    const close = () => {
      selectedSa = null;
      fill(saPanel);
      renderServiceAgreements();
    };
    const stopDate = field('Stop date', 'stopDate', h('input', { type: 'date', value: sa.stopDate ?? '', testid: 'sa-stopDate-input' }));
    const action = h('select', { testid: 'sa-action-input', onchange: () => { stopDate.hidden = action.value !== 'stop'; } },
      h('option', { value: 'activate' }, 'Activate'),
      h('option', { value: 'stop' }, 'Request stop (or move the stop date)'),
      h('option', { value: 'cancel' }, 'Cancel'));
    action.value = sa.status === 'PendingStart' ? 'activate' : 'stop';
    stopDate.hidden = action.value !== 'stop';
    const form = onSubmit(h('form', { class: 'form', testid: 'sa-action-form' },
      formError(),
      h('div', { class: 'form-row' },
        field('Action', 'action', action),
        stopDate,
        field('Reason', 'reason', h('input', { type: 'text', testid: 'sa-reason-input' })),
        field('Comment', 'comment', h('input', { type: 'text', testid: 'sa-comment-input' }))),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button', testid: 'sa-action-submit' }, 'Apply'))),
    async v => {
      const body = { reason: v.reason, comment: v.comment, version: sa.version };
      if (v.action === 'stop') body.stopDate = v.stopDate;
      const updated = await api.serviceAgreementAction(saId, v.action, body);
      toast(`${updated.serviceType} ${updated.id} is now ${words(updated.status).toLowerCase()}.`);
      close();
      await reloadAccount();
    });
    fill(saPanel, h('div', { class: 'panel' },
      h('div', { class: 'panel-title' }, h('h3', null, `${sa.serviceType} ${sa.id}`), statusBadge(sa.status),
        h('button', { type: 'button', class: 'button button-secondary button-small close', onclick: close }, 'Close')),
      h('dl', { class: 'kv', style: 'margin-bottom:12px' },
        h('dt', null, 'Start'), h('dd', null, date(sa.startDate), sa.startRead != null ? ` · read ${sa.startRead}` : ''),
        h('dt', null, 'Stop'), h('dd', null, date(sa.stopDate), sa.stopRead != null ? ` · read ${sa.stopRead}` : ''),
        h('dt', null, 'Service point'), h('dd', { class: 'mono' }, sa.servicePointId),
        h('dt', null, 'Balance'), h('dd', null, `$${Number(sa.balance).toFixed(2)}`)),
      form));
  }

  function openFaPanel(fa) {
    const close = () => fill(faPanel);
    const form = onSubmit(h('form', { class: 'form', testid: 'fa-complete-form' },
      formError(),
      h('div', { class: 'form-row' },
        field('Meter read', 'read', h('input', { type: 'number', step: 'any', min: 0, testid: 'read-input' })),
        field('Read on', 'completedOn', h('input', { type: 'date', value: fa.scheduledDate, testid: 'completedOn-input' })),
        field('Comment', 'comment', h('input', { type: 'text', testid: 'fa-comment-input' }))),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button', testid: 'fa-complete-submit' }, 'Complete field activity'))),
    async v => {
      const read = v.read === null ? null : Number(v.read);
      const done = await api.completeFieldActivity(fa.id, { read: Number.isNaN(read) ? v.read : read, completedOn: v.completedOn, comment: v.comment });
      toast(`${done.id} completed with read ${done.read}.`);
      close();
      await reloadAccount();
    });
    fill(faPanel, h('div', { class: 'panel' },
      h('div', { class: 'panel-title' }, h('h3', null, `${fa.kind} read for ${fa.serviceAgreementId}`),
        h('button', { type: 'button', class: 'button button-secondary button-small close', onclick: close }, 'Close')),
      form));
  }

  // ---- live ---------------------------------------------------------------------------------------------------

  const offAlerts = live.on('alerts', message => {
    if (message.accountId === accountId) alertsFeed.offer(message);
  });
  const offSa = live.on('serviceAgreement', message => {
    if (message.accountId === accountId) saFeed.offer(message);
  });
  const onClock = () => (live.connected ? scheduleSecondary() : reloadAccount());
  clockEvents.addEventListener('moved', onClock);
  const unsubscribe = live.subscribe(sync);

  return () => {
    disposed = true;
    clearTimeout(secondaryTimer);
    offAlerts();
    offSa();
    unsubscribe();
    clockEvents.removeEventListener('moved', onClock);
    live.tryInvoke('UnwatchAccount', accountId);
  };
}
