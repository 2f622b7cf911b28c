// SPDX-License-Identifier: MIT
// connect_popup.mjs: latchkey serve's connect popup in Debian's chromium
// (playwright-core, no browser download). Started by browser.sh with
// lk-provider, latchkey serve and two host servers on free ports:
//   HOST_BASE   the host page's origin, the one configured in serve.origins
//   THIRD_BASE  another origin, not configured: it must receive nothing
// Prints "ok - ..." / "not ok - ..." lines; browser.sh counts them.
import { createRequire } from 'node:module';
import fs from 'node:fs';

const env = process.env;
const require = createRequire(env.LK_NODE_MODULES + '/');
const { chromium } = require('playwright-core');
const SERVE = env.SERVE_BASE, KEY = env.SERVICE_KEY, LKP = env.LKP_BASE;
const SHOTS = env.SHOT_DIR;
let pass = 0, fail = 0;

function check(name, cond, detail) {
	if (cond) { pass++; console.log(`ok - ${name}`); }
	else { fail++; console.log(`not ok - ${name}${detail ? ': ' + detail : ''}`); }
}
async function v1(path, opts = {}) {
	const r = await fetch(SERVE + path, { ...opts,
		headers: { Authorization: `Bearer ${KEY}`, ...(opts.headers || {}) } });
	return { status: r.status, body: await r.json() };
}
async function link(owner, app, base = SERVE) {
	const r = await fetch(`${base}/v1/apps?owner=${encodeURIComponent(owner)}`,
		{ headers: { Authorization: `Bearer ${KEY}` } });
	return (await r.json()).data.find((a) => a.id === app).links.connect_new_authentication;
}
async function listed(owner, app) {
	return (await v1(`/v1/authentications?owner=${owner}&app=${app}`)).body.data;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The expired link comes from a second server whose links live 10 s:
// minted first, opened last.
const expiredLink = env.SHORT_SERVE_BASE ? await link('erin', 'demo_basic', env.SHORT_SERVE_BASE) : null;
const mintedAt = Date.now();

const browser = await chromium.launch({
	executablePath: env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
	timeout: 30000,
});
const context = await browser.newContext();
context.setDefaultTimeout(15000);

async function hostPage(base) {
	const page = await context.newPage();
	await page.goto(`${base}/host.html?serve=${encodeURIComponent(SERVE)}`);
	return page;
}
// Start host.connect() and return the popup and the pending result.
async function openPopup(page, url, owner, app, features) {
	const popupP = context.waitForEvent('page');
	const result = page.evaluate(([u, o, a, f]) => window.connect(u, o, a, f),
		[url, owner, app, features]);
	const popup = await popupP;
	// An OAuth popup may have closed itself already.
	await popup.waitForLoadState('domcontentloaded').catch(() => {});
	return { popup, result };
}

try {
	// 1. The form in a popup; the message names the listed connection.
	const host = await hostPage(env.HOST_BASE);
	let { popup, result } = await openPopup(host, await link('alice', 'demo_basic'), 'alice', 'demo_basic');
	await popup.waitForSelector('#f_username');
	check('form: the page is the connect form', (await popup.title()) === 'Demo Basic');
	check('form: password is a password input',
		(await popup.getAttribute('#f_password', 'type')) === 'password');
	check('form: the link left the address bar', popup.url() === `${SERVE}/connect/form`);
	const cookies = await context.cookies(`${SERVE}/connect/form`);
	const c = cookies.find((k) => k.name === 'lk_connect');
	check('form: the cookie is HttpOnly and SameSite=Lax', c && c.httpOnly && c.sameSite === 'Lax',
		JSON.stringify(c));
	check('form: the cookie is invisible to scripts',
		(await popup.evaluate(() => document.cookie)) === '');
	await popup.screenshot({ path: `${SHOTS}/form.png` });
	await popup.fill('#f_username', 'alice');
	await popup.fill('#f_password', 'wonderland');
	const closed = popup.waitForEvent('close');
	await popup.click('button[type=submit]');
	await closed;
	let r = await result;
	let list = await listed('alice', 'demo_basic');
	check('form: the popup closed itself after a message', r.how === 'message', JSON.stringify(r));
	check('form: authentication_id is the one the API lists',
		list.length === 1 && r.id === list[0].id, JSON.stringify([r, list]));
	let msgs = await host.evaluate(() => window.received);
	check('form: one message, from the server origin, of the right type',
		msgs.length === 1 && msgs[0].origin === SERVE &&
		msgs[0].data.type === 'latchkey.popup.close', JSON.stringify(msgs));

	// 2. A failing test shows its message in the form and stores nothing.
	({ popup, result } = await openPopup(host, await link('alice', 'demo_basic'), 'alice', 'demo_basic'));
	await popup.waitForSelector('#f_username');
	await popup.fill('#f_username', 'alice');
	await popup.fill('#f_password', 'not-the-password');
	await Promise.all([popup.waitForNavigation(), popup.click('button[type=submit]')]);
	const err = await popup.textContent('#error');
	check('failed test: the form shows the message',
		err && err.includes('answered 401: the credentials are incorrect, expired or revoked'), err);
	check('failed test: the password is not given back',
		(await popup.inputValue('#f_password')) === '' && !(await popup.content()).includes('not-the-password'));
	check('failed test: the username is kept', (await popup.inputValue('#f_username')) === 'alice');
	await popup.screenshot({ path: `${SHOTS}/failed.png` });
	check('failed test: nothing stored', (await listed('alice', 'demo_basic')).length === 1);
	await popup.close();
	r = await result;
	check('failed test: no message; listing again finds the old one',
		r.how === 'listed' && r.id === list[0].id, JSON.stringify(r));

	// 3. OAuth 2.0 through the emulator's authorize page.
	({ popup, result } = await openPopup(host, await link('alice', 'demo_oauth2'), 'alice', 'demo_oauth2'));
	r = await result;
	list = await listed('alice', 'demo_oauth2');
	check('oauth2: message after the provider round trip', r.how === 'message', JSON.stringify(r));
	check('oauth2: authentication_id is the one the API lists',
		list.length === 1 && r.id === list[0].id && list[0].label === 'Demo OAuth octocat',
		JSON.stringify([r, list]));
	const reqs = await (await fetch(`${LKP}/_/requests`)).json();
	const auth = reqs.find((x) => x.path === '/oauth2/authorize');
	check('oauth2: the callback is public_url/connect/callback',
		auth && new URLSearchParams(auth.query).get('redirect_uri') === `${SERVE}/connect/callback`);

	// 4. noopener: no message can arrive; listing again finds it.
	const before = await host.evaluate(() => window.received.length);
	({ popup, result } = await openPopup(host, await link('bob', 'demo_apikey'), 'bob', 'demo_apikey', 'noopener'));
	r = await result;
	check('noopener: the host has no handle', r.how === 'no-handle');
	await popup.waitForSelector('#f_api_key');
	check('noopener: the popup has no opener', (await popup.evaluate(() => window.opener)) === null);
	await popup.fill('#f_api_key', 'key-123');
	const gone = popup.waitForEvent('close');
	await popup.click('button[type=submit]');
	await gone; // the final page closes a popup even without an opener
	await sleep(300);
	check('noopener: no message reached the host',
		(await host.evaluate(() => window.received.length)) === before);
	const newest = await host.evaluate(() => window.listAgain('bob', 'demo_apikey'));
	list = await listed('bob', 'demo_apikey');
	check('noopener: listing again finds the new connection',
		list.length === 1 && newest === list[0].id, JSON.stringify([newest, list]));
	if (!popup.isClosed()) await popup.close();

	// 5. A page on a third origin opens a link: it receives nothing.
	const third = await hostPage(env.THIRD_BASE);
	({ popup, result } = await openPopup(third, await link('carol', 'demo_basic'), 'carol', 'demo_basic'));
	await popup.waitForSelector('#f_username');
	await popup.fill('#f_username', 'alice');
	await popup.fill('#f_password', 'wonderland');
	await popup.click('button[type=submit]');
	r = await result;
	list = await listed('carol', 'demo_basic');
	check('third origin: the connection is made', list.length === 1);
	check('third origin: no message arrives; only listing finds it',
		r.how === 'listed' && r.id === list[0].id, JSON.stringify(r));
	check('third origin: nothing in its message log',
		(await third.evaluate(() => window.received.length)) === 0);

	// 6. A reused link and an expired one are refused.
	const once = await link('dave', 'demo_basic');
	({ popup, result } = await openPopup(host, once, 'dave', 'demo_basic'));
	await popup.waitForSelector('#f_username');
	await popup.close();
	await result;
	const again = await context.newPage();
	let resp = await again.goto(once);
	check('reused link: 403 with the reason', resp.status() === 403 &&
		(await again.textContent('#error')).includes('already used'));
	await again.screenshot({ path: `${SHOTS}/reused.png` });
	if (expiredLink) {
		const wait = 11000 - (Date.now() - mintedAt);
		if (wait > 0) await sleep(wait);
		resp = await again.goto(expiredLink);
		check('expired link: 403 with the reason', resp.status() === 403 &&
			(await again.textContent('#error')).includes('expired'));
	}

	// 7. No page of ours can be framed (frame-ancestors 'none').
	const framer = await hostPage(env.HOST_BASE);
	const flink = await link('frank', 'demo_basic');
	const blocked = new Promise((res) => {
		framer.on('console', (m) => { if (m.text().includes('frame-ancestors')) res(true); });
		setTimeout(() => res(false), 5000);
	});
	await framer.evaluate((u) => {
		const f = document.createElement('iframe');
		f.src = u;
		document.body.appendChild(f);
	}, flink);
	check('framing a connect page is refused by the browser', await blocked);
} catch (e) {
	check('no exception', false, e && e.stack);
} finally {
	await browser.close();
}
console.log(`BROWSER pass=${pass} fail=${fail}`);
process.exit(fail ? 1 : 0);
