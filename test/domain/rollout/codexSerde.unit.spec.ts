// Codex's serde rules (domain/rollout/codexSerde.ts, read through `codexView`) against what codex
// 0.169.0 was measured to decode (test/fixtures/codexSerdeMeasured.json): each census field of each
// line variant the fuzzer writes, set to each edge value. The cells the rules do not follow yet are
// listed; a fix that follows one fails here until its entry goes. The nested structs below the
// census fields (a memory citation's entries, a permission profile's variants) as
// undecodableLines.compat measured them.
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
const MEASURED = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../test/fixtures/codexSerdeMeasured.json', import.meta.url)), 'utf8'),
) as Measured;

/** Cells Codex refuses that the rules read: `<key>.<field> = <edge index>`. */
const NOT_FOLLOWED = new Set([
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
    process.stderr.write(
      `  codex serde rules: ${MEASURED.cells.length - differing.length}/${MEASURED.cells.length} measured cells followed\n`,
    );
    expect(differing.sort()).to.deep.equal([...NOT_FOLLOWED].sort());
  });
});

/** A rollout line's payload of `kind` with `field` set: whether the rules say Codex reads it. */
const reads = (kind: Parameters<typeof codexRefusal>[0], payload: Record<string, unknown>): boolean =>
  codexRefusal(kind, payload) === undefined;

describe('Codex serde rules (codexSerde.ts): nested structs', () => {
  const ENTRY = { path: 'MEMORY.md', lineStart: 1, lineEnd: 2, note: 'n' };
  const CITATIONS: ReadonlyArray<readonly [unknown, boolean]> = [
    [null, true],
    [{ entries: [ENTRY], rolloutIds: ['019a0000-0000-7000-8000-000000000001'] }, true],
    [{ entries: [], rolloutIds: [] }, true],
    [{}, false],
    [{ type: 'unknown_variant_x' }, false],
    // The app-server's names, not the rollout's.
    [{ entries: [], threadIds: [] }, false],
    [{ entries: [{ path: 'MEMORY.md', lineStart: 1, lineEnd: 2 }], rolloutIds: [] }, false],
    [{ entries: [{ ...ENTRY, lineStart: -1 }], rolloutIds: [] }, false],
  ];

  it("a memory citation (MemoryCitation): an agent message event's and item's alike", () => {
    for (const [citation, expected] of CITATIONS) {
      expect(
        reads('agentMessage', { type: 'agent_message', message: 'A', memory_citation: citation }),
        `event ${JSON.stringify(citation)}`,
      ).to.equal(expected);
      const item = { type: 'AgentMessage', id: 'm', content: [], memory_citation: citation };
      const payload = {
        type: 'item_completed',
        thread_id: '019a0000-0000-7000-8000-000000000001',
        turn_id: 't',
        item,
        completed_at_ms: 1,
      };
      expect(reads('itemCompleted', payload), `item ${JSON.stringify(citation)}`).to.equal(expected);
    }
  });

  const PROFILES: ReadonlyArray<readonly [unknown, boolean]> = [
    [{ type: 'disabled' }, true],
    [{ type: 'external', network: 'enabled' }, true],
    [
      {
        type: 'managed',
        file_system: {
          type: 'restricted',
          entries: [{ path: { type: 'special', value: { kind: 'root' } }, access: 'read' }],
        },
        network: 'restricted',
      },
      true,
    ],
    [{ type: 'managed', file_system: { type: 'unrestricted' }, network: 'enabled' }, true],
    // The legacy shape: `{}` too.
    [{}, true],
    [{ network: { enabled: true }, file_system: null }, true],
    [{ type: 'unknown_variant_x' }, false],
    [{ type: 'managed', file_system: { type: 'unrestricted' } }, false],
    [{ type: 'external' }, false],
    [{ network: { enabled: true }, other: 1 }, false],
  ];
  const context = (extra: Record<string, unknown>): Record<string, unknown> => ({
    cwd: '/w',
    approval_policy: 'never',
    model: 'm',
    summary: 'auto',
    ...extra,
  });
  const settings = (extra: Record<string, unknown>): Record<string, unknown> => ({
    type: 'thread_settings_applied',
    thread_settings: {
      model: 'm',
      model_provider_id: 'mock',
      approval_policy: 'never',
      approvals_reviewer: 'user',
      permission_profile: { type: 'disabled' },
      cwd: '/w',
      collaboration_mode: {
        mode: 'default',
        settings: { model: 'm', reasoning_effort: null, developer_instructions: null },
      },
      ...extra,
    },
  });

  it("a permission profile (PermissionProfile): a turn context's and thread settings' alike", () => {
    for (const [profile, expected] of PROFILES) {
      expect(
        reads('turnContext', context({ permission_profile: profile })),
        `context ${JSON.stringify(profile)}`,
      ).to.equal(expected);
      expect(
        reads('threadSettingsApplied', settings({ permission_profile: profile })),
        `settings ${JSON.stringify(profile)}`,
      ).to.equal(expected);
    }
    // Required in the settings, an `Option` in a turn context.
    expect(reads('threadSettingsApplied', settings({ permission_profile: null }))).to.equal(false);
    expect(reads('turnContext', context({ permission_profile: null }))).to.equal(true);
  });

  it('an active permission profile (ActivePermissionProfile): its id required', () => {
    for (const [active, expected] of [
      [{ id: ':workspace' }, true],
      [{ id: 'p', extends: ':read-only' }, true],
      [null, true],
      [{}, false],
      [{ type: 'unknown_variant_x' }, false],
      [{ id: 1 }, false],
    ] as const) {
      expect(
        reads('turnContext', context({ active_permission_profile: active })),
        `context ${JSON.stringify(active)}`,
      ).to.equal(expected);
      expect(
        reads('threadSettingsApplied', settings({ active_permission_profile: active })),
        `settings ${JSON.stringify(active)}`,
      ).to.equal(expected);
    }
  });

  it("a turn context's file system policy (RawFileSystemSandboxPolicy): its kind required", () => {
    for (const [policy, expected] of [
      [{ kind: 'restricted', entries: [{ path: { type: 'special', value: { kind: 'root' } }, access: 'read' }] }, true],
      [{ kind: 'external-sandbox' }, true],
      [{ kind: 'unrestricted', glob_scan_max_depth: 3 }, true],
      [{}, false],
      [{ type: 'unknown_variant_x' }, false],
      [{ kind: 'unknown_kind' }, false],
      [{ kind: 'restricted', entries: null }, false],
      [{ kind: 'restricted', entries: [{ path: { type: 'special', value: { kind: 'root' } } }] }, false],
    ] as const) {
      expect(reads('turnContext', context({ file_system_sandbox_policy: policy })), JSON.stringify(policy)).to.equal(
        expected,
      );
    }
  });

  it("a token count's rate limits (RateLimitSnapshot): a window's used_percent, a credits snapshot's flags", () => {
    for (const [limits, expected] of [
      [{}, true],
      [{ type: 'unknown_variant_x' }, true],
      [
        {
          limit_id: 'codex',
          primary: { used_percent: 12.5, window_minutes: 300, resets_at: 1 },
          secondary: null,
          plan_type: 'plus',
        },
        true,
      ],
      [{ credits: { has_credits: false, unlimited: false, balance: null } }, true],
      [{ primary: { window_minutes: 300 } }, false],
      [{ primary: { used_percent: 1, window_minutes: 1.5 } }, false],
      [{ credits: { has_credits: true } }, false],
      [{ limit_id: 0 }, false],
    ] as const) {
      expect(
        reads('tokenCount', { type: 'token_count', info: null, rate_limits: limits }),
        JSON.stringify(limits),
      ).to.equal(expected);
    }
  });

  it('a granular approval policy (GranularApprovalConfig): three flags required, two defaulted', () => {
    for (const [granular, expected] of [
      [{ sandbox_approval: true, rules: false, mcp_elicitations: false }, true],
      [
        {
          sandbox_approval: true,
          rules: false,
          mcp_elicitations: false,
          skill_approval: true,
          request_permissions: false,
        },
        true,
      ],
      [{}, false],
      [{ sandbox_approval: true }, false],
      [{ sandbox_approval: true, rules: false, mcp_elicitations: false, skill_approval: null }, false],
    ] as const) {
      expect(
        reads('turnContext', context({ approval_policy: { granular } })),
        `context ${JSON.stringify(granular)}`,
      ).to.equal(expected);
      expect(
        reads('threadSettingsApplied', settings({ approval_policy: { granular } })),
        `settings ${JSON.stringify(granular)}`,
      ).to.equal(expected);
    }
  });

  it("a meta's git (GitInfo): every field an Option of a string", () => {
    const meta = (git: unknown): Record<string, unknown> => ({
      id: '019a0000-0000-7000-8000-000000000001',
      timestamp: '2026-11-21T14:00:00.000Z',
      cwd: '/w',
      originator: 'codex_cli_rs',
      cli_version: '0.169.0',
      git,
    });
    for (const [git, expected] of [
      [null, true],
      [{}, true],
      [{ commit_hash: 'abc', branch: 'main', repository_url: null }, true],
      [{ branch: 5 }, false],
      [{ commit_hash: {} }, false],
    ] as const) {
      expect(reads('sessionMeta', meta(git)), JSON.stringify(git)).to.equal(expected);
    }
  });

  it("thread settings' collaboration mode (CollaborationMode): required, read as a turn context's", () => {
    expect(reads('threadSettingsApplied', settings({}))).to.equal(true);
    for (const mode of [{}, { mode: 'default' }, { type: 'unknown_variant_x' }, null])
      expect(reads('threadSettingsApplied', settings({ collaboration_mode: mode })), JSON.stringify(mode)).to.equal(
        false,
      );
  });
});
