// The items' differences between the Codex versions spoken, declared once (`ITEM_DELTAS`), and the
// one shaping that reads them (`answerAt`): the engine renders every item as the oldest version
// answers it, and a connection speaking a newer one gets each answer with its items reshaped.
import type { CodexVersion, ItemDelta, Versioned } from './codexVersions.js';
import { itemDeltasAt, resultAt } from './codexVersions.js';
import { THREAD_ITEM_TYPES } from '../domain/thread/threadItem.js';
import { RenderedTurns, turnValues } from '../domain/thread/turn.js';

/**
 * 0.171.0's moderation of an agent message read from a rollout: 0.169.0's display (`action`, …) is
 * not a display 0.171.0 reads (its `AgentMessageDisplay` is a union tagged by `mode`), and it
 * answers such a message as moderated with no display, whatever the line's `moderated` said
 * (measured on both binaries: test/compat/itemDeltas.compat.spec.ts, and in a home 0.171.0
 * wrote). A moderation without a display is answered as written. A display in 0.171.0's own shape
 * (`mode`) is not read yet: 0.169.0 drops its item, 0.171.0 shows it in a home it wrote
 * (docs/compatibility.md, "Not done yet").
 */
const moderationAt171 = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  const m = value as { moderated?: unknown; display?: unknown };
  return m.display === null || m.display === undefined ? value : { moderated: true, display: null };
};

/** Every item difference, by the version that made it. */
export const ITEM_DELTAS: ReadonlyArray<ItemDelta> = [
  // 0.171.0 answers `environmentId` on every MCP call (after `server`); from a rollout it is null,
  // whatever the line holds (`environmentId` or `environment_id`, paginated item or legacy
  // `mcp_tool_call_end`: measured on 0.171.0, itemDeltas.compat).
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
    kind: 'itemFieldReshaped',
    since: '0.171.0',
    itemType: 'agentMessage',
    field: 'moderation',
    reshape: moderationAt171,
    source: 'codex-rs/app-server-protocol/src/protocol/v2/item.rs (AgentMessageModeration, AgentMessageDisplay tagged by mode)',
  },
];

const ITEM_TYPES: ReadonlySet<string> = new Set(THREAD_ITEM_TYPES);

type Json = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

const isStream = (v: unknown): v is AsyncIterable<unknown> => typeof v === 'object' && v !== null && Symbol.asyncIterator in v;

/** An API item: an object of an item type with an id (an item holds no item: its fields are not looked into). */
const isItem = (v: Json): boolean => typeof v['type'] === 'string' && typeof v['id'] === 'string' && ITEM_TYPES.has(v['type']);

/** `item` with `field` set to `value` right after `after` (Codex's key order), or last when `after` is absent. */
const withFieldAfter = (item: Json, after: string, field: string, value: unknown): Json => {
  if (!(after in item)) return { ...item, [field]: value };
  const out: Json = {};
  for (const [k, v] of Object.entries(item)) {
    out[k] = v;
    if (k === after) out[field] = value;
  }
  return out;
};

const shapeItem = (item: Json, deltas: ReadonlyArray<ItemDelta>): Json => {
  let out = item;
  for (const d of deltas) {
    if (d.itemType !== item['type']) continue;
    if (d.kind === 'itemFieldAdded') {
      if (!(d.field in out)) out = withFieldAfter(out, d.after, d.field, d.value);
    } else if (d.field in out) out = { ...out, [d.field]: d.reshape(out[d.field]) };
  }
  return out;
};

/**
 * Whether a rendering's text may hold an item a delta changes: its type written as a key's value
 * (a string's quotes are escaped inside another string, so `"type":"x"` is structure), and for a
 * reshaped field, the field with a value other than null. A text that holds none is passed as is.
 */
const mayChange = (text: string, deltas: ReadonlyArray<ItemDelta>): boolean =>
  deltas.some((d) => text.includes(`"type":${JSON.stringify(d.itemType)}`) && (d.kind === 'itemFieldAdded' || new RegExp(`"${d.field}":(?!null)`).test(text)));

const shapeAll = (value: unknown, deltas: ReadonlyArray<ItemDelta>): unknown => {
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
  if (Array.isArray(value)) return value.map((v) => shapeAll(v, deltas));
  if (!isPlainObject(value)) return value;
  if (isItem(value)) return shapeItem(value, deltas);
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k] = shapeAll(v, deltas);
  return out;
};

/**
 * An answer or a notification's params as a connection speaking `version` gets it: each item in
 * it (in a turn, a page, a notification; in a stream of turns or a rendering of them) with the
 * deltas of its version applied. The oldest version's answers are passed as they are.
 */
export const answerAt = (version: CodexVersion, value: unknown): unknown => {
  const deltas = itemDeltasAt(ITEM_DELTAS, version);
  return deltas.length === 0 ? value : shapeAll(value, deltas);
};

/**
 * A method's result as a connection speaking `version` gets it: its fields (`resultAt`) and its
 * items (`answerAt`). Serve's answers and the CLI's `--json` go through this one shaping.
 */
export const methodAnswerAt = (entry: Versioned, version: CodexVersion, result: unknown): unknown => answerAt(version, resultAt(entry, version, result));
