// The customer-care API over fetch: bearer token, JSON, problem details (RFC 9457) as ApiError, and retries that are
// safe: GETs, and creating POSTs that carry an Idempotency-Key (the engine answers a retry with what the first created).

import { session } from './session.js';

/** A refused or failed request: `problem` is the problem details body ({title, detail, errors: {field: [messages]}}). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let onUnauthorized = () => {};

/** What to do when the token is refused (expired, or signed by a silo that restarted with another key). */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

const maxRetries = 3;

async function request(method, path, { body, idempotencyKey, anonymous = false } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (!anonymous && session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const retryable = method === 'GET' || idempotencyKey != null;

  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      if (retryable && attempt < maxRetries) {
        await pause(attempt);
        continue;
      }
      throw new ApiError(0, { title: 'No answer', detail: 'The engine did not answer. Check the connection and try again.' });
    }

    if (response.status === 503 && retryable && attempt < maxRetries) {
      await pause(attempt, Number(response.headers.get('Retry-After')));
      continue;
    }

    const text = await response.text();
    const data = text ? parse(text) : null;
    if (response.ok) return data;
    if (response.status === 401 && !anonymous) onUnauthorized();
    throw new ApiError(response.status, typeof data === 'object' && data ? data : { title: `HTTP ${response.status}`, detail: text });
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { title: 'Unreadable answer', detail: text.slice(0, 200) };
  }
}

function pause(attempt, retryAfterSeconds) {
  const ms = Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 250 * 2 ** attempt;
  return new Promise(resolve => setTimeout(resolve, ms));
}

const q = encodeURIComponent;

export const api = {
  signIn: (username, password) => request('POST', '/api/auth/token', { body: { username, password }, anonymous: true }),

  search: text => request('GET', `/api/search?q=${q(text)}`),
  person: id => request('GET', `/api/persons/${q(id)}`),
  account: id => request('GET', `/api/accounts/${q(id)}`),
  accountAlerts: id => request('GET', `/api/accounts/${q(id)}/alerts`),
  accountHistory: id => request('GET', `/api/accounts/${q(id)}/history`),
  premise: id => request('GET', `/api/premises/${q(id)}`),
  premiseHistory: id => request('GET', `/api/premises/${q(id)}/history`),
  serviceAgreement: id => request('GET', `/api/service-agreements/${q(id)}`),
  serviceAgreementHistory: id => request('GET', `/api/service-agreements/${q(id)}/history`),
  fieldActivities: ({ premiseId, status }) =>
    request('GET', `/api/field-activities?premiseId=${q(premiseId)}${status ? `&status=${q(status)}` : ''}`),
  todos: role => request('GET', `/api/todos?role=${q(role)}`),
  clock: () => request('GET', '/api/admin/clock'),

  startService: (body, key) => request('POST', '/api/start-service', { body, idempotencyKey: key }),
  stopService: body => request('POST', '/api/stop-service', { body }),
  transferService: (body, key) => request('POST', '/api/transfer-service', { body, idempotencyKey: key }),
  serviceAgreementAction: (id, action, body) => request('POST', `/api/service-agreements/${q(id)}/${action}`, { body }),
  completeFieldActivity: (id, body) => request('POST', `/api/field-activities/${q(id)}/complete`, { body }),
  assignTodo: (id, body) => request('POST', `/api/todos/${q(id)}/assign`, { body }),
  completeTodo: (id, body) => request('POST', `/api/todos/${q(id)}/complete`, { body }),
  moveClock: now => request('POST', '/api/admin/clock', { body: { now } }),
};
