// serde's map form of a unit enum variant, in each enum field of the lines Codex reads back: serde_json
// reads a unit variant from its name or from a map of one key, the name, whose value is a unit's
// null (serde_json `Value::deserialize_enum`; serde's `ContentDeserializer::deserialize_enum` inside
// an internally tagged `EventMsg` or an untagged `PermissionProfileDe`). Codex never writes the map
// form; a line holding it is read as the named variant, or refused (an unknown key, a non-null
// value), and a refused line takes no place in the implicit turn's number (codex-rs
// rollout/src/recorder.rs `load_rollout_items`). The enums: codex-rs protocol/src/protocol.rs,
// config_types.rs, models.rs, permissions.rs, items.rs; our rules: domain/rollout/codexSerde.ts and
// domain/serdeUnitEnum.ts. An exec item's `source`/`status` (items.rs) shows in paginated threads only, not probed here.
import { compatCodexVersion } from './appServer.js';
import { completed, context, event, settings, started, thread, turn, probeHomeSpec } from './legacyProbeHome.js';
import type { HomeThread, Line } from './legacyProbeHome.js';

const aborted = (turnId: string, reason: unknown): Line => event({ type: 'turn_aborted', turn_id: turnId, reason });
const phased = (phase: unknown): Line => event({ type: 'agent_message', message: 'phased', phase });
/** A turn context Codex reads unless `extra` breaks it (its model shows whether it was read). */
const contextWith = (turnId: string, extra: Record<string, unknown>): Line =>
  context(turnId, { model: 'other-model', ...extra });
const entry = (extra: Record<string, unknown>): Record<string, unknown> => ({
  path: { type: 'path', path: '/work/project' },
  access: 'read',
  ...extra,
});
const sandbox = (extra: Record<string, unknown>): Record<string, unknown> => ({
  kind: 'restricted',
  entries: [],
  ...extra,
});
/** A thread whose turn context's file system sandbox holds one entry, `extra` over it. */
const entryThread = (label: string, n: number, extra: Record<string, unknown>): HomeThread =>
  thread(label, n, (t, th) =>
    turn(t, th, { context: contextWith(t, { file_system_sandbox_policy: sandbox({ entries: [entry(extra)] }) }) }),
  );

const THREADS: readonly HomeThread[] = [
  thread('enum-control', 80, (t, th) => turn(t, th, {})),
  // ModeKind (config_types.rs): the turn's start.
  thread('mode-kind-map', 81, (t, th) =>
    turn(t, th, { started: started(t, { collaboration_mode_kind: { plan: null } }) }),
  ),
  thread('mode-kind-map-number', 82, (t, th) =>
    turn(t, th, { started: started(t, { collaboration_mode_kind: { plan: 1 } }) }),
  ),
  thread('mode-kind-map-unknown', 83, (t, th) =>
    turn(t, th, { started: started(t, { collaboration_mode_kind: { unknown_mode: null } }) }),
  ),
  // TurnAbortReason (protocol.rs): the turn's end.
  thread('abort-reason-map', 84, (t, th) => turn(t, th, { complete: aborted(t, { interrupted: null }) })),
  thread('abort-reason-map-number', 85, (t, th) => turn(t, th, { complete: aborted(t, { interrupted: 1 }) })),
  thread('abort-reason-map-unknown', 86, (t, th) => turn(t, th, { complete: aborted(t, { unknown_reason: null }) })),
  // MessagePhase (models.rs): an agent message's phase.
  thread('phase-map-final', 87, (t, th) => turn(t, th, { extra: phased({ final_answer: null }) })),
  thread('phase-map-commentary', 88, (t, th) => turn(t, th, { extra: phased({ commentary: null }) })),
  thread('phase-map-number', 89, (t, th) => turn(t, th, { extra: phased({ commentary: 1 }) })),
  thread('phase-map-unknown', 90, (t, th) => turn(t, th, { extra: phased({ unknown_phase: null }) })),
  // AskForApproval (protocol.rs): a unit name of an enum with a newtype variant (`granular`).
  thread('approval-map', 91, (t, th) => turn(t, th, { context: contextWith(t, { approval_policy: { never: null } }) })),
  thread('approval-map-number', 92, (t, th) =>
    turn(t, th, { context: contextWith(t, { approval_policy: { 'on-request': 1 } }) }),
  ),
  thread('settings-approval-map', 93, (t, th) =>
    turn(t, th, { settings: settings(th, { approval_policy: { 'on-request': null } }) }),
  ),
  // ApprovalsReviewer (config_types.rs).
  thread('settings-reviewer-map', 94, (t, th) =>
    turn(t, th, { settings: settings(th, { approvals_reviewer: { auto_review: null } }) }),
  ),
  thread('context-reviewer-map', 95, (t, th) =>
    turn(t, th, { context: contextWith(t, { approvals_reviewer: { user: null } }) }),
  ),
  // ReasoningSummary (config_types.rs).
  thread('context-summary-map', 96, (t, th) =>
    turn(t, th, { context: contextWith(t, { summary: { detailed: null } }) }),
  ),
  thread('settings-summary-map', 97, (t, th) =>
    turn(t, th, { settings: settings(th, { reasoning_summary: { concise: null } }) }),
  ),
  // MultiAgentVersion (protocol.rs), in a turn context and a meta.
  thread('context-multi-agent-map', 98, (t, th) =>
    turn(t, th, { context: contextWith(t, { multi_agent_version: { v2: null } }) }),
  ),
  thread('meta-multi-agent-map', 99, (t, th) => turn(t, th, {}), { multi_agent_version: { v1: null } }),
  // NetworkSandboxPolicy (permissions.rs), inside the untagged PermissionProfileDe (models.rs).
  thread('network-map', 100, (t, th) =>
    turn(t, th, { context: contextWith(t, { permission_profile: { type: 'external', network: { enabled: null } } }) }),
  ),
  thread('network-map-unknown', 101, (t, th) =>
    turn(t, th, { context: contextWith(t, { permission_profile: { type: 'external', network: { open: null } } }) }),
  ),
  // FileSystemSandboxKind, FileSystemAccessMode (its alias `none` too), missing_path_behavior (permissions.rs).
  thread('sandbox-kind-map', 102, (t, th) =>
    turn(t, th, { context: contextWith(t, { file_system_sandbox_policy: sandbox({ kind: { restricted: null } }) }) }),
  ),
  entryThread('access-map', 103, { access: { write: null } }),
  entryThread('access-map-alias', 104, { access: { none: null } }),
  entryThread('missing-path-map', 105, { missing_path_behavior: { skip: null } }),
  // ModeKind again, inside a CollaborationMode (config_types.rs), of a turn context and of settings.
  thread('context-collaboration-mode-map', 110, (t, th) =>
    turn(t, th, {
      context: contextWith(t, {
        collaboration_mode: { mode: { plan: null }, settings: { model: 'other-model', reasoning_effort: null } },
      }),
    }),
  ),
  thread('settings-collaboration-mode-map', 111, (t, th) =>
    turn(t, th, {
      settings: settings(th, {
        collaboration_mode: { mode: { plan: null }, settings: { model: 'settings-model', reasoning_effort: 'low' } },
      }),
    }),
  ),
  // SessionSource (protocol.rs, `#[serde(other)]` Unknown): a unit name as a map, a known one and an unknown one.
  thread('meta-source-map', 112, (t, th) => turn(t, th, {}), { source: { cli: null } }),
  thread('meta-source-map-unknown', 113, (t, th) => turn(t, th, {}), { source: { unknown_source: null } }),
  // A newtype variant's key with a null content (`SubAgentSource`, a `String`, `InternalSessionSource`): not a unit name.
  thread('meta-source-subagent-null', 116, (t, th) => turn(t, th, {}), { source: { subagent: null } }),
  thread('meta-source-custom-null', 117, (t, th) => turn(t, th, {}), { source: { custom: null } }),
  thread('meta-source-internal-null', 118, (t, th) => turn(t, th, {}), { source: { internal: null } }),
  // AgentMessageDelivery (items.rs, one variant).
  thread('delivery-map', 114, (t, th) =>
    turn(t, th, { extra: event({ type: 'agent_message', message: 'late', delivery: { async: null } }) }),
  ),
  // The turn completes as usual after a map-form phase in its last message.
  // The turn's last message, a map-form phase.
  thread('phase-map-last', 115, (t, th) => [
    ...turn(t, th, {}).slice(0, -1),
    phased({ final_answer: null }),
    completed(t),
  ]),
];

probeHomeSpec(
  `compat: serde's map form of unit enum names (codex app-server ${compatCodexVersion()})`,
  'serde enum maps',
  THREADS,
  'ENUM_MAPS_DUMP',
);
