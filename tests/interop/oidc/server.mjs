// SPDX-License-Identifier: MIT
// Test-only: oidc-provider (a certified OpenID Provider, from npm, pinned by
// package-lock.json) as the authorization server of tests/interop/
// oauth2_oidc.sh. It listens on 127.0.0.1 on a free port, writes the port
// to --port-file, and stops by itself after --lifetime seconds.
//
// One confidential client, lk-client, for authorization_code +
// refresh_token with PKCE S256 required and refresh tokens rotated on
// every use. The login and consent interactions approve themselves for the
// account "octocat": a browser (curl with a cookie jar) following the
// redirects lands at the client's redirect_uri with a code.
//
// Every request to the token and authorization endpoints is recorded, one
// JSON object a line, in --record: what the client sent and what it got,
// so the test asserts on what the provider really received.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: opt } = parseArgs({
  options: {
    'port-file': { type: 'string' },
    record: { type: 'string' },
    lifetime: { type: 'string', default: '120' },
    'redirect-uri': { type: 'string', default: 'http://127.0.0.1:8765/callback' },
    'client-secret': { type: 'string' },
  },
});
if (!opt['port-file'] || !opt.record || !opt['client-secret']) {
  console.error('usage: server.mjs --port-file F --record F --client-secret S '
    + '[--lifetime SECONDS] [--redirect-uri URI]');
  process.exit(2);
}

const ACCOUNT = 'octocat';

// The issuer must name the port, so listen first and build the provider
// once the port is known.
const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: 'lk-client',
      client_secret: opt['client-secret'],
      redirect_uris: [opt['redirect-uri']],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    pkce: { required: () => true },
    // Without offline_access the default issues no refresh token.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, name: 'Octo Cat', preferred_username: ACCOUNT }),
    }),
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 600, RefreshToken: 3600 },
  });

  // The recorder: after each authorization or token request.
  provider.use(async (ctx, next) => {
    await next();
    let rec = null;
    if (ctx.path === '/auth' && ctx.method === 'GET') {
      const q = ctx.query;
      rec = {
        path: ctx.path, status: ctx.status, response_type: q.response_type,
        client_id: q.client_id, redirect_uri: q.redirect_uri, scope: q.scope,
        has_state: Boolean(q.state), code_challenge_method: q.code_challenge_method,
        has_code_challenge: Boolean(q.code_challenge),
      };
    } else if (ctx.path === '/token' && ctx.method === 'POST') {
      const p = (ctx.oidc && ctx.oidc.params) || {};
      const b = (ctx.body && typeof ctx.body === 'object') ? ctx.body : {};
      rec = {
        path: ctx.path, status: ctx.status, grant_type: p.grant_type,
        code_verifier_length: p.code_verifier ? p.code_verifier.length : 0,
        sent_refresh_token: p.refresh_token || null,
        basic_auth: Boolean(ctx.headers.authorization),
        error: b.error || null,
        access_token: b.access_token || null,
        refresh_token: b.refresh_token || null,
      };
    } else if (ctx.path === '/me') {
      const h = ctx.headers.authorization || '';
      rec = { path: ctx.path, status: ctx.status, bearer: h.replace(/^Bearer /, '') };
    }
    if (rec) appendFileSync(opt.record, `${JSON.stringify(rec)}\n`);
  });

  // The interactions approve themselves: login as ACCOUNT, then consent
  // to what the client asked for.
  async function interaction(req, res) {
    try {
      const details = await provider.interactionDetails(req, res);
      const { prompt, params, session } = details;
      let result;
      if (prompt.name === 'login') {
        result = { login: { accountId: ACCOUNT } };
      } else {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
        const d = prompt.details;
        if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
        if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
        for (const [ind, scopes] of Object.entries(d.missingResourceScopes || {})) {
          grant.addResourceScope(ind, scopes.join(' '));
        }
        result = { consent: { grantId: await grant.save() } };
      }
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    } catch (err) {
      res.statusCode = 500;
      res.end(`interaction failed: ${err.message}`);
    }
  }

  const oidc = provider.callback();
  server.on('request', (req, res) => {
    if (req.url.startsWith('/interaction/')) interaction(req, res);
    else oidc(req, res);
  });
  writeFileSync(opt['port-file'], `${port}\n`);
});

// Stop by ourselves, even if the test that started us did not.
setTimeout(() => process.exit(0), Number(opt.lifetime) * 1000);
process.on('SIGTERM', () => process.exit(0));
