import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { WebSocket } from 'ws';
import { isOwnOrigin } from '../../../../adapters/driving/rpc/viewerFiles.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { startWebSocketServe } from '../../../fixtures/webSocketServe.js';
import type { WebSocketServe } from '../../../fixtures/webSocketServe.js';

const REPO = nodePath.resolve(import.meta.dirname, '..', '..', '..', '..', '..');

/** The upgrade's HTTP status with these headers and subprotocols (101 when accepted). */
const upgradeStatus = (
  url: string,
  headers: Record<string, string>,
  protocols: string[] = [],
  chosen?: (protocol: string) => void,
): Promise<number> =>
  new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('open', () => {
      chosen?.(ws.protocol);
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });

describe('the viewer on the WebSocket listener: its files, and upgrades from its own origin only', function () {
  this.timeout(120_000);
  const tmp = useTempDir('viewer-files-');
  let serve: WebSocketServe;

  before(async () => {
    execFileSync(process.execPath, [nodePath.join(REPO, 'viewer', 'build.mjs'), '--no-check'], {
      cwd: REPO,
      stdio: 'inherit',
    });
    serve = await startWebSocketServe(tmp());
  });
  after(() => serve.close());

  it('serves /viewer/ (the page, its script and style) with a CSP that allows only this origin; other paths as before', async () => {
    const http = `http://127.0.0.1:${serve.port}`;
    const page = await fetch(`${http}/viewer/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy'))
      .to.contain("script-src 'self'")
      .and.contain("connect-src 'self'");
    expect(await page.text()).to.contain('<script src="app.js" defer></script>');
    expect((await fetch(`${http}/viewer/app.js`)).headers.get('content-type')).to.equal(
      'text/javascript; charset=utf-8',
    );
    expect((await fetch(`${http}/viewer/viewer.css`)).status).to.equal(200);
    expect((await fetch(`${http}/viewer/../package.json`)).status).to.not.equal(200);
    expect((await fetch(`${http}/viewer/nothing.js`)).status).to.equal(404);
    expect((await fetch(`${http}/viewer`, { redirect: 'manual' })).headers.get('location')).to.equal('/viewer/');
    expect((await fetch(`${http}/viewer/`, { method: 'POST' })).status).to.equal(405);
    expect((await fetch(`${http}/viewer/`, { headers: { Origin: 'http://example.com' } })).status).to.equal(403);
    expect((await fetch(`${http}/readyz`, { headers: { Origin: `http://127.0.0.1:${serve.port}` } })).status).to.equal(
      403,
    );
    // A browser pointed at the listener is led to the viewer; any other plain request gets Codex's 400.
    expect((await fetch(`${http}/`, { redirect: 'manual' })).headers.get('location')).to.equal('/viewer/');
    const plain = await fetch(`${http}/other`);
    expect([plain.status, await plain.text()]).to.deep.equal([400, "Connection header did not include 'upgrade'"]);
  });

  it('upgrades a page of its own origin (127.0.0.1 or localhost and this port); refuses any other, also a name rebound to this address', async () => {
    const own = `127.0.0.1:${serve.port}`;
    expect(await upgradeStatus(serve.url, { Origin: `http://${own}` })).to.equal(101);
    expect(
      await upgradeStatus(serve.url, { Origin: `http://localhost:${serve.port}`, Host: `localhost:${serve.port}` }),
    ).to.equal(101);
    expect(
      await upgradeStatus(serve.url, {
        Origin: `http://evil.example:${serve.port}`,
        Host: `evil.example:${serve.port}`,
      }),
    ).to.equal(403);
    expect(await upgradeStatus(serve.url, { Origin: `http://127.0.0.1:${serve.port + 1}` })).to.equal(403);
    expect(await upgradeStatus(serve.url, { Origin: 'null' })).to.equal(403);
    expect(await upgradeStatus(serve.url, {})).to.equal(101);
  });

  it('with --ws-auth: the viewer page of its own origin may give its bearer token as a subprotocol; no other client may', async () => {
    const token = 'viewer-token-ü';
    const authed = await startWebSocketServe(nodePath.join(tmp(), 'authed'), {
      auth: { mode: 'capability-token', tokenSha256: createHash('sha256').update(token).digest() },
    });
    try {
      const own = { Origin: `http://127.0.0.1:${authed.port}` };
      const offered = (t: string): string[] => [
        'rollout-engine.viewer',
        `rollout-engine.bearer.${Buffer.from(t).toString('base64url')}`,
      ];
      let protocol = '';
      expect(await upgradeStatus(authed.url, own, offered(token), (p) => (protocol = p))).to.equal(101);
      expect(protocol).to.equal('rollout-engine.viewer');
      expect(await upgradeStatus(authed.url, own, offered('wrong'))).to.equal(401);
      expect(await upgradeStatus(authed.url, own)).to.equal(401);
      // Not from the viewer's page: the subprotocol is no token (Codex's rule: Authorization only).
      expect(await upgradeStatus(authed.url, {}, offered(token))).to.equal(401);
      // An Authorization header there is the one checked.
      expect(await upgradeStatus(authed.url, { ...own, Authorization: 'Bearer wrong' }, offered(token))).to.equal(401);
      expect(await upgradeStatus(authed.url, { Authorization: `Bearer ${token}` })).to.equal(101);
    } finally {
      await authed.close();
    }
  });

  it('isOwnOrigin: the Origin must be http:// + a Host naming the bound address', () => {
    const bound = { host: '127.0.0.1', port: 8080 };
    expect(isOwnOrigin({ origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' }, bound)).to.equal(true);
    expect(isOwnOrigin({ origin: 'http://LOCALHOST:8080', host: 'LOCALHOST:8080' }, bound)).to.equal(true);
    expect(isOwnOrigin({ origin: 'https://127.0.0.1:8080', host: '127.0.0.1:8080' }, bound)).to.equal(false);
    expect(isOwnOrigin({ origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8081' }, bound)).to.equal(false);
    expect(isOwnOrigin({ origin: 'http://10.0.0.1:8080', host: '10.0.0.1:8080' }, bound)).to.equal(false);
    expect(isOwnOrigin({ origin: 'http://[::1]:8080', host: '[::1]:8080' }, { host: '::1', port: 8080 })).to.equal(
      true,
    );
    expect(isOwnOrigin({ host: '127.0.0.1:8080' }, bound)).to.equal(false);
  });
});
