import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import * as E from 'fp-ts/lib/Either.js';
import { compactVerify } from 'jose';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/**
 * WebSocket authentication as `codex app-server --ws-auth` does it (codex-rs app-server
 * `transport/auth.rs`): checked on the HTTP upgrade, refused with 401 and Codex's words.
 */

/** What the `--ws-*` flags say, before their files are read. */
export interface WebSocketAuthFlags {
  readonly wsAuth?: 'capability-token' | 'signed-bearer-token';
  readonly wsTokenFile?: string;
  readonly wsTokenSha256?: string;
  readonly wsSharedSecretFile?: string;
  readonly wsIssuer?: string;
  readonly wsAudience?: string;
  readonly wsMaxClockSkewSeconds?: number;
}

export type WebSocketAuthPolicy =
  | { readonly mode: 'none' }
  | { readonly mode: 'capability-token'; readonly tokenSha256: Buffer }
  | {
      readonly mode: 'signed-bearer-token';
      readonly sharedSecret: Uint8Array;
      readonly issuer?: string;
      readonly audience?: string;
      readonly maxClockSkewSeconds: number;
    };

const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 30;
/** HS256 with a shorter key is guessable; Codex refuses to start with one. */
const MIN_SHARED_SECRET_BYTES = 32;

const sha256 = (bytes: string | Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

/** A secret file's text, trimmed; an empty one is refused as Codex refuses it. */
const readSecret = (flag: string, path: string): E.Either<EngineError, string> => {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    return E.left(invalidArgument(flag, `failed to read websocket auth secret ${path}: ${(err as Error).message}`));
  }
  const secret = raw.trim();
  return secret === ''
    ? E.left(invalidArgument(flag, `websocket auth secret ${path} must not be empty`))
    : E.right(secret);
};

const trimmedOrUndefined = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v.trim();

/** `--ws-auth capability-token`: a token file or a SHA-256 digest of the token, the one or the other. */
const capabilityTokenPolicy = (
  flags: WebSocketAuthFlags,
  signedOnly: boolean,
): E.Either<EngineError, WebSocketAuthPolicy> => {
  if (signedOnly)
    return E.left(
      invalidArgument(
        '--ws-auth',
        '`--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and `--ws-max-clock-skew-seconds` require `--ws-auth signed-bearer-token`',
      ),
    );
  if (flags.wsTokenFile !== undefined && flags.wsTokenSha256 !== undefined)
    return E.left(
      invalidArgument('--ws-token-file', '`--ws-token-file` and `--ws-token-sha256` are mutually exclusive'),
    );
  if (flags.wsTokenSha256 !== undefined)
    return /^[0-9a-fA-F]{64}$/.test(flags.wsTokenSha256)
      ? E.right({ mode: 'capability-token', tokenSha256: Buffer.from(flags.wsTokenSha256, 'hex') })
      : E.left(invalidArgument('--ws-token-sha256', '--ws-token-sha256 must be a 64-character hex SHA-256 digest'));
  if (flags.wsTokenFile === undefined)
    return E.left(
      invalidArgument(
        '--ws-token-file',
        '`--ws-token-file` or `--ws-token-sha256` is required when `--ws-auth capability-token` is set',
      ),
    );
  return E.map((token: string): WebSocketAuthPolicy => ({ mode: 'capability-token', tokenSha256: sha256(token) }))(
    readSecret('--ws-token-file', flags.wsTokenFile),
  );
};

/** `--ws-auth signed-bearer-token`: an HS256 shared secret long enough, and the claims' issuer, audience and skew. */
const signedBearerPolicy = (flags: WebSocketAuthFlags): E.Either<EngineError, WebSocketAuthPolicy> => {
  if (flags.wsTokenFile !== undefined || flags.wsTokenSha256 !== undefined)
    return E.left(
      invalidArgument(
        '--ws-token-file',
        '`--ws-token-file` requires `--ws-auth capability-token`, not `signed-bearer-token`',
      ),
    );
  if (flags.wsSharedSecretFile === undefined)
    return E.left(
      invalidArgument(
        '--ws-shared-secret-file',
        '`--ws-shared-secret-file` is required when `--ws-auth signed-bearer-token` is set',
      ),
    );
  const path = flags.wsSharedSecretFile;
  return E.chain((secret: string): E.Either<EngineError, WebSocketAuthPolicy> => {
    const sharedSecret = new TextEncoder().encode(secret);
    if (sharedSecret.length < MIN_SHARED_SECRET_BYTES)
      return E.left(
        invalidArgument(
          '--ws-shared-secret-file',
          `signed websocket bearer secret ${path} must be at least ${MIN_SHARED_SECRET_BYTES} bytes`,
        ),
      );
    const issuer = trimmedOrUndefined(flags.wsIssuer);
    const audience = trimmedOrUndefined(flags.wsAudience);
    return E.right({
      mode: 'signed-bearer-token',
      sharedSecret,
      ...(issuer === undefined ? {} : { issuer }),
      ...(audience === undefined ? {} : { audience }),
      maxClockSkewSeconds: flags.wsMaxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS,
    });
  })(readSecret('--ws-shared-secret-file', path));
};

/** The flags as a policy (their files read once, at start), or the sentence Codex refuses them with. */
export const webSocketAuthPolicy = (flags: WebSocketAuthFlags): E.Either<EngineError, WebSocketAuthPolicy> => {
  const signedOnly =
    flags.wsSharedSecretFile !== undefined ||
    flags.wsIssuer !== undefined ||
    flags.wsAudience !== undefined ||
    flags.wsMaxClockSkewSeconds !== undefined;
  switch (flags.wsAuth) {
    case undefined:
      if (signedOnly || flags.wsTokenFile !== undefined || flags.wsTokenSha256 !== undefined)
        return E.left(
          invalidArgument(
            '--ws-auth',
            'websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`',
          ),
        );
      return E.right({ mode: 'none' });
    case 'capability-token':
      return capabilityTokenPolicy(flags, signedOnly);
    case 'signed-bearer-token':
      return signedBearerPolicy(flags);
  }
};

/** Why an upgrade is refused: the HTTP status and Codex's sentence (the body of its answer). */
export interface UpgradeRefusal {
  readonly status: 401;
  readonly message: string;
}

const unauthorized = (message: string): UpgradeRefusal => ({ status: 401, message });

/** The bearer token of `Authorization: Bearer <token>`, or Codex's refusal. */
const bearerToken = (headers: IncomingHttpHeaders): E.Either<UpgradeRefusal, string> => {
  const header = headers.authorization;
  if (header === undefined) return E.left(unauthorized('missing websocket bearer token'));
  const space = header.indexOf(' ');
  const token = space < 0 ? '' : header.slice(space + 1).trim();
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer' || token === '')
    return E.left(unauthorized('invalid authorization header'));
  return E.right(token);
};

/** Claims as Codex reads them: `exp` required, `nbf` / `iss` / `aud` checked when present or asked for. */
const claimsRefusal = (
  payload: Record<string, unknown>,
  policy: Extract<WebSocketAuthPolicy, { mode: 'signed-bearer-token' }>,
  nowSeconds: number,
): UpgradeRefusal | null => {
  const { exp, nbf, iss, aud } = payload;
  if (typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number'))
    return unauthorized('invalid websocket jwt');
  if (nowSeconds > exp + policy.maxClockSkewSeconds) return unauthorized('expired websocket jwt');
  if (typeof nbf === 'number' && nowSeconds < nbf - policy.maxClockSkewSeconds)
    return unauthorized('websocket jwt is not valid yet');
  if (policy.issuer !== undefined && iss !== policy.issuer) return unauthorized('websocket jwt issuer mismatch');
  if (
    policy.audience !== undefined &&
    !(aud === policy.audience || (Array.isArray(aud) && aud.includes(policy.audience)))
  )
    return unauthorized('websocket jwt audience mismatch');
  return null;
};

/**
 * Is this upgrade (or `GET /metrics`) allowed? `null` when it is; else the 401 Codex answers. A capability token is
 * compared by its SHA-256 in constant time; a JWT must be HS256 with the shared secret, its
 * claims checked with the clock skew (jose checks the signature only: Codex's own claim rules
 * and words follow).
 */
export const authorizeUpgrade = async (
  headers: IncomingHttpHeaders,
  policy: WebSocketAuthPolicy,
  now: () => number = Date.now,
): Promise<UpgradeRefusal | null> => {
  if (policy.mode === 'none') return null;
  const token = bearerToken(headers);
  if (E.isLeft(token)) return token.left;
  if (policy.mode === 'capability-token')
    return timingSafeEqual(sha256(token.right), policy.tokenSha256)
      ? null
      : unauthorized('invalid websocket bearer token');
  let payload: Record<string, unknown>;
  try {
    // The signature only: the claims are checked below with Codex's rules, skew and words.
    const verified = await compactVerify(token.right, policy.sharedSecret, { algorithms: ['HS256'] });
    const claims: unknown = parseJson(new TextDecoder().decode(verified.payload));
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      return unauthorized('invalid websocket jwt');
    payload = claims as Record<string, unknown>;
  } catch {
    return unauthorized('invalid websocket jwt');
  }
  return claimsRefusal(payload, policy, Math.floor(now() / 1000));
};
