// A thread's API `source` from its meta's: Codex's names, and `unknown` for a name Codex does not
// know (its `SessionSource`'s `#[serde(other)]` variant; measured on 0.169.0 by the differential
// fuzzer, test/fuzz/: `"source": "unknown_source_x"` answers `"unknown"`).
import { expect } from 'chai';
import { apiSourceOfMeta } from '../../../domain/thread/threadMeta.js';

const meta = (source: unknown): Record<string, unknown> => ({
  id: '019aa3c0-0000-7000-8000-000000000001',
  timestamp: '2026-11-21T14:00:00.000Z',
  cwd: '/work',
  originator: 'codex_cli_rs',
  cli_version: '0.169.0',
  ...(source === undefined ? {} : { source }),
});

describe('apiSourceOfMeta', () => {
  it("answers Codex's named sources, sub-agents and the default", () => {
    expect(['cli', 'vscode', 'exec', 'mcp'].map((s) => apiSourceOfMeta(meta(s)))).to.deep.equal([
      'cli',
      'vscode',
      'exec',
      'appServer',
    ]);
    expect(apiSourceOfMeta(meta({ subagent: 'review' }))).to.deep.equal({ subAgent: 'review' });
    expect(apiSourceOfMeta(meta(undefined))).to.equal('vscode');
  });

  it('answers a source name Codex does not know as unknown, not in camelCase', () => {
    expect(['unknown_source_x', 'app_gateway_x', 'Cli', ''].map((s) => apiSourceOfMeta(meta(s)))).to.deep.equal([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
  });
});
