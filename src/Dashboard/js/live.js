// The live side: one SignalR connection to /hubs/alerts per signed-in tab (official @microsoft/signalr client).
//
// Views subscribe with a `sync(connected)` function. It runs at once, and again every time the connection (re)starts:
// a new connection has no server-side watches and may have missed messages, so `sync(true)` calls the Watch* methods
// again (fresh snapshots with their seq) and reloads what REST serves. Messages carry the `seq` of the event behind
// them; a Feed drops what its snapshot already contains.

import { session } from './session.js';

/** A refused token (expired, or signed with a key the silo no longer has): reconnecting cannot help. */
const unauthorized = error => error?.statusCode === 401 || /\b401\b/.test(error?.message ?? '');

const stateText = { connecting: 'Connecting…', connected: 'Live', reconnecting: 'Reconnecting…', disconnected: 'Offline' };

class Live {
  #connection = null;
  #subscriptions = new Set();
  #handlers = new Map();
  #restartTimer = null;
  #restartDelay = 1000;
  #listeners = new Set();
  #onUnauthorized = () => {};
  state = 'disconnected';

  get connected() {
    return this.state === 'connected';
  }

  /** Starts the connection for the signed-in user (does nothing when already started). */
  start() {
    if (this.#connection || !session.token) return;
    if (!window.signalR) {
      console.error('signalr.min.js did not load: the dashboard works without live updates.');
      return;
    }
    const connection = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/alerts', { accessTokenFactory: () => session.token })
      // Retry for as long as the tab is open, backing off to 15 s: a CSR's screen must come back by itself.
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: context =>
          unauthorized(context.retryReason) ? null : Math.min(500 * 2 ** context.previousRetryCount, 15000),
      })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    for (const [name, handlers] of this.#handlers) {
      connection.on(name, message => handlers.forEach(handler => handler(message)));
    }
    connection.onreconnecting(() => this.#setState('reconnecting'));
    connection.onreconnected(() => this.#connected());
    connection.onclose(error => {
      if (this.#connection !== connection) return;
      this.#setState('disconnected');
      if (unauthorized(error)) this.#onUnauthorized();
      else this.#scheduleRestart();
    });
    this.#connection = connection;
    this.#begin();
  }

  /** Stops the connection (sign-out). */
  async stop() {
    clearTimeout(this.#restartTimer);
    const connection = this.#connection;
    this.#connection = null;
    this.#setState('disconnected');
    await connection?.stop();
  }

  /** What to do when the hub refuses the token (the same as the API's 401: sign in again). */
  whenUnauthorized(handler) {
    this.#onUnauthorized = handler;
  }

  /** Registers a handler for a server message ('alerts', 'todos', 'serviceAgreement'); returns the unsubscribe. */
  on(name, handler) {
    if (!this.#handlers.has(name)) {
      this.#handlers.set(name, new Set());
      this.#connection?.on(name, message => this.#handlers.get(name).forEach(h => h(message)));
    }
    this.#handlers.get(name).add(handler);
    return () => this.#handlers.get(name).delete(handler);
  }

  invoke(method, ...args) {
    return this.#connection.invoke(method, ...args);
  }

  /** Best effort: a watch that cannot be removed goes with the connection anyway. */
  async tryInvoke(method, ...args) {
    if (!this.connected) return;
    try {
      await this.#connection.invoke(method, ...args);
    } catch (error) {
      console.warn(`${method} failed`, error);
    }
  }

  /** `sync(connected)` now and after every (re)connection; returns the unsubscribe. */
  subscribe(sync) {
    this.#subscriptions.add(sync);
    this.#run(sync);
    return () => this.#subscriptions.delete(sync);
  }

  /** Called with the state on every change (the header's connection indicator). */
  onState(listener) {
    this.#listeners.add(listener);
    listener(this.state, stateText[this.state]);
  }

  async #begin() {
    const connection = this.#connection;
    this.#setState('connecting');
    try {
      await connection.start();
    } catch (error) {
      if (this.#connection !== connection) return;
      console.warn('The live connection did not start', error);
      this.#setState('disconnected');
      if (unauthorized(error)) this.#onUnauthorized();
      else this.#scheduleRestart();
      return;
    }
    if (this.#connection === connection) this.#connected();
  }

  #connected() {
    this.#restartDelay = 1000;
    this.#setState('connected');
    for (const sync of this.#subscriptions) this.#run(sync);
  }

  async #run(sync) {
    try {
      await sync(this.connected);
    } catch (error) {
      console.warn('Resynchronisation failed', error);
    }
  }

  #scheduleRestart() {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#connection && this.state === 'disconnected') this.#begin();
    }, this.#restartDelay);
    this.#restartDelay = Math.min(this.#restartDelay * 2, 15000);
  }

  #setState(state) {
    this.state = state;
    for (const listener of this.#listeners) listener(state, stateText[state]);
  }
}

export const live = new Live();

/**
 * Applies the messages of one stream (an account's alerts, a role's To Dos, ...) in seq order over a snapshot.
 * Between `begin()` and `settle()` (while the snapshot is being fetched) messages are held back, then the ones newer
 * than the snapshot are applied on top of it.
 */
export class Feed {
  seq = 0;
  #held = null;
  #holds = 0;

  constructor(apply) {
    this.apply = apply;
  }

  /** Holds messages back while a snapshot is fetched; holds nest (a reload during a resynchronisation). */
  begin() {
    this.#holds++;
    this.#held ??= [];
  }

  offer(message) {
    if (this.#held) {
      this.#held.push(message);
    } else if (message.seq > this.seq) {
      this.seq = message.seq;
      this.apply(message);
    }
  }

  /**
   * The snapshot is in place; `seq` is the event it reflects (a Watch answer), or undefined for a REST read, which is
   * current but says no seq. When the last hold ends, the held messages newer than the snapshot are applied on top.
   */
  settle(seq) {
    if (seq !== undefined) this.seq = seq;
    this.#holds = Math.max(0, this.#holds - 1);
    if (this.#holds > 0) return;
    const held = this.#held ?? [];
    this.#held = null;
    for (const message of held.sort((a, b) => a.seq - b.seq)) this.offer(message);
  }

  /** The snapshot could not be fetched: end the hold and apply what was held. */
  abandon() {
    this.settle(undefined);
  }
}
