// The dashboard's shell: sign-in gate, hash routes, the header (navigation, connection state, business clock).

import { whenUnauthorized } from './api.js';
import { fill } from './dom.js';
import { live } from './live.js';
import { session } from './session.js';
import { accountView } from './views/account.js';
import { clockControl } from './views/clock.js';
import { premiseView } from './views/premise.js';
import { searchView } from './views/search.js';
import { signInView } from './views/signin.js';
import { todosView } from './views/todos.js';

const view = document.getElementById('view');
const topbar = document.querySelector('.topbar');
let disposeView = null;
let disposeClock = null;
let signInMessage = null;

const routes = [
  { pattern: /^\/search$/, nav: 'search', render: (el, _, query) => searchView(el, query.get('q') ?? '') },
  { pattern: /^\/accounts\/([^/]+)$/, nav: 'search', render: (el, [id]) => accountView(el, decodeURIComponent(id)) },
  { pattern: /^\/premises\/([^/]+)$/, nav: 'search', render: (el, [id]) => premiseView(el, decodeURIComponent(id)) },
  { pattern: /^\/todos$/, nav: 'todos', render: (el, _, query) => todosView(el, query.get('role') || 'CSR') },
];

function route() {
  disposeView?.();
  disposeView = null;
  if (!session.current) {
    showShell(false);
    disposeView = signInView(view, signedIn, signInMessage);
    signInMessage = null;
    return;
  }
  showShell(true);
  const [path, search] = (location.hash.slice(1) || '/search').split('?');
  const query = new URLSearchParams(search ?? '');
  for (const r of routes) {
    const match = r.pattern.exec(path);
    if (match) {
      for (const link of document.querySelectorAll('[data-nav]')) {
        if (link.dataset.nav === r.nav) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
      disposeView = r.render(view, match.slice(1), query);
      view.focus({ preventScroll: true });
      return;
    }
  }
  location.hash = '#/search';
}

function showShell(signedInNow) {
  topbar.hidden = !signedInNow;
  if (!signedInNow) {
    disposeClock?.();
    disposeClock = null;
    return;
  }
  document.querySelector('[data-testid=signed-in-user]').textContent = `${session.username} · ${session.roles.join(', ')}`;
  if (!disposeClock) {
    const slot = document.getElementById('clock-slot');
    disposeClock = session.isAdmin ? clockControl(slot) : (fill(slot), () => {});
  }
  live.start();
}

function signedIn() {
  route();
}

async function signOut(message) {
  if (!session.current) return;
  await live.stop();
  session.signOut();
  signInMessage = message ?? null;
  route();
}

live.onState((state, text) => {
  const indicator = document.querySelector('[data-testid=connection-state]');
  indicator.dataset.state = state;
  indicator.querySelector('.connection-text').textContent = text;
  indicator.title = state === 'connected' ? 'Alerts, SAs and To Dos update live' : 'Live updates paused; reconnecting automatically';
});

const sessionEnded = () => signOut('Your session has ended. Please sign in again.');
whenUnauthorized(sessionEnded);
live.whenUnauthorized(sessionEnded);
document.querySelector('[data-testid=sign-out]').addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);
route();
