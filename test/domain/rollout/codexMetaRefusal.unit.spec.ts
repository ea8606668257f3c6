// Why Codex 0.169 refuses every read of a thread by its head (codexMetaRefusal): until a meta is
// read, each session_meta line's `history_mode` is asked of its JSON alone (codex-rs
// rollout/src/recorder.rs `reject_unknown_thread_history_mode`). The answers are compared with the
// binary in test/compat/fuzzShrunkHomes.compat.spec.ts and undecodableLines.compat.spec.ts.
import { expect } from 'chai';
import { codexMetaRefusal } from '../../../domain/rollout/event.js';
import { decodeRolloutLine } from '../../../domain/rollout/line.js';

const ID = '019a0000-0000-7000-8000-000000000170';
const meta = (fields: Record<string, unknown>): string =>
  JSON.stringify({
    timestamp: '2026-11-21T09:30:00.000Z',
    type: 'session_meta',
    payload: {
      id: ID,
      timestamp: '2026-11-21T09:30:00.000Z',
      cwd: '/work/project',
      originator: 'codex_cli_rs',
      cli_version: '0.169.0',
      source: 'cli',
      ...fields,
    },
  });
const refusal = (...lines: string[]) => codexMetaRefusal(lines, decodeRolloutLine);
const UNKNOWN_X = 'invalid session metadata history_mode: unknown variant `x`, expected `legacy` or `paginated`';

describe('codexMetaRefusal: a history_mode Codex refuses, asked until a meta is read', () => {
  it('a meta refused for another field too is refused by its mode (fuzzer 20261170:520:0:3)', () => {
    expect(refusal(meta({ history_mode: 'x', forked_from_ordinal_exclusive: -1 }))).to.equal(UNKNOWN_X);
  });

  it('a first meta refused for another field, its mode read, passes the ask to the next (fuzzer 20261150:4:0:17)', () => {
    expect(refusal(meta({ timestamp: -1, history_mode: 'legacy' }), meta({ history_mode: 'x' }))).to.equal(UNKNOWN_X);
  });

  it("once a meta is read, a later one (a fork's copied history) is not asked", () => {
    expect(refusal(meta({ history_mode: 'paginated' }), meta({ history_mode: 'x' }))).to.equal(undefined);
  });

  it('a mode of another type is refused by its type, an absent one not at all', () => {
    expect(refusal(meta({ history_mode: null }))).to.equal(
      'invalid session metadata history_mode: invalid type: null, expected string or map',
    );
    expect(refusal(meta({}))).to.equal(undefined);
  });
});
