// SPDX-License-Identifier: MIT
// host_server.mjs: a tiny host program for the browser tests: it serves
// host.html (the page that opens latchkey's connect popup) and, as a
// real back end would, lists the user's connections through latchkey
// serve with its service key, which never reaches the browser.
//   node host_server.mjs PORT_FILE SERVE_BASE SERVICE_KEY_FILE [LIFETIME_S]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [portFile, serveBase, keyFile, lifetime = '300'] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const page = fs.readFileSync(path.join(here, 'host.html'));

const server = http.createServer(async (req, res) => {
	const url = new URL(req.url, 'http://127.0.0.1');
	if (url.pathname === '/host.html') {
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		return res.end(page);
	}
	if (url.pathname === '/list') { // the fallback: list again
		const key = fs.readFileSync(keyFile, 'utf8').trim();
		const q = new URLSearchParams({ owner: url.searchParams.get('owner'),
			app: url.searchParams.get('app') });
		const r = await fetch(`${serveBase}/v1/authentications?${q}`,
			{ headers: { Authorization: `Bearer ${key}` } });
		res.writeHead(r.status, { 'Content-Type': 'application/json' });
		return res.end(await r.text());
	}
	res.writeHead(404);
	res.end();
});
server.listen(0, '127.0.0.1', () => {
	fs.writeFileSync(portFile + '.tmp', String(server.address().port));
	fs.renameSync(portFile + '.tmp', portFile);
});
// Stops by itself, whatever happens to the test.
setTimeout(() => process.exit(0), Number(lifetime) * 1000).unref();
process.on('SIGTERM', () => process.exit(0));
