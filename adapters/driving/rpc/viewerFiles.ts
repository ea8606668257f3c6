import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import * as nodePath from 'node:path';
import { packageRoot } from '../../driven/system/packageRoot.js';
import { BEARER_PROTOCOL_PREFIX } from '../../../protocol/client.js';

/**
 * The web viewer's static files (`viewer/`, bundled by esbuild into `dist/viewer/` at build time),
 * served under `/viewer/` by the WebSocket listener: the page talks the same JSON-RPC over a
 * WebSocket to the same port. Nothing is fetched from elsewhere (the CSP says so to the browser).
 */

export const VIEWER_PREFIX = '/viewer/';

/** Where the build puts the bundle: the package's `dist/viewer/`. */
const bundleDir = nodePath.join(packageRoot, 'dist', 'viewer');

const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'viewer.css': 'text/css; charset=utf-8',
};

// Scripts and styles from this origin only; the WebSocket back to it ('self' covers ws: on the same host and port).
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The bundle's files, read once (small: a few hundred KiB at most). */
const loaded = new Map<string, Buffer | null>();
const fileOf = (name: string): Buffer | null => {
  if (!loaded.has(name)) {
    try {
      loaded.set(name, readFileSync(nodePath.join(bundleDir, name)));
    } catch {
      loaded.set(name, null);
    }
  }
  return loaded.get(name) ?? null;
};

/** Answer a GET under `/viewer` (`/viewer` itself redirects to `/viewer/`); `false` when the path is not the viewer's. */
export const serveViewerFile = (path: string, method: string | undefined, res: ServerResponse): boolean => {
  if (path === '/viewer') {
    res.writeHead(308, { location: VIEWER_PREFIX, 'content-length': 0 });
    res.end();
    return true;
  }
  if (!path.startsWith(VIEWER_PREFIX)) return false;
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { 'content-length': 0 });
    res.end();
    return true;
  }
  const name = path === VIEWER_PREFIX ? 'index.html' : path.slice(VIEWER_PREFIX.length);
  const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  const body = type === undefined ? null : fileOf(name);
  if (type === undefined || body === null) {
    const text = type === undefined ? 'not found' : 'the viewer is not built: run `npm run build`';
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  }
  res.writeHead(200, {
    'content-type': type,
    'content-length': body.length,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
};

/**
 * Is this request's `Origin` the viewer's own page on this listener? Only then may a browser
 * upgrade: the Origin must be `http://` + the `Host` header, and that Host must name the listener
 * itself (its bound address, or `localhost` for a loopback one), so a page of another site — also
 * one whose name was rebound to this address — is still refused with 403, as Codex refuses any Origin.
 */
export const isOwnOrigin = (
  headers: IncomingHttpHeaders,
  bound: { readonly host: string; readonly port: number },
): boolean => {
  const { origin, host } = headers;
  if (origin === undefined || host === undefined || origin !== `http://${host}`) return false;
  const literal = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
  const names = [literal];
  if (/^127\./.test(bound.host) || bound.host === '::1') names.push('localhost');
  return names.some((name) => host.toLowerCase() === `${name}:${bound.port}`);
};

/**
 * The headers the viewer's page means: a browser's WebSocket cannot send `Authorization`, so the
 * page offers its bearer token (given to it in the URL's `#token=`) as a second subprotocol,
 * `rollout-engine.bearer.<base64url(token)>`, read here as `Authorization: Bearer <token>` — then
 * checked by `--ws-auth` like any other. Only for a page of the listener's own origin (the caller
 * checks), and never over an `Authorization` that is there.
 */
export const viewerAuthHeaders = (headers: IncomingHttpHeaders): IncomingHttpHeaders => {
  if (headers.authorization !== undefined) return headers;
  const offered = (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  if (bearer === undefined) return headers;
  return {
    ...headers,
    authorization: `Bearer ${Buffer.from(bearer.slice(BEARER_PROTOCOL_PREFIX.length), 'base64url').toString('utf8')}`,
  };
};
