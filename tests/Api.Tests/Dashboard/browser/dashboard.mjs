// Drives the dashboard in Debian's Chromium (playwright-core, no browser download). Started by DashboardBrowserTests:
//
//   DASHBOARD_URL        the silo, e.g. http://127.0.0.1:41234
//   CSR_USER/CSR_PASSWORD, ADMIN_USER/ADMIN_PASSWORD   the sign-ins the silo was started with
//   SCENARIO             live | bad-input | reconnect
//   SCREENSHOT           (live) where to write the picture of the account view with its live alerts
//   CHROMIUM             the browser (default /usr/bin/chromium)
//
// No sleeps: every wait is Playwright's auto-waiting with a timeout that says what it waited for. Exit code 0 is a pass.

import { chromium } from 'playwright-core';

const base = required('DASHBOARD_URL');
const csr = { user: required('CSR_USER'), password: required('CSR_PASSWORD') };
const admin = { user: required('ADMIN_USER'), password: required('ADMIN_PASSWORD') };
const scenario = required('SCENARIO');
const timeout = 30_000;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function step(text) {
  console.log(`- ${text}`);
}

function check(condition, message) {
  if (!condition) throw new Error(`Check failed: ${message}`);
}

// ---- the API, as the test itself calls it ----------------------------------------------------------------------

async function token({ user, password }) {
  const response = await fetch(`${base}/api/auth/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password }),
  });
  check(response.ok, `sign-in of ${user} answered ${response.status}`);
  return (await response.json()).accessToken;
}

function client(bearer) {
  return async function call(method, path, body, idempotencyKey) {
    const headers = { Authorization: `Bearer ${bearer}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    check(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A customer with an account and a premise of their own, created over the API. */
async function customer(api, { name, phone, lifeSupport = false, line1, postalCode, serviceTypes }) {
  const person = await api('POST', '/api/persons', { name, phone, lifeSupport }, crypto.randomUUID());
  const account = await api('POST', '/api/accounts', { mainCustomerId: person.id, customerClass: 'Residential' }, crypto.randomUUID());
  const premise = await api('POST', '/api/premises', {
    address: { line1, city: 'Springfield', state: 'IL', postalCode },
    servicePoints: serviceTypes.map(serviceType => ({ serviceType })),
  }, crypto.randomUUID());
  return { person, account, premise };
}

// ---- the browser ----------------------------------------------------------------------------------------------

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** A new tab (its own context: the token lives in the tab's sessionStorage), signed in through the sign-in screen. */
async function signedInPage(browser, who, path = '', prepare = async () => {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', error => console.log(`  [page error] ${error.message}`));
  page.on('console', message => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) console.log(`  [console] ${message.text()}`);
  });
  await prepare(page);
  await page.goto(`${base}/${path}`);
  await page.getByLabel('User name').fill(who.user);
  await page.getByLabel('Password').fill(who.password);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signed-in-user').filter({ hasText: who.user }).waitFor();
  return page;
}

async function waitConnected(page) {
  await page.locator('[data-testid=connection-state][data-state=connected]').waitFor();
}

/** Waits until exactly `count` elements match `selector`. */
async function waitForCount(page, selector, count, what) {
  try {
    await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length === n, [selector, count], { timeout });
  } catch (error) {
    const actual = await page.locator(selector).count();
    throw new Error(`Timed out waiting for ${what} (${count} × ${selector}; there are ${actual})`, { cause: error });
  }
}

async function text(locator) {
  return (await locator.textContent())?.trim();
}

// ---- scenarios ------------------------------------------------------------------------------------------------

async function live(browser) {
  const csrApi = client(await token(csr));
  const adminApi = client(await token(admin));
  const today = (await adminApi('GET', '/api/admin/clock')).now.slice(0, 10);
  const startDate = addDays(today, 3);
  const fieldDay = addDays(today, 1);

  step('the API creates Ada (life support) and Charles, each with an account and a vacant premise');
  const ada = await customer(csrApi, {
    name: 'Ada Lovelace', phone: '555-0110', lifeSupport: true, line1: '1 Analytical Way', postalCode: '62701', serviceTypes: ['Electric', 'Gas'],
  });
  const charles = await customer(csrApi, {
    name: 'Charles Babbage', phone: '555-0111', line1: '2 Difference Engine Road', postalCode: '62702', serviceTypes: ['Electric'],
  });

  step('a CSR signs in, searches for Ada and opens her account');
  const page = await signedInPage(browser, csr);
  await waitConnected(page);
  await page.getByTestId('search-input').fill('Lovelace');
  await page.getByTestId('search-submit').click();
  const result = page.locator(`[data-testid=search-result][data-account-id="${ada.account.id}"]`);
  await result.getByTestId('open-account').click();
  await page.getByTestId('account-title').filter({ hasText: 'Ada Lovelace' }).waitFor();
  check(await text(page.getByTestId('account-id')) === ada.account.id, 'the account view shows the account id');
  await page.locator(`[data-testid=person-row][data-person-id="${ada.person.id}"][data-main=true] [data-testid=main-customer]`).waitFor();
  await page.locator('[data-testid=alert][data-code=LIFE_SUPPORT_PERSON]').waitFor();
  await page.getByTestId('no-sas').waitFor();
  check(await page.locator('[data-testid=alert][data-code=PENDING_START]').count() === 0, 'no PENDING_START alert before the start');
  // Survives only if the page is never reloaded: everything below must arrive live.
  await page.evaluate(() => { window.__noReload = true; });

  step('the CSR starts service at Ada\'s premise through the form (premise found by address)');
  await page.getByTestId('open-start-service').click();
  const form = page.getByTestId('start-service-form');
  await form.getByTestId('premiseId-finder').fill('Analytical');
  await form.getByTestId('premiseId-find').click();
  await form.locator(`[data-testid=premise-pick][data-premise-id="${ada.premise.id}"]`).click();
  // The premise's service types are offered, checked, once its details have loaded.
  await form.locator('[data-testid=serviceTypes-Electric]:checked').waitFor();
  await form.locator('[data-testid=serviceTypes-Gas]:checked').waitFor();
  await form.getByTestId('startDate-input').fill(startDate);
  await form.getByTestId('reason-input').fill('move-in');
  await form.getByTestId('start-service-submit').click();

  step('the PENDING_START alert and two pending-start SAs appear');
  const pendingStart = page.locator('[data-testid=alert][data-code=PENDING_START]');
  await pendingStart.waitFor();
  check(await pendingStart.getAttribute('data-severity') === 'Warning', 'PENDING_START is a warning');
  await waitForCount(page, '[data-testid=sa-row][data-status=PendingStart]', 2, 'two pending-start SAs');
  await page.locator('[data-testid=history-entry][data-type=ServiceAgreementCreated]').first().waitFor();

  const shot = process.env.SCREENSHOT;
  if (shot) {
    step(`screenshot of the account view with its live alerts: ${shot}`);
    await page.getByTestId('close-form').click().catch(() => {});
    await page.screenshot({ path: shot, fullPage: false });
  }

  step('a second tab opens the CSR To Do queue');
  const queue = await signedInPage(browser, csr, '#/todos');
  await waitConnected(queue);
  await queue.getByTestId('todo-role').filter({ hasText: 'CSR' }).waitFor();
  await queue.locator('[data-testid=no-todos], [data-testid=todos]').first().waitFor();

  step('the API starts Charles on the same date, with no read to come');
  const charlesStart = await csrApi('POST', '/api/start-service',
    { accountId: charles.account.id, premiseId: charles.premise.id, startDate, serviceTypes: ['Electric'] }, crypto.randomUUID());
  const charlesSa = charlesStart.serviceAgreements[0].id;
  check(await queue.locator(`[data-testid=todo-row][data-subject="${charlesSa}"]`).count() === 0, 'no To Do for Charles yet');

  step(`the API moves the clock to ${fieldDay} (field activities are created) and completes Ada's with reads`);
  const moved = await adminApi('POST', '/api/admin/clock', { now: `${fieldDay}T00:00:00Z` });
  check(moved.settled, 'the clock move settled');
  const activities = await csrApi('GET', `/api/field-activities?premiseId=${ada.premise.id}&status=Pending`);
  check(activities.length === 2, `two pending field activities at Ada's premise (got ${activities.length})`);
  for (const fa of activities) {
    await csrApi('POST', `/api/field-activities/${fa.id}/complete`, { read: 4821, completedOn: fieldDay });
  }

  step(`the API moves the clock to the start date ${startDate}`);
  check((await adminApi('POST', '/api/admin/clock', { now: `${startDate}T00:00:00Z` })).settled, 'the clock move settled');

  step('without a reload, Ada\'s SAs show Active and PENDING_START is gone');
  await waitForCount(page, '[data-testid=sa-row][data-status=Active]', 2, 'two active SAs');
  await waitForCount(page, '[data-testid=alert][data-code=PENDING_START]', 0, 'the PENDING_START alert to clear');
  await page.locator('[data-testid=alert][data-code=LIFE_SUPPORT_PERSON]').waitFor();
  await page.locator('[data-testid=history-entry][data-type=ServiceAgreementActivated]').first().waitFor();
  check(await page.evaluate(() => window.__noReload === true), 'the account page was not reloaded');

  step('the To Do tab shows the activation exception for Charles\'s SA, live');
  const todo = queue.locator(`[data-testid=todo-row][data-subject="${charlesSa}"][data-type=ActivationException]`);
  await todo.waitFor();
  check(await todo.getAttribute('data-status') === 'Open', 'the new To Do is open');

  step('the CSR assigns it to themselves and completes it');
  await todo.getByTestId('todo-assign').click();
  await queue.locator(`[data-testid=todo-row][data-subject="${charlesSa}"][data-status=BeingWorked]`).getByTestId('todo-assignee').filter({ hasText: csr.user }).waitFor();
  await queue.locator(`[data-testid=todo-row][data-subject="${charlesSa}"]`).getByTestId('todo-complete').click();
  await queue.getByTestId('todo-comment-input').fill('Called the customer: meter read booked');
  await queue.getByTestId('todo-complete-submit').click();
  await waitForCount(queue, `[data-testid=todo-row][data-subject="${charlesSa}"]`, 0, 'the completed To Do to leave the queue');

  step('the premise view shows Ada\'s SAs on its service points');
  const premisePage = await signedInPage(browser, csr, `#/premises/${ada.premise.id}`);
  await premisePage.getByTestId('premise-title').filter({ hasText: '1 Analytical Way' }).waitFor();
  await waitForCount(premisePage, '[data-testid=premise-sa-row][data-status=Active]', 2, 'two active SAs on the premise');
}

async function badInput(browser) {
  const csrApi = client(await token(csr));
  const adminApi = client(await token(admin));
  const today = (await adminApi('GET', '/api/admin/clock')).now.slice(0, 10);

  step('a wrong password is refused on the sign-in screen');
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const anonymous = await context.newPage();
  anonymous.setDefaultTimeout(timeout);
  await anonymous.goto(base);
  await anonymous.getByLabel('User name').fill(csr.user);
  await anonymous.getByLabel('Password').fill('not-the-password');
  await anonymous.getByTestId('signin-submit').click();
  await anonymous.getByTestId('form-error').filter({ hasText: 'The user name or password is wrong.' }).waitFor();
  await context.close();

  const grace = await customer(csrApi, { name: 'Grace Hopper', phone: '555-0120', line1: '3 Compiler Court', postalCode: '62703', serviceTypes: ['Electric'] });
  step('a CSR opens Grace\'s account and the start form');
  const page = await signedInPage(browser, csr, `#/accounts/${grace.account.id}`);
  await page.getByTestId('account-title').filter({ hasText: 'Grace Hopper' }).waitFor();
  await page.getByTestId('open-start-service').click();
  const form = page.getByTestId('start-service-form');
  await form.getByTestId('premiseId-input').fill(grace.premise.id);
  await form.getByTestId('premiseId-input').press('Tab');
  await form.getByTestId('serviceTypes-Electric').waitFor();
  // The premise has only an electric service point: once it is loaded, Gas is no longer offered.
  await waitForCount(page, '[data-testid=start-service-form] [data-testid=serviceTypes-Gas]', 0, 'the premise\'s own service types');

  step('no service type: the problem\'s message stands beside the service types');
  await form.getByTestId('serviceTypes-Electric').uncheck();
  await form.getByTestId('startDate-input').fill(addDays(today, 3));
  await form.getByTestId('start-service-submit').click();
  await form.getByTestId('error-serviceTypes').filter({ hasText: "'serviceTypes' needs at least one item." }).waitFor();
  check(await form.getByTestId('error-startDate').isHidden(), 'no error beside the start date');

  step('a start date far in the past: the problem\'s message stands beside the start date');
  await form.getByTestId('serviceTypes-Electric').check();
  await form.getByTestId('startDate-input').fill('2020-01-01');
  await form.getByTestId('start-service-submit').click();
  const dateError = form.getByTestId('error-startDate');
  await dateError.filter({ hasText: '2020-01-01 is more than 30 days in the past' }).waitFor();
  check(await form.getByTestId('error-serviceTypes').isHidden(), 'the service type error is gone');
  check(await form.locator('[data-testid=startDate-input][aria-invalid=true]').count() === 1, 'the start date is marked invalid');
  check(await page.getByTestId('no-sas').isVisible(), 'the refused requests created no SA');

  step('a valid start goes through; its field activity is created at once (the date is within the lead time)');
  await form.getByTestId('startDate-input').fill(addDays(today, 1));
  await form.getByTestId('start-service-submit').click();
  await page.locator('[data-testid=sa-row][data-status=PendingStart]').waitFor();
  // The clock move answers once the due reminders (the field activity's) have run.
  const now = new Date((await adminApi('GET', '/api/admin/clock')).now);
  check((await adminApi('POST', '/api/admin/clock', { now: new Date(now.getTime() + 60_000).toISOString() })).settled, 'the clock move settled');
  await page.getByTestId('fa-refresh').click();
  await page.getByTestId('fa-complete-open').click();
  const read = page.getByTestId('fa-complete-form');

  step('a field activity completed without a read, with a negative one, on a day still to come');
  await read.getByTestId('read-input').fill('');
  await read.getByTestId('fa-complete-submit').click();
  await read.getByTestId('error-read').filter({ hasText: "'read' is required." }).waitFor();
  await read.getByTestId('read-input').fill('-5');
  await read.getByTestId('fa-complete-submit').click();
  await read.getByTestId('error-read').filter({ hasText: 'A meter read cannot be negative.' }).waitFor();
  await read.getByTestId('read-input').fill('4821');
  await read.getByTestId('completedOn-input').fill(addDays(today, 5));
  await read.getByTestId('fa-complete-submit').click();
  await read.getByTestId('error-completedOn').filter({ hasText: `${addDays(today, 5)} is in the future.` }).waitFor();
  check(await read.getByTestId('error-read').isHidden(), 'the read error is gone');

  step('an SA canceled without a reason');
  await page.getByTestId('sa-manage').click();
  const action = page.getByTestId('sa-action-form');
  await action.getByTestId('sa-action-input').selectOption('cancel');
  await action.getByTestId('sa-action-submit').click();
  await action.getByTestId('error-reason').filter({ hasText: "'reason' is required." }).waitFor();
  check(await page.locator('[data-testid=sa-row][data-status=PendingStart]').count() === 1, 'the SA is still pending start');
}

async function reconnect(browser) {
  const csrApi = client(await token(csr));
  const adminApi = client(await token(admin));
  const today = (await adminApi('GET', '/api/admin/clock')).now.slice(0, 10);
  const alan = await customer(csrApi, { name: 'Alan Turing', phone: '555-0130', line1: '4 Enigma Street', postalCode: '62704', serviceTypes: ['Electric', 'Water'] });

  step('a CSR opens Alan\'s account; the live connection goes through a route the test controls');
  const sockets = [];
  const page = await signedInPage(browser, csr, `#/accounts/${alan.account.id}`, p => p.routeWebSocket(/\/hubs\/alerts/, ws => {
    ws.connectToServer();
    sockets.push(ws);
  }));
  await page.getByTestId('account-title').filter({ hasText: 'Alan Turing' }).waitFor();
  await waitConnected(page);
  check(sockets.length === 1, `one hub WebSocket through the route (got ${sockets.length})`);
  await page.getByTestId('no-sas').waitFor();
  await page.evaluate(() => { window.__noReload = true; });

  step('the connection drops and cannot come back (negotiation refused)');
  const refuse = route => route.abort('connectionrefused');
  await page.route(/\/hubs\/alerts\/negotiate/, refuse);
  // Closing the page's side of the WebSocket closes the server's side too: the server forgets the watches.
  for (const socket of sockets) await socket.close({ code: 4000, reason: 'test: connection lost' });
  await page.locator('[data-testid=connection-state][data-state=reconnecting]').filter({ hasText: 'Reconnecting' }).waitFor();

  step('meanwhile the API starts service for Alan: no message can reach the page');
  await csrApi('POST', '/api/start-service',
    { accountId: alan.account.id, premiseId: alan.premise.id, startDate: addDays(today, 4), serviceTypes: ['Electric', 'Water'] }, crypto.randomUUID());
  check(await page.getByTestId('no-sas').isVisible(), 'the page cannot know yet');
  check(await page.locator('[data-testid=alert][data-code=PENDING_START]').count() === 0, 'no PENDING_START yet');

  step('the connection is allowed back: the page reconnects by itself and catches up');
  await page.unroute(/\/hubs\/alerts\/negotiate/, refuse);
  await waitConnected(page);
  await waitForCount(page, '[data-testid=sa-row][data-status=PendingStart]', 2, 'the two SAs started while disconnected');
  await page.locator('[data-testid=alert][data-code=PENDING_START]').waitFor();
  check(await page.evaluate(() => window.__noReload === true), 'the account page was not reloaded');

  step('and it is live again: a CSR action elsewhere (an SA canceled over the API) shows at once');
  const sas = (await csrApi('GET', `/api/accounts/${alan.account.id}`)).serviceAgreements;
  const water = sas.find(s => s.serviceType === 'Water');
  await csrApi('POST', `/api/service-agreements/${water.id}/cancel`, { reason: 'customer changed their mind' });
  await page.locator(`[data-testid=sa-row][data-sa-id="${water.id}"][data-status=Canceled]`).waitFor();
}

const scenarios = { live, 'bad-input': badInput, reconnect };
if (!scenarios[scenario]) throw new Error(`Unknown SCENARIO ${scenario}`);

const browser = await launch();
try {
  await scenarios[scenario](browser);
  console.log(`PASS ${scenario}`);
} catch (error) {
  console.error(`FAIL ${scenario}: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
