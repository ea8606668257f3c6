import * as t from 'io-ts';
import { codexRefusal, SOURCE_NEWTYPES } from '../codexSerde.js';
import { optional } from './common.js';
import { serdeUnitEnum, serdeUnitMapName } from '../../serdeUnitEnum.js';

export const HistoryBase = t.type({
  thread_id: t.string,
  end_ordinal_exclusive: t.number,
  end_byte_offset: t.number,
});
export type HistoryBase = t.TypeOf<typeof HistoryBase>;

export const GitMeta = t.partial({
  commit_hash: optional(t.string),
  branch: optional(t.string),
  repository_url: optional(t.string),
});

/** A unit name of `SessionSource` in serde's map form (not a newtype variant's key, whose content serde reads as its type). */
const unitSourceName = (u: unknown): string | undefined => {
  const name = serdeUnitMapName(u);
  return name !== undefined && !SOURCE_NEWTYPES.includes(name) ? name : undefined;
};
/**
 * `SessionSource` as the line holds it, but a unit name in serde's map form read as the name
 * (`{"cli": null}` is `cli`); `is` takes no such map, so `decodeShape` decodes it (domain/serdeUnitEnum.ts).
 */
const SessionSourceValue = new t.Type<unknown, unknown, unknown>(
  'SessionSource',
  (u): u is unknown => unitSourceName(u) === undefined,
  (u) => t.success(unitSourceName(u) ?? u),
  t.identity,
);

/** `session_meta` payload (always the first line). Unknown keys are tolerated and kept in the raw line. */
export const SessionMetaPayload = t.intersection([
  t.type({ id: t.string }),
  t.partial({
    session_id: optional(t.string),
    timestamp: optional(t.string),
    cwd: optional(t.string),
    originator: optional(t.string),
    cli_version: optional(t.string),
    source: SessionSourceValue,
    thread_source: optional(t.string),
    model_provider: optional(t.string),
    // A name, or serde's one-key map of it read as the name; which Codex refuses, `historyModeRefusal` says.
    history_mode: optional(serdeUnitEnum(t.string)),
    forked_from_id: optional(t.string),
    forked_from_ordinal_exclusive: optional(t.number),
    history_base: optional(HistoryBase),
    // protocol.rs SessionMeta: a sub-agent's records before this ordinal are inherited context that
    // stay out of its turns and items (0.169.0 shows none of them: measured, compat passThroughFields).
    subagent_history_start_ordinal: optional(t.number),
    parent_thread_id: optional(t.string),
    agent_nickname: optional(t.string),
    agent_role: optional(t.string),
    multi_agent_version: optional(serdeUnitEnum(t.string)),
    git: optional(GitMeta),
    base_instructions: t.unknown,
    instructions: t.unknown,
    /** Set by the reader when the file predates the envelope and was upcast (never on disk). */
    upcast_from: optional(t.string),
  }),
]);
export type SessionMetaPayload = t.TypeOf<typeof SessionMetaPayload>;

/**
 * Whether Codex reads this meta (a thread's first, or a later one): its serde's rule for
 * `SessionMeta` (`codexRefusal`, domain/rollout/codexSerde.ts: no default for `id`, `timestamp`,
 * `cwd`, `originator` and `cli_version`, …); a meta it refuses is no meta to Codex (the files Codex
 * before 0.32 wrote, measured on 0.169.0: `failed to read session metadata`).
 */
export const codexReadsSessionMeta = (m: unknown): boolean => codexRefusal('sessionMeta', m) === undefined;
