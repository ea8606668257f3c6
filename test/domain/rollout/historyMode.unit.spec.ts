// serde's reading of a meta's `history_mode` (codex-rs protocol.rs `ThreadHistoryMode`, read from
// the line's JSON by rollout/src/recorder.rs `reject_unknown_thread_history_mode`): a name or a map
// of one key, the name, whose value is null. The words are the binary's, compared in
// test/compat/undecodableLines.compat.spec.ts (fuzzer `--replay 1882756264:1012:0:1:2`).
import { expect } from 'chai';
import { foldedHistoryMode, historyModeOf, historyModeRefusal } from '../../../domain/rollout/historyMode.js';

const PREFIX = 'invalid session metadata history_mode: ';

describe('historyMode: a meta history_mode as serde reads it', () => {
  it('reads a name or a one-key map of it whose value is null', () => {
    expect(historyModeOf('legacy')).to.equal('legacy');
    expect(historyModeOf({ paginated: null })).to.equal('paginated');
    expect(foldedHistoryMode({ paginated: null })).to.equal('paginated');
    expect(historyModeOf({ paginated: 1 })).to.equal(undefined);
    expect(historyModeOf({ legacy: null, paginated: null })).to.equal(undefined);
    expect(foldedHistoryMode(undefined)).to.equal('legacy');
  });

  it("refuses a one-key map by its key first, then a known variant's value that is not a unit's", () => {
    expect(historyModeRefusal({ type: 'unknown_variant_x' })).to.equal(
      `${PREFIX}unknown variant \`type\`, expected \`legacy\` or \`paginated\``,
    );
    expect(historyModeRefusal({ type: null })).to.equal(
      `${PREFIX}unknown variant \`type\`, expected \`legacy\` or \`paginated\``,
    );
    expect(historyModeRefusal({ legacy: 1 })).to.equal(`${PREFIX}invalid type: number, expected unit`);
    expect(historyModeRefusal({ legacy: 'x' })).to.equal(`${PREFIX}invalid type: string "x", expected unit`);
    expect(historyModeRefusal({ legacy: [] })).to.equal(`${PREFIX}invalid type: sequence, expected unit`);
    expect(historyModeRefusal({ legacy: null })).to.equal(undefined);
  });

  it('refuses maps of another size and values of other types, and reads an absent mode', () => {
    expect(historyModeRefusal({})).to.equal(`${PREFIX}invalid value: map, expected map with a single key`);
    expect(historyModeRefusal({ legacy: null, paginated: null })).to.equal(
      `${PREFIX}invalid value: map, expected map with a single key`,
    );
    expect(historyModeRefusal(0)).to.equal(`${PREFIX}invalid type: number, expected string or map`);
    expect(historyModeRefusal(true)).to.equal(`${PREFIX}invalid type: boolean \`true\`, expected string or map`);
    expect(historyModeRefusal('x')).to.equal(`${PREFIX}unknown variant \`x\`, expected \`legacy\` or \`paginated\``);
    expect(historyModeRefusal(undefined)).to.equal(undefined);
  });
});
