// The WebSocket auth cases, as `codex app-server` answers them (0.169.0, checked against the real
// binary by webSocketAuth.compat.spec.ts): the servers' flags, each upgrade's headers, the answer.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';

export const TOKEN = 'capability-token-0123456789';
export const SECRET = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
const ISSUER = 'issuer-1';
const AUDIENCE = 'audience-1';

/** An upgrade's outcome: the connection opened, or the HTTP status and body it was refused with. */
export type Outcome = 'open' | { readonly status: number; readonly body: string };

export interface AuthCase {
  readonly label: string;
  readonly headers: () => Promise<Record<string, string>>;
  readonly expected: Outcome;
}

const bearer = (token: string) => async () => ({ Authorization: `Bearer ${token}` });
const refused = (body: string): Outcome => ({ status: 401, body });

/** An HS256 JWT whose `exp` / `nbf` are given in seconds from now. */
const jwt =
  (claims: Record<string, unknown>, secret = SECRET, alg = 'HS256') =>
  async () => {
    const now = Math.floor(Date.now() / 1000);
    const timed = Object.fromEntries(
      Object.entries(claims).map(([k, v]) => [k, (k === 'exp' || k === 'nbf') && typeof v === 'number' ? now + v : v]),
    );
    return {
      Authorization: `Bearer ${await new SignJWT(timed).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret))}`,
    };
  };

const capabilityCases: AuthCase[] = [
  { label: 'no token', headers: async () => ({}), expected: refused('missing websocket bearer token') },
  { label: 'wrong token', headers: bearer('not-the-token'), expected: refused('invalid websocket bearer token') },
  {
    label: 'not a bearer scheme',
    headers: async () => ({ Authorization: `Basic ${TOKEN}` }),
    expected: refused('invalid authorization header'),
  },
  { label: 'right token', headers: bearer(TOKEN), expected: 'open' },
  {
    label: 'right token with an Origin header',
    headers: async () => ({ Authorization: `Bearer ${TOKEN}`, Origin: 'http://example.com' }),
    expected: { status: 403, body: '' },
  },
  {
    label: 'Origin header without a token',
    headers: async () => ({ Origin: 'http://example.com' }),
    expected: { status: 403, body: '' },
  },
];

const good = { iss: ISSUER, aud: AUDIENCE };
const signedCases: AuthCase[] = [
  { label: 'no token', headers: async () => ({}), expected: refused('missing websocket bearer token') },
  { label: 'good JWT', headers: jwt({ ...good, exp: 60 }), expected: 'open' },
  { label: 'expired JWT', headers: jwt({ ...good, exp: -100 }), expected: refused('expired websocket jwt') },
  { label: 'JWT expired within the clock skew', headers: jwt({ ...good, exp: -10 }), expected: 'open' },
  {
    label: 'JWT not valid yet',
    headers: jwt({ ...good, exp: 600, nbf: 100 }),
    expected: refused('websocket jwt is not valid yet'),
  },
  {
    label: 'wrong issuer',
    headers: jwt({ ...good, iss: 'someone-else', exp: 60 }),
    expected: refused('websocket jwt issuer mismatch'),
  },
  {
    label: 'wrong audience',
    headers: jwt({ ...good, aud: 'someone-else', exp: 60 }),
    expected: refused('websocket jwt audience mismatch'),
  },
  { label: 'audience among several', headers: jwt({ ...good, aud: ['x', AUDIENCE], exp: 60 }), expected: 'open' },
  { label: 'JWT without exp', headers: jwt(good), expected: refused('invalid websocket jwt') },
  {
    label: 'JWT signed with another secret',
    headers: jwt({ ...good, exp: 60 }, 'another-secret-another-secret-0000'),
    expected: refused('invalid websocket jwt'),
  },
  {
    label: 'JWT signed HS384',
    headers: jwt({ ...good, exp: 60 }, SECRET, 'HS384'),
    expected: refused('invalid websocket jwt'),
  },
  { label: 'capability token instead of a JWT', headers: bearer(TOKEN), expected: refused('invalid websocket jwt') },
];

/** The listeners the cases run against: the `--ws-*` flags (files written under `dir`) and their cases. */
export const authServers = (
  dir: string,
): Array<{ readonly label: string; readonly flags: string[]; readonly cases: AuthCase[] }> => {
  const tokenFile = nodePath.join(dir, 'ws-token');
  const secretFile = nodePath.join(dir, 'ws-secret');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  writeFileSync(secretFile, `${SECRET}\n`);
  return [
    {
      label: 'capability-token, token file',
      flags: ['--ws-auth', 'capability-token', '--ws-token-file', tokenFile],
      cases: capabilityCases,
    },
    {
      label: 'capability-token, sha256',
      flags: ['--ws-auth', 'capability-token', '--ws-token-sha256', createHash('sha256').update(TOKEN).digest('hex')],
      cases: capabilityCases,
    },
    {
      label: 'signed-bearer-token',
      flags: [
        '--ws-auth',
        'signed-bearer-token',
        '--ws-shared-secret-file',
        secretFile,
        '--ws-issuer',
        ISSUER,
        '--ws-audience',
        AUDIENCE,
      ],
      cases: signedCases,
    },
  ];
};

/** Start-ups refused, and the sentence Codex refuses each with (before binding: the port is never taken). */
export const refusedStartups = (
  dir: string,
): Array<{ readonly label: string; readonly args: string[]; readonly message: string }> => {
  const shortSecret = nodePath.join(dir, 'short-secret');
  writeFileSync(shortSecret, 'short\n');
  const port = 0;
  return [
    {
      label: 'non-loopback bind without auth',
      args: ['--listen', `ws://0.0.0.0:${port}`],
      message: `refusing to start non-loopback websocket listener 0.0.0.0:${port} without auth; configure \`--ws-auth capability-token\` or \`--ws-auth signed-bearer-token\``,
    },
    {
      label: 'auth flags without a mode',
      args: ['--listen', `ws://127.0.0.1:${port}`, '--ws-token-sha256', 'ab'.repeat(32)],
      message: 'websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`',
    },
    {
      label: 'token file and sha256',
      args: [
        '--listen',
        `ws://127.0.0.1:${port}`,
        '--ws-auth',
        'capability-token',
        '--ws-token-file',
        shortSecret,
        '--ws-token-sha256',
        'ab'.repeat(32),
      ],
      message: '`--ws-token-file` and `--ws-token-sha256` are mutually exclusive',
    },
    {
      label: 'a sha256 that is not one',
      args: ['--listen', `ws://127.0.0.1:${port}`, '--ws-auth', 'capability-token', '--ws-token-sha256', 'abc'],
      message: '--ws-token-sha256 must be a 64-character hex SHA-256 digest',
    },
    {
      label: 'a short shared secret',
      args: [
        '--listen',
        `ws://127.0.0.1:${port}`,
        '--ws-auth',
        'signed-bearer-token',
        '--ws-shared-secret-file',
        shortSecret,
      ],
      message: `signed websocket bearer secret ${shortSecret} must be at least 32 bytes`,
    },
  ];
};

/** Try one upgrade with these headers. */
export const tryUpgrade = (port: number, headers: Record<string, string>): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', reject);
  });

/** Run a server process and wait for its end: exit code and stderr. */
export const runToExit = (
  file: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  ms = 30_000,
): Promise<{ code: number | null; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
