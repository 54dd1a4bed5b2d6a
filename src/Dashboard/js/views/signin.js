// Sign-in: POST /api/auth/token; the token is kept for this tab in sessionStorage.

import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { field, formError, onSubmit } from '../forms.js';
import { session } from '../session.js';

export function signInView(container, signedIn, message) {
  const username = h('input', { type: 'text', autocomplete: 'username', testid: 'signin-username' });
  const password = h('input', { type: 'password', autocomplete: 'current-password', testid: 'signin-password' });
  const form = onSubmit(h('form', { class: 'form', testid: 'signin-form' },
    formError(),
    field('User name', 'username', username),
    field('Password', 'password', password),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button', testid: 'signin-submit' }, 'Sign in'))),
  async ({ username: name, password: secret }) => {
    const token = await api.signIn(name, secret);
    session.signIn(token);
    signedIn();
  });

  fill(container, h('section', { class: 'signin card', 'aria-labelledby': 'signin-title' },
    h('div', { class: 'card-body' },
      h('h1', { id: 'signin-title' }, '⚡ Customer Care'),
      h('p', { class: 'subtitle' }, 'Sign in to Control Central.'),
      message ? h('p', { class: 'form-error', testid: 'signin-message', role: 'status' }, message) : null,
      form)));
  username.focus();
  return () => {};
}
