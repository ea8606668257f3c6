import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../errors.js';
import { aboutThread, invalidArgument, rejected } from '../errors.js';

/*
 * The one rule for a thread id's syntax (issue 34): a UUID as Codex's `uuid` crate parses it.
 * Every place that checks an id before looking it up asks here — the management methods and
 * their CLI commands (`checkedThreadId`, each keeping its own words and code), and the lookup of
 * a thread's files by name (`isFileThreadId`).
 */

const GROUPS = [8, 4, 4, 4, 12];
const HEX = /^[0-9a-fA-F]$/;

/**
 * Why a thread id is not a UUID, in the words of the `uuid` crate Codex parses it with
 * (`Uuid::parse_str`); undefined when it is one. Positions count characters from 1.
 */
export const uuidSyntaxError = (text: string): string | undefined => {
  const body = text.startsWith('urn:uuid:')
    ? text.slice(9)
    : text.startsWith('{') && text.endsWith('}')
      ? text.slice(1, -1)
      : text;
  const offset = text.length - body.length - (text.startsWith('{') ? 1 : 0);
  const chars = [...body];
  const lengths = [0];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '-') lengths.push(0);
    else if (HEX.test(c)) lengths[lengths.length - 1]! += 1;
    else
      return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${c}\` at ${i + offset + 1}`;
  }
  if (lengths.length === 1)
    return chars.length === 32
      ? undefined
      : `invalid length: expected length 32 for simple format, found ${chars.length}`;
  if (lengths.length !== 5) return `invalid group count: expected 5, found ${lengths.length}`;
  const bad = lengths.findIndex((n, i) => n !== GROUPS[i]);
  return bad < 0 ? undefined : `invalid group length in group ${bad}: expected ${GROUPS[bad]}, found ${lengths[bad]}`;
};

/**
 * A thread id as Codex's management methods take it: refused with `invalid <what> id: …` unless
 * it is a UUID, as -32600, or as -32602 where Codex decodes the id with the params (`params`).
 */
export const checkedThreadId = (
  threadId: string,
  what: 'thread' | 'session',
  refusedAs: 'request' | 'params' = 'request',
): E.Either<EngineError, string> => {
  const why = uuidSyntaxError(threadId);
  if (why === undefined) return E.right(threadId);
  const refusal = refusedAs === 'params' ? invalidArgument(`${what} id`, why) : rejected(`invalid ${what} id: ${why}`);
  return E.left(aboutThread(refusal, threadId, 'malformedId'));
};

/**
 * Whether `id` is a thread id as a rollout file's name carries it: a UUID in its hyphenated form
 * (36 characters). Any other id (`../x`, 10 MB of text) names no file, so no look at the home.
 */
export const isFileThreadId = (id: string): boolean => id.length === 36 && uuidSyntaxError(id) === undefined;

const PREFIX = /^[0-9a-fA-F][0-9a-fA-F-]*$/;

/**
 * Whether `text` reads as the start of a thread id, as a person cuts one from `threads`: hex
 * digits and hyphens, shorter than an id, and not an id itself (the 32-digit simple form is one).
 * Only the CLI takes prefixes (`replay/history/resolveThreadId.ts`); the wire takes ids, as Codex.
 */
export const isThreadIdPrefix = (text: string): boolean =>
  text.length < 36 && PREFIX.test(text) && uuidSyntaxError(text) !== undefined;

/**
 * A prefix as the ids it may start are written: lowercase, and hyphenated where an id has its
 * hyphens when it has none of its own (`019a0000000070` → `019a0000-0000-70`), so a prefix cut
 * from the simple form finds the same threads.
 */
export const hyphenatedPrefix = (prefix: string): string => {
  const lower = prefix.toLowerCase();
  if (lower.includes('-')) return lower;
  let out = '';
  let at = 0;
  for (const n of GROUPS) {
    if (at >= lower.length) break;
    out += (out === '' ? '' : '-') + lower.slice(at, at + n);
    at += n;
  }
  return out;
};
