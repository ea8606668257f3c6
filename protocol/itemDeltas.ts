// The items' differences between the Codex versions spoken, declared once (`ITEM_DELTAS`), and the
// one shaping that reads them (`answerAt`): the engine renders every item as the oldest version
// answers it, but for a field each version reads in its own shape (`itemFieldRead`: rendered as the
// line has it), and a connection speaking a version gets each answer with its items shaped.
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { AppliedItemDelta, CodexVersion, ItemDelta, Versioned } from './codexVersions.js';
import { FIELD_ABSENT, itemDeltasAt, resultAt } from './codexVersions.js';
import { THREAD_ITEM_TYPES } from '../domain/thread/threadItem.js';
import type { ItemPresence, ThreadItem } from '../domain/thread/threadItem.js';
import { RenderedTurns, turnValues } from '../domain/thread/turn.js';
import { AgentMessageDisplay169 } from '../domain/rollout/kinds/legacyItemEvents.js';

/** 0.171.0's `AgentMessageDisplay` (its generated schema): a union tagged by `mode`, `version` 1, each mode's required field; unknown fields ignored. */
const ShowDisplay = t.intersection([
  t.type({ mode: t.literal('show'), version: t.literal(1), trustedContacts: t.keyof({ check: null, skip: null }) }),
  t.partial({
    annotation: t.union([
      t.null,
      t.type({ kind: t.literal('wellbeingHelpline'), subject: t.keyof({ answer: null, prompt: null }) }),
    ]),
  }),
]);
const HideDisplay = t.type({
  mode: t.literal('hide'),
  version: t.literal(1),
  replacement: t.type({ kind: t.literal('wellbeingPromptHelpline') }),
});
const BlockReason = t.union([
  t.type({ kind: t.literal('protection'), protectionType: t.string }),
  t.intersection([t.type({ kind: t.literal('cyber') }), t.partial({ trustedAccess: t.union([t.boolean, t.null]) })]),
]);
const BlockDisplay = t.type({ mode: t.literal('block'), version: t.literal(1), reason: BlockReason });
const AgentMessageDisplay171 = t.union([ShowDisplay, HideDisplay, BlockDisplay]);

/** A 0.171.0 display as it answers it: its fields in serde's order, the unknown ones dropped, the absent or null optional ones left out. */
const display171Of = (d: t.TypeOf<typeof AgentMessageDisplay171>): Json => {
  if (d.mode === 'show')
    return {
      mode: d.mode,
      version: d.version,
      ...(d.annotation ? { annotation: { kind: d.annotation.kind, subject: d.annotation.subject } } : {}),
      trustedContacts: d.trustedContacts,
    };
  if (d.mode === 'hide') return { mode: d.mode, version: d.version, replacement: { kind: d.replacement.kind } };
  const r = d.reason;
  const reason =
    r.kind === 'protection'
      ? { kind: r.kind, protectionType: r.protectionType }
      : {
          kind: r.kind,
          ...(r.trustedAccess === undefined || r.trustedAccess === null ? {} : { trustedAccess: r.trustedAccess }),
        };
  return { mode: d.mode, version: d.version, reason };
};

/**
 * An agent message's moderation (rendered as the line has it: domain/thread/mapItem.ts) as 0.169.0
 * reads it: a display is its `AgentMessageDisplay` (`action` required, the rest null when absent,
 * unknown fields dropped); a display it cannot decode (0.171.0's `mode` shape, `{}`, …) fails the
 * line, and the message has no item (`undefined`). Measured on 0.169.0: itemDeltas.compat.
 */
const moderationAt169 = (value: unknown): unknown => {
  if (!isPlainObject(value)) return value;
  const { moderated, display } = value;
  if (display === null || display === undefined) return { moderated, display: null };
  const d = AgentMessageDisplay169.decode(display);
  if (isLeft(d)) return undefined;
  const { action, blockType, cyberTrustedAccess, checkTrustedContacts } = d.right;
  return {
    moderated,
    display: {
      action,
      blockType: blockType ?? null,
      cyberTrustedAccess: cyberTrustedAccess ?? null,
      checkTrustedContacts: checkTrustedContacts ?? null,
    },
  };
};

/**
 * The same moderation as 0.171.0 reads it: a display in its shape (`AgentMessageDisplay171`) is
 * answered as decoded with `moderated` as written; any other display (0.169.0's `action` shape,
 * `{}`, `version` 2, a mode without its required field or with one misshapen, a string) is read
 * as none, and the message answered as moderated with no display, whatever `moderated` said; no
 * display is answered as written. Its item is never dropped for its display (only a moderation
 * without `moderated` fails the line, in both versions). Measured on 0.171.0 in homes it read
 * first (itemDeltas.compat): a home whose history projection 0.169.0 wrote (thread_history_1.sqlite)
 * is answered from 0.169.0's reading, without the items 0.169.0 dropped.
 */
const moderationAt171 = (value: unknown): unknown => {
  if (!isPlainObject(value)) return value;
  const { moderated, display } = value;
  if (display === null || display === undefined) return { moderated, display: null };
  const d = AgentMessageDisplay171.decode(display);
  return isLeft(d) ? { moderated: true, display: null } : { moderated, display: display171Of(d.right) };
};

/** Every item difference, by the version that made it. */
export const ITEM_DELTAS: ReadonlyArray<ItemDelta> = [
  // 0.171.0 answers `environmentId` on every MCP call (after `server`): a paginated item's
  // `environmentId` as the line has it (rendered: domain/thread/toolCallItem.ts), else null (a
  // legacy `mcp_tool_call_end`'s, a snake_case `environment_id`: measured on 0.171.0 in a home it
  // projected itself, itemDeltas.compat). 0.169.0 has no such field.
  {
    kind: 'itemFieldRead',
    since: '0.171.0',
    itemType: 'mcpToolCall',
    field: 'environmentId',
    before: () => FIELD_ABSENT,
    at: (value) => value ?? null,
    source: 'codex-rs/app-server-protocol/src/protocol/v2/item.rs (ThreadItem::McpToolCall.environment_id)',
  },
  {
    kind: 'itemFieldAdded',
    since: '0.171.0',
    itemType: 'mcpToolCall',
    field: 'environmentId',
    after: 'server',
    value: null,
    source: 'codex-rs/app-server-protocol/src/protocol/v2/item.rs (ThreadItem::McpToolCall.environment_id)',
  },
  {
    kind: 'itemFieldRead',
    since: '0.171.0',
    itemType: 'agentMessage',
    field: 'moderation',
    before: moderationAt169,
    at: moderationAt171,
    noItem: 'before',
    source:
      'codex-rs/app-server-protocol/src/protocol/v2/item.rs (AgentMessageModeration, AgentMessageDisplay tagged by mode)',
  },
];

const ITEM_TYPES: ReadonlySet<string> = new Set(THREAD_ITEM_TYPES);

type Json = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

const isStream = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && Symbol.asyncIterator in v;

/** An API item: an object of an item type with an id (an item holds no item: its fields are not looked into). */
const isItem = (v: Json): boolean =>
  typeof v['type'] === 'string' && typeof v['id'] === 'string' && ITEM_TYPES.has(v['type']);

/**
 * Sets an own property, whatever its key: an assignment of `__proto__` would set the object's
 * prototype and lose the key (a turn id, a map key of a token report).
 */
const setOwn = (out: Json, key: string, value: unknown): void => {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
};

/** `item` with `field` set to `value` right after `after` (Codex's key order), or last when `after` is absent. */
const withFieldAfter = (item: Json, after: string, field: string, value: unknown): Json => {
  if (!(after in item)) return { ...item, [field]: value };
  const out: Json = {};
  for (const [k, v] of Object.entries(item)) {
    setOwn(out, k, v);
    if (k === after) setOwn(out, field, value);
  }
  return out;
};

/** The item as the deltas make it, or `undefined` where a read field says that version has no item. */
const shapeItem = (item: Json, deltas: ReadonlyArray<AppliedItemDelta>): Json | undefined => {
  let out = item;
  for (const d of deltas) {
    if (d.itemType !== item['type']) continue;
    if (d.kind === 'itemFieldAdded') {
      if (!(d.field in out)) out = withFieldAfter(out, d.after, d.field, d.value);
    } else if (d.field in out) {
      const value = d.reshape(out[d.field]);
      if (value === undefined) return undefined;
      if (value === out[d.field]) continue;
      if (value === FIELD_ABSENT) {
        const { [d.field]: _absent, ...rest } = out;
        out = rest;
      } else out = { ...out, [d.field]: value };
    }
  }
  return out;
};

/**
 * Whether a rendering's text may hold an item a delta changes: its type written as a key's value
 * (a string's quotes are escaped inside another string, so `"type":"x"` is structure), and for a
 * reshaped field, the field with a value other than null. A text that holds none is passed as is.
 */
const mayChange = (text: string, deltas: ReadonlyArray<AppliedItemDelta>): boolean =>
  deltas.some((d) => {
    const { typeKey, field } = textTestOf(d);
    return text.includes(typeKey) && (field === undefined || field.test(text));
  });

/** A delta's tests of a rendering's text, made once per delta (`deltasAt` keeps a version's). */
const textTests = new WeakMap<AppliedItemDelta, { readonly typeKey: string; readonly field: RegExp | undefined }>();
const textTestOf = (d: AppliedItemDelta): { readonly typeKey: string; readonly field: RegExp | undefined } => {
  let test = textTests.get(d);
  if (test === undefined) {
    test = {
      typeKey: `"type":${JSON.stringify(d.itemType)}`,
      field: d.kind === 'itemFieldAdded' ? undefined : new RegExp(`"${d.field}":${d.evenNull ? '' : '(?!null)'}`),
    };
    textTests.set(d, test);
  }
  return test;
};

/** A version's applied deltas, made once per version: every answer of a connection asks them. */
const appliedByVersion = new Map<CodexVersion, ReadonlyArray<AppliedItemDelta>>();
const deltasAt = (version: CodexVersion): ReadonlyArray<AppliedItemDelta> => {
  let deltas = appliedByVersion.get(version);
  if (deltas === undefined) {
    deltas = itemDeltasAt(ITEM_DELTAS, version);
    appliedByVersion.set(version, deltas);
  }
  return deltas;
};

/**
 * `value` with its items shaped; a part that holds no item a delta changes is returned as it is
 * (not copied), so an answer with no item (a thread list, a token report) costs one walk.
 */
const shapeAll = (value: unknown, deltas: ReadonlyArray<AppliedItemDelta>): unknown => {
  if (value instanceof RenderedTurns) {
    if (!mayChange(value.json, deltas)) return value;
    return new RenderedTurns(
      turnValues(value)
        .map((t) => JSON.stringify(shapeAll(t, deltas)))
        .join(','),
    );
  }
  if (isStream(value))
    return (async function* () {
      for await (const piece of value) yield shapeAll(piece, deltas);
    })();
  // An item the version has no item for leaves its list (a turn's items), and so does a page's entry of it (`{turnId, item, …}`).
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const v: unknown = value[i];
      const shaped = typeof v !== 'object' || v === null ? SAME : shapeEntry(v, deltas);
      if (shaped === SAME && out === undefined) continue;
      out ??= value.slice(0, i);
      if (shaped === SAME) out.push(v);
      else if (shaped !== NONE) out.push(shaped);
    }
    return out ?? value;
  }
  if (!isPlainObject(value)) return value;
  // Alone, it is a notification's, which is not sent (`itemAbsentAt`).
  if (isItem(value)) return shapeItem(value, deltas) ?? value;
  let out: Json | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i += 1) {
    const v = value[keys[i]!];
    // A string, number, boolean or null holds no item (most of an answer's fields).
    if (typeof v !== 'object' || v === null) {
      if (out !== undefined) setOwn(out, keys[i]!, v);
      continue;
    }
    const shaped = shapeAll(v, deltas);
    if (shaped === v && out === undefined) continue;
    if (out === undefined) {
      // The first part that changed: the object is copied, the parts before it as they are.
      out = {};
      for (let j = 0; j < i; j += 1) setOwn(out, keys[j]!, value[keys[j]!]);
    }
    setOwn(out, keys[i]!, shaped);
  }
  return out ?? value;
};

const SAME: unique symbol = Symbol('same');
const NONE: unique symbol = Symbol('none');

/**
 * One entry of a list as shaped: `SAME` as it is, `NONE` when it is (or its page entry holds) an
 * item the version has not. An item and a page's entry of one are shaped at once: a check of a
 * few fields, on objects made for each answer, which a remembered set would only grow (an items
 * page of 50 spent more in the set than in the check: profile of 2026-11-29).
 */
const shapeEntry = (v: object, deltas: ReadonlyArray<AppliedItemDelta>): unknown => {
  if (isPlainObject(v)) {
    if (isItem(v)) return same(v, shapeItem(v, deltas) ?? NONE);
    const entryItem = v['item'];
    if (isPlainObject(entryItem) && isItem(entryItem)) return shapedPageEntry(v, entryItem, deltas);
  }
  return same(v, shapeAll(v, deltas));
};

/** A page's entry (`{turnId, item, …}`) with its item shaped. */
const shapedPageEntry = (v: Json, entryItem: Json, deltas: ReadonlyArray<AppliedItemDelta>): unknown => {
  const item = shapeItem(entryItem, deltas);
  if (item === undefined) return NONE;
  // A page's entry beside its item holds numbers and strings (its turn, its times): nothing to walk.
  if (Object.keys(v).every((k) => k === 'item' || typeof v[k] !== 'object' || v[k] === null))
    return item === entryItem ? SAME : { ...v, item };
  const rest = shapeAll({ ...v, item: null }, deltas) as Json;
  return item === entryItem && Object.keys(rest).every((k) => k === 'item' || rest[k] === v[k])
    ? SAME
    : { ...rest, item };
};

const same = (before: unknown, after: unknown): unknown => (after === before ? SAME : after);

/**
 * An answer or a notification's params as a connection speaking `version` gets it: each item in
 * it (in a turn, a page, a notification; in a stream of turns or a rendering of them) with the
 * deltas of its version applied; an item its version has no item for leaves its list.
 */
export const answerAt = (version: CodexVersion, value: unknown): unknown => {
  const deltas = deltasAt(version);
  if (deltas.length === 0) return value;
  // A string, number, boolean or null holds no item.
  if (typeof value !== 'object' || value === null) return value;
  let unchanged = unchangedAnswers.get(deltas);
  if (unchanged === undefined) unchangedAnswers.set(deltas, (unchanged = new WeakSet()));
  if (unchanged.has(value)) return value;
  const shaped = shapeAll(value, deltas);
  if (shaped === value) unchanged.add(value);
  return shaped;
};

/**
 * Answers found unchanged by a version's deltas, per delta list (`deltasAt` makes one per version):
 * a `thread/list` answer is the same object from request to request while the index stands
 * (replay/internal/listingMemo.ts), so it is walked once, not at every poll. One entry an answer,
 * not one a list's entry: a page's turns are made for each answer, and a set of every one of them
 * cost a page of 20 turns more than their walk (26 µs, a serve's CPU profile). Answers are never
 * changed once answered (readonly rows); one the deltas change is not kept.
 */
const unchangedAnswers = new WeakMap<ReadonlyArray<AppliedItemDelta>, WeakSet<object>>();

/**
 * The items a connection speaking `version` has, where it has fewer than the index (a read field
 * its serde may fail on: 0.169.0's moderation display), else undefined (it has every item).
 */
export const itemPresenceAt = (version: CodexVersion): ItemPresence | undefined => {
  const dropping = deltasAt(version).filter((d) => d.kind === 'itemFieldReshaped' && d.dropsItem);
  if (dropping.length === 0) return undefined;
  return {
    kinds: new Set(dropping.map((d) => d.itemType)),
    has: (item: ThreadItem) => shapeItem(item as unknown as Json, dropping) !== undefined,
  };
};

/**
 * Whether a notification's params carry an item (`params.item`) that a connection speaking
 * `version` has no item for: its Codex would not have read the line, so it sends no such
 * notification (the item is in no answer of that version either).
 */
export const itemAbsentAt = (version: CodexVersion, params: unknown): boolean => {
  if (!isPlainObject(params)) return false;
  const item = params['item'];
  return isPlainObject(item) && isItem(item) && shapeItem(item, deltasAt(version)) === undefined;
};

/**
 * A method's result as a connection speaking `version` gets it: its items (`answerAt`), then its
 * fields (`resultAt`, which copies a result it drops a field of). Items first, so a kept answer is
 * the object `answerAt` remembers. Serve's answers and the CLI's `--json` go through this one shaping.
 */
export const methodAnswerAt = (entry: Versioned, version: CodexVersion, result: unknown): unknown =>
  resultAt(entry, version, answerAt(version, result));
