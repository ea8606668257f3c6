// Codex's serde rules (domain/rollout/codexSerde.ts, read through `codexView`) against what codex
// 0.169.0 was measured to decode (test/fixtures/codexSerdeMeasured.json): each census field of each
// line variant the fuzzer writes, set to each edge value. The cells the rules do not follow yet are
// listed (an object of a shape the rules do not know); a fix that follows one fails here until its
// entry goes.
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classifyRolloutLine, codexView } from '../../../domain/rollout/event.js';
import { codexRefusal } from '../../../domain/rollout/codexSerde.js';
import { decodeRolloutLine } from '../../../domain/rollout/line.js';
import { ABSENT, EDGE_VALUES } from '../../fuzz/fuzzHome.js';

interface Measured {
  readonly bases: Readonly<Record<string, { type: string; payload: Record<string, unknown> }>>;
  readonly cells: ReadonlyArray<readonly [string, string, number, boolean]>;
}
const MEASURED = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../test/fixtures/codexSerdeMeasured.json', import.meta.url)), 'utf8')) as Measured;

/** Cells Codex refuses that the rules read: `<key>.<field> = <edge index>`. */
const NOT_FOLLOWED = new Set([
  'turn_context.permission_profile = 18',
  'turn_context.active_permission_profile = 2',
  'turn_context.active_permission_profile = 18',
  'turn_context.file_system_sandbox_policy = 2',
  'turn_context.file_system_sandbox_policy = 18',
  'event_msg/agent_message.memory_citation = 2',
  'event_msg/agent_message.memory_citation = 18',
  // An item of a type Codex does not know: not rendered either way; an item_completed is numbered by its item's type.
  'event_msg/item_completed.item = 18',
]);

/** Whether the line, as the history folds read it, is one Codex reads. */
const readAsCodex = (key: string, line: { type: string; payload: Record<string, unknown> }): boolean => {
  // A file's own meta: Codex reads the thread or refuses it whole.
  if (key === 'session_meta') return codexRefusal('sessionMeta', line.payload) === undefined;
  const decoded = decodeRolloutLine(JSON.stringify({ timestamp: '2026-11-21T14:00:00.000Z', ...line }));
  return E.isRight(decoded) && codexView(decoded.right, classifyRolloutLine(decoded.right), 1).kind !== 'invalid';
};

describe('Codex serde rules (codexSerde.ts) against codex 0.169.0 measured', () => {
  it('every base line the cells edit is one Codex and the rules read', () => {
    for (const [key, line] of Object.entries(MEASURED.bases)) expect(readAsCodex(key, line), key).to.equal(true);
  });

  it('each edited cell is read or refused as Codex did, but the listed ones', () => {
    const differing: string[] = [];
    for (const [key, field, edge, codexDecodes] of MEASURED.cells) {
      const base = MEASURED.bases[key]!;
      const payload = structuredClone(base.payload);
      const value = EDGE_VALUES[edge];
      if (value === ABSENT) delete payload[field];
      else payload[field] = structuredClone(value);
      if (readAsCodex(key, { type: base.type, payload }) !== codexDecodes) differing.push(`${key}.${field} = ${edge}`);
    }
    process.stderr.write(`  codex serde rules: ${MEASURED.cells.length - differing.length}/${MEASURED.cells.length} measured cells followed\n`);
    expect(differing.sort()).to.deep.equal([...NOT_FOLLOWED].sort());
  });
});
