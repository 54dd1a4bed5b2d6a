// A role's To Do queue, live (WatchRole): entries appear the moment the engine creates them (an activation exception at
// a start date, an aged pending start, ...) and change as anyone assigns or completes them.

import { api } from '../api.js';
import { fill, h, toast } from '../dom.js';
import { field, formError, onSubmit } from '../forms.js';
import { instant, words } from '../format.js';
import { Feed, live } from '../live.js';
import { session } from '../session.js';

const priorityRank = { High: 0, Normal: 1, Low: 2 };

export function todosView(container, role) {
  const todos = new Map();
  let disposed = false;
  const feed = new Feed(message => {
    todos.set(message.todo.id, message.todo);
    render();
  });

  const roleInput = h('input', { type: 'text', value: role, list: 'known-roles', testid: 'role-input' });
  const roleForm = h('form', { class: 'form-actions', testid: 'role-form' },
    field('Role', 'role', roleInput),
    h('datalist', { id: 'known-roles' }, h('option', { value: 'CSR' }), h('option', { value: 'Admin' })),
    h('button', { type: 'submit', class: 'button button-secondary' }, 'Show queue'));
  roleForm.addEventListener('submit', event => {
    event.preventDefault();
    const next = roleInput.value.trim() || 'CSR';
    location.hash = `#/todos?role=${encodeURIComponent(next)}`;
  });
  const body = h('div', { class: 'card-body flush' }, h('p', { class: 'empty' }, 'Loading…'));
  const panel = h('div', { testid: 'todo-panel' });
  const count = h('span', { class: 'count', testid: 'todo-count' });

  fill(container,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'To Do queue'), h('p', { class: 'subtitle' }, 'Work for the ', h('strong', { testid: 'todo-role' }, role),
        ' role. New entries appear here as the engine creates them.')),
      h('div', { class: 'actions' }, roleForm)),
    h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', null, 'Entries'), count),
      body, panel));

  /** The queue is the role's work still to do: an entry completed, or forwarded to another role, leaves it. */
  function visible() {
    return [...todos.values()]
      .filter(t => t.status !== 'Complete' && t.role.toLowerCase() === role.toLowerCase())
      .sort((a, b) => (priorityRank[a.priority] ?? 3) - (priorityRank[b.priority] ?? 3) || a.createdAt.localeCompare(b.createdAt));
  }

  function render() {
    if (disposed) return;
    const rows = visible();
    count.textContent = `${rows.length}`;
    if (rows.length === 0) {
      fill(body, h('p', { class: 'empty', testid: 'no-todos' }, `Nothing waiting for ${role}.`));
      return;
    }
    fill(body, h('table', { testid: 'todos' },
      h('thead', null, h('tr', null, ['Priority', 'To Do', 'Subject', 'Created', 'Status', ''].map(t => h('th', null, t)))),
      h('tbody', null, rows.map(t => h('tr', { testid: 'todo-row', dataset: { todoId: t.id, type: t.type, status: t.status, subject: t.subject.id } },
        h('td', null, h('span', { class: `badge priority-${t.priority}` }, t.priority)),
        h('td', null, h('strong', null, words(t.type)), h('div', { testid: 'todo-message' }, t.message), h('div', { class: 'muted mono' }, t.id)),
        h('td', null, subjectLink(t)),
        h('td', { class: 'nowrap' }, instant(t.createdAt)),
        h('td', null, h('span', { class: `badge status-${t.status}`, testid: 'todo-status' }, words(t.status)),
          t.assignedTo ? h('div', { class: 'muted', testid: 'todo-assignee' }, `to ${t.assignedTo}`) : null,
          t.resolution ? h('div', { class: 'muted' }, t.resolution) : null),
        h('td', null, t.status === 'Complete' ? null : h('div', { class: 'form-actions' },
          t.assignedTo === session.username ? null
            : h('button', { type: 'button', class: 'button button-secondary button-small', testid: 'todo-assign', onclick: () => assign(t) }, 'Assign to me'),
          h('button', { type: 'button', class: 'button button-small', testid: 'todo-complete', onclick: () => openComplete(t) }, 'Complete'))))))));
  }

  function subjectLink(t) {
    const account = t.accountId ? h('div', null, h('a', { href: `#/accounts/${t.accountId}`, class: 'mono' }, t.accountId)) : null;
    return [h('div', null, words(t.subject.kind), ' ', h('span', { class: 'mono' }, t.subject.id)), account];
  }

  async function assign(t) {
    try {
      applyRest(await api.assignTodo(t.id, { user: session.username }));
      toast(`${t.id} is assigned to you.`);
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  function openComplete(t) {
    const close = () => fill(panel);
    const form = onSubmit(h('form', { class: 'form', testid: 'todo-complete-form' },
      formError(),
      field('Comment', 'comment', h('input', { type: 'text', placeholder: 'What was done', testid: 'todo-comment-input' })),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'button', testid: 'todo-complete-submit' }, 'Complete To Do'),
        h('button', { type: 'button', class: 'button button-secondary', onclick: close }, 'Cancel'))),
    async v => {
      applyRest(await api.completeTodo(t.id, { comment: v.comment }));
      toast(`${t.id} is complete.`);
      close();
    });
    fill(panel, h('div', { class: 'panel' }, h('div', { class: 'panel-title' }, h('h3', null, `Complete: ${t.message}`)), form));
    form.querySelector('input')?.focus();
  }

  /** An entry as a REST call returned it: current when it answered; later messages still apply over it. */
  function applyRest(todo) {
    todos.set(todo.id, todo);
    render();
  }

  async function sync(connected) {
    let snapshot = null;
    if (connected) {
      feed.begin();
      try {
        snapshot = await live.invoke('WatchRole', role);
      } catch (error) {
        console.warn('WatchRole failed; showing the queue without live updates', error);
        feed.abandon();
      }
    }
    const list = snapshot ? snapshot.todos : await api.todos(role);
    todos.clear();
    for (const t of list) todos.set(t.id, t);
    render();
    if (snapshot) feed.settle(snapshot.seq);
  }

  const off = live.on('todos', message => {
    if (message.role?.toLowerCase() === role.toLowerCase()) feed.offer(message);
  });
  const unsubscribe = live.subscribe(sync);
  return () => {
    disposed = true;
    off();
    unsubscribe();
    live.tryInvoke('UnwatchRole', role);
  };
}
