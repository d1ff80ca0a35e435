// A real OAuth 2.0 / OpenID Connect server for ewstrigd's tests: panva's
// oidc-provider (tests/peers, pinned), configured like Entra ID where it
// matters (reference/oauth.md Part B) and steerable through /test/* routes.
//
//   node server.mjs [--tenant T] [--access-ttl S] [--interval S] [--device-ttl S] [--cert PEM]
//                   [--jwt-access-tokens]
//
// Listens on 127.0.0.1, port chosen by the system; prints one line
// `listening on http://127.0.0.1:PORT issuer http://127.0.0.1:PORT/T/v2.0` when ready.
// The issuer has Entra's path layout, so the daemon's default discovery URL
// {authority}/{tenant}/v2.0/.well-known/openid-configuration works with
// authority http://127.0.0.1:PORT.
//
// Clients: device-public (device code + refresh, public), native-pkce
// (authorization code + PKCE, loopback redirect http://127.0.0.1/callback, any
// port), cc-secret (client credentials, secret cc-secret-value), cc-jwt
// (client credentials, private_key_jwt PS256 with --cert's key).
// Refresh tokens rotate; a reused one revokes the grant (stricter than Entra).
//
// --jwt-access-tokens (off by default: access tokens are opaque): client
// credentials tokens for the EWS scopes are RS256 JWTs with aud
// https://outlook.office365.com, like Entra's, verifiable with the keys at the
// discovery document's jwks_uri (ews-sim --jwks-url). A client sending only
// scope gets the resource from it (defaultResource), as Entra clients do;
// resource=https://graph.microsoft.com (or its /.default scope) gets a JWT
// for that other audience, for tests that EWS refuses it. Device-code sign-ins
// approved through /test/approve get EWS JWTs too (and on refresh), with
// upn <user>@contoso.test.
//
// Test routes (not under the issuer path):
//   GET  /test/stats                  {"token_requests": {"<grant_type> <client_id>": n}, "device_polls": n}
//   POST /test/approve  {user_code, deny?}  completes (or declines) the device sign-in
//   POST /test/faults   {status, retry_after?, error?, hang_ms?, count?}  answers the next token requests so
//   POST /test/slow-down {count}     the next device polls get slow_down
//   POST /test/revoke   {refresh_token}  revokes the grant behind it (the user withdrew consent)
//   POST /test/deny-interactions {deny}  interactive logins are declined (access_denied)
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
// tests/peers holds the pinned install (scripts/install-deps.sh runs npm ci there).
import Provider, { errors } from '../peers/node_modules/oidc-provider/lib/index.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const tenant = args.tenant ?? 'test-tenant';
const accessTtl = Number(args['access-ttl'] ?? 5);
const interval = Number(args.interval ?? 1);
const deviceTtl = Number(args['device-ttl'] ?? 60);
const jwtAccessTokens = process.argv.includes('--jwt-access-tokens');
const prefix = `/${tenant}/v2.0`;

const EWS_DELEGATED = 'https://outlook.office365.com/EWS.AccessAsUser.All';
const EWS_APP = 'https://outlook.office365.com/.default';

// --jwt-access-tokens: the resource servers (RFC 8707) whose access tokens are JWTs.
const EWS_RESOURCE = 'https://outlook.office365.com';
const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const resourceServers = {
  [EWS_RESOURCE]: { scope: `${EWS_DELEGATED} ${EWS_APP}`, audience: EWS_RESOURCE, accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } } },
  [GRAPH_RESOURCE]: { scope: `${GRAPH_RESOURCE}/.default`, audience: GRAPH_RESOURCE, accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } } },
};
// The resource a scope such as https://outlook.office365.com/.default belongs to.
const resourceOfScope = (scope) => Object.keys(resourceServers)
  .find((r) => String(scope ?? '').split(' ').some((s) => s.startsWith(`${r}/`)));
const resourceIndicators = {
  enabled: true,
  defaultResource: async (ctx, client, oneOf) => {
    if (oneOf) return oneOf.includes(EWS_RESOURCE) ? EWS_RESOURCE : oneOf;
    return resourceOfScope(ctx.oidc.params.scope);
  },
  // Code, device code and refresh token exchanges without `resource` get a token for the granted API, as on Entra.
  useGrantedResource: async () => true,
  getResourceServerInfo: async (ctx, indicator) => {
    if (!resourceServers[indicator]) throw new errors.InvalidTarget();
    return resourceServers[indicator];
  },
};

let certJwk;
if (args.cert) certJwk = crypto.createPublicKey(fs.readFileSync(args.cert)).export({ format: 'jwk' });

const stats = { token_requests: {}, device_polls: 0 };
const faults = [];
let slowDowns = 0;
let denyInteractions = false;

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const base = `http://127.0.0.1:${port}`;
const issuer = base + prefix;

const clients = [
  {
    client_id: 'device-public', application_type: 'native', token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], response_types: [], redirect_uris: [],
  },
  {
    client_id: 'native-pkce', application_type: 'native', token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
  },
  {
    client_id: 'cc-secret', client_secret: 'cc-secret-value', grant_types: ['client_credentials'], response_types: [],
    redirect_uris: [], token_endpoint_auth_method: 'client_secret_post', scope: EWS_APP,
  },
];
if (certJwk) {
  // PS256 only, as Entra's current documentation asks (reference/oauth.md A.5): an RS256 assertion is refused.
  clients.push({
    client_id: 'cc-jwt', grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', scope: EWS_APP,
    jwks: { keys: [{ ...certJwk, use: 'sig' }] },
  });
}

const provider = new Provider(issuer, {
  clients,
  scopes: ['openid', 'offline_access', EWS_DELEGATED, EWS_APP],
  features: {
    devInteractions: { enabled: false },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    ...(jwtAccessTokens ? { resourceIndicators } : {}),
  },
  // Delegated JWT access tokens name their user the way Entra's do (upn), so a resource server can pick the mailbox.
  ...(jwtAccessTokens ? {
    extraTokenClaims: async (ctx, token) => (token.accountId ? { upn: `${token.accountId}@contoso.test` } : undefined),
  } : {}),
  ttl: {
    AccessToken: accessTtl, ClientCredentials: accessTtl, DeviceCode: deviceTtl, RefreshToken: 86400,
    AuthorizationCode: 60, Grant: 86400, Interaction: 600, Session: 86400, IdToken: 3600,
  },
  rotateRefreshToken: true,
  // OIDC drops offline_access from an authorization request without prompt=consent;
  // Entra honours it, so refresh tokens go to every client allowed the grant.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
  findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub, preferred_username: `${sub}@contoso.test` }) }),
  cookies: { keys: ['ewstrigd-test-cookie-key'] },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(data))));
    req.on('error', reject);
  });
}

async function grantFor(accountId, clientId, scope) {
  const grant = new provider.Grant({ accountId, clientId });
  grant.addOIDCScope(scope.split(' ').filter((s) => ['openid', 'offline_access'].includes(s)).join(' '));
  const resource = scope.split(' ').filter((s) => s.startsWith('https://')).join(' ');
  if (resource && jwtAccessTokens && resourceOfScope(resource)) grant.addResourceScope(resourceOfScope(resource), resource);
  else if (resource) grant.addOIDCScope(resource);
  return grant.save();
}

// Token endpoint: count, inject faults, shape device polls like Entra.
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/token') {
    const form = await readForm(ctx.req);
    ctx.req.body = form;
    const key = `${form.grant_type} ${form.client_id}`;
    stats.token_requests[key] = (stats.token_requests[key] ?? 0) + 1;
    const fault = faults[0];
    if (fault) {
      if (--fault.count <= 0) faults.shift();
      if (fault.hang_ms) await new Promise((r) => setTimeout(r, fault.hang_ms));
      ctx.status = fault.status;
      if (fault.retry_after !== undefined) ctx.set('Retry-After', String(fault.retry_after));
      ctx.body = { error: fault.error ?? 'temporarily_unavailable', error_description: 'injected by the test' };
      return;
    }
    if (form.grant_type === 'urn:ietf:params:oauth:grant-type:device_code') {
      stats.device_polls += 1;
      if (slowDowns > 0) {
        slowDowns -= 1;
        ctx.status = 400;
        ctx.body = { error: 'slow_down', error_description: 'polling faster than interval' };
        return;
      }
    }
  }
  await next();
  if (ctx.method === 'POST' && ctx.path === '/device/auth' && ctx.status === 200 && ctx.body) {
    ctx.body.interval = interval;
    ctx.body.message = `To sign in, open ${ctx.body.verification_uri} and enter the code ${ctx.body.user_code}.`;
  }
});

// Interactions (browser sign-in): approve at once, as user alice.
provider.use(async (ctx, next) => {
  const m = ctx.method === 'GET' && ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!m) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (denyInteractions) {
    result = { error: 'access_denied', error_description: 'End-User denied (test harness)' };
  } else if (details.prompt.name === 'login') {
    result = { login: { accountId: 'alice' } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const d = details.prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    result = { consent: { grantId: await grant.save() } };
  }
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
});

const callback = provider.callback();

async function testRoute(req, res) {
  const reply = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const body = req.method === 'POST' ? JSON.parse((await new Promise((r) => {
    let d = ''; req.on('data', (c) => { d += c; }); req.on('end', () => r(d || '{}'));
  }))) : {};
  switch (`${req.method} ${req.url}`) {
    case 'GET /test/stats': return reply(200, stats);
    case 'POST /test/faults':
      faults.push({ count: 1, ...body });
      return reply(200, { pending: faults.length });
    case 'POST /test/slow-down':
      slowDowns = body.count ?? 1;
      return reply(200, {});
    case 'POST /test/deny-interactions':
      denyInteractions = Boolean(body.deny);
      return reply(200, {});
    case 'POST /test/approve': {
      const code = await provider.DeviceCode.findByUserCode(String(body.user_code).toUpperCase().replace(/\W/g, ''));
      if (!code) return reply(404, { error: 'unknown user_code' });
      if (body.deny) {
        code.error = 'access_denied';
        code.errorDescription = 'End-User aborted interaction';
      } else {
        code.accountId = 'alice';
        code.authTime = Math.floor(Date.now() / 1000);
        code.scope = code.params.scope;
        code.grantId = await grantFor('alice', code.clientId, code.params.scope);
        if (jwtAccessTokens) code.resource = resourceOfScope(code.params.scope);
      }
      await code.save();
      return reply(200, {});
    }
    case 'POST /test/revoke': {
      const rt = await provider.RefreshToken.find(String(body.refresh_token));
      if (!rt) return reply(404, { error: 'unknown refresh token' });
      const grant = await provider.Grant.find(rt.grantId);
      if (grant) await grant.destroy();
      await rt.destroy();
      return reply(200, {});
    }
    default: return reply(404, { error: 'no such test route' });
  }
}

server.on('request', (req, res) => {
  if (req.url.startsWith('/test/')) {
    testRoute(req, res).catch((e) => { res.writeHead(500); res.end(String(e)); });
    return;
  }
  if (req.url !== prefix && !req.url.startsWith(`${prefix}/`)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`not under the issuer path ${prefix}\n`);
    return;
  }
  // Mounted like Express does it: oidc-provider derives its mount path from originalUrl vs url.
  req.originalUrl = req.url;
  req.url = req.url.slice(prefix.length) || '/';
  callback(req, res);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
console.log(`listening on ${base} issuer ${issuer}`);
