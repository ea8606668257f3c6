import * as t from 'io-ts';
import { serdeUnexpected } from '../domain/serdeUnexpected.js';
import { INVALID_REQUEST, METHOD_NOT_FOUND } from './jsonRpc.js';
import type { RpcError } from './jsonRpc.js';
import { atLeast } from './codexVersions.js';
import type { CodexVersion } from './codexVersions.js';

/*
 * Refusals of a request in Codex's words. Codex decodes a request with serde into its
 * `ClientRequest` enum (method as the variant tag, params as its content) and answers any failure
 * -32600 `Invalid request: <serde's message>`; serde names the first thing it could not take.
 */

/**
 * The method names Codex 0.169.0 lists when it meets one it does not know (its `ClientRequest`
 * variants in declaration order, as `codex app-server` prints them: the schema's requests plus three
 * v1 names).
 */
const CODEX_METHOD_VARIANTS: readonly string[] = [
  'initialize',
  'server/diagnostics',
  'userVerification/status',
  'userVerification/enroll',
  'userVerification/delete',
  'userVerification/verify',
  'userVerification/cancel',
  'thread/start',
  'thread/resume',
  'thread/fork',
  'thread/sample',
  'thread/sample/cancel',
  'thread/archive',
  'thread/delete',
  'thread/unsubscribe',
  'thread/increment_elicitation',
  'thread/decrement_elicitation',
  'thread/name/set',
  'thread/prediction/request',
  'thread/goal/set',
  'thread/goal/get',
  'thread/goal/clear',
  'thread/queue/add',
  'thread/queue/list',
  'thread/queue/update',
  'thread/queue/delete',
  'thread/queue/reorder',
  'thread/queue/start',
  'thread/metadata/update',
  'thread/attachment/add',
  'thread/attachment/list',
  'thread/attachmentOwner/list',
  'thread/attachment/remove',
  'thread/section/move',
  'thread/settings/update',
  'thread/memoryMode/set',
  'thread/memory/read',
  'memory/status',
  'memory/reset',
  'rollout/compress',
  'thread/unarchive',
  'thread/compact/start',
  'thread/shellCommand',
  'thread/approveGuardianDeniedAction',
  'thread/backgroundTerminals/clean',
  'thread/backgroundTerminals/list',
  'thread/backgroundTerminals/terminate',
  'thread/revert',
  'thread/list',
  'project/list',
  'project/read',
  'project/create',
  'project/import',
  'project/update',
  'project/move',
  'project/delete',
  'threadSection/list',
  'threadSection/create',
  'threadSection/update',
  'threadSection/delete',
  'thread/search',
  'thread/searchOccurrences',
  'thread/loaded/list',
  'thread/read',
  'thread/readState/update',
  'thread/turns/list',
  'thread/items/list',
  'thread/items/read',
  'thread/guardianReview',
  'thread/inject_items',
  'thread/prepareApprovedPlan',
  'skills/list',
  'skills/extraRoots/set',
  'hooks/list',
  'marketplace/add',
  'marketplace/remove',
  'marketplace/upgrade',
  'plugin/list',
  'plugin/search',
  'plugin/installed',
  'plugin/reconcile',
  'plugin/read',
  'plugin/skill/read',
  'plugin/share/save',
  'plugin/share/updateTargets',
  'plugin/share/list',
  'plugin/share/checkout',
  'plugin/share/delete',
  'app/read',
  'app/list',
  'app/installed',
  'fs/readFile',
  'fs/writeFile',
  'fs/createDirectory',
  'fs/getMetadata',
  'fs/readDirectory',
  'fs/remove',
  'fs/copy',
  'fs/watch',
  'fs/unwatch',
  'skills/config/write',
  'plugin/install',
  'plugin/uninstall',
  'turn/start',
  'turn/settings/update',
  'turn/steer',
  'turn/interrupt',
  'thread/realtime/start',
  'thread/realtime/appendAudio',
  'thread/realtime/appendText',
  'thread/realtime/appendSpeech',
  'thread/realtime/stop',
  'thread/timeline/list',
  'thread/realtime/listVoices',
  'review/start',
  'model/list',
  'account/gatewayOAuth/read',
  'account/gatewayOAuth/login',
  'account/gatewayOAuth/cancel',
  'modelProvider/list',
  'modelProvider/config/write',
  'modelProvider/capabilities/read',
  'experimentalFeature/list',
  'permissionProfile/list',
  'experimentalFeature/enablement/set',
  'remoteControl/enable',
  'remoteControl/disable',
  'remoteControl/status/read',
  'remoteControl/pairing/start',
  'remoteControl/pairing/status',
  'remoteControl/client/list',
  'remoteControl/client/revoke',
  'collaborationMode/list',
  'mock/experimentalMethod',
  'environment/add',
  'environment/info',
  'environment/status',
  'mcpServer/oauth/login',
  'config/mcpServer/reload',
  'mcpServerStatus/list',
  'mcpServer/resource/read',
  'mcpServer/event/stream/start',
  'mcpServer/event/stream/stop',
  'mcpServer/tool/call',
  'windowsSandbox/setupStart',
  'windowsSandbox/readiness',
  'account/login/start',
  'account/bedrock/discover',
  'account/bedrock/setup',
  'account/gcp/setup',
  'account/bedrock/checkGovCloudRequirements',
  'account/login/cancel',
  'accountSession/list',
  'accountSession/switch',
  'account/logout',
  'account/securitySetup/read',
  'account/rateLimits/read',
  'account/rateLimitResetCredit/consume',
  'account/usage/read',
  'account/workspaceMessages/read',
  'account/sendAddCreditsNudgeEmail',
  'feedback/upload',
  'feedback/save',
  'command/exec',
  'command/exec/write',
  'command/exec/terminate',
  'command/exec/resize',
  'process/spawn',
  'process/writeStdin',
  'process/kill',
  'process/resizePty',
  'config/read',
  'externalAgentConfig/detect',
  'externalAgentConfig/import',
  'externalAgentConfig/import/recordHistory',
  'externalAgentConfig/import/readHistories',
  'config/value/write',
  'config/batchWrite',
  'configRequirements/read',
  'account/read',
  'getConversationSummary',
  'gitDiffToRemote',
  'getAuthStatus',
  'fuzzyFileSearch',
  'fuzzyFileSearch/sessionStart',
  'fuzzyFileSearch/sessionUpdate',
  'fuzzyFileSearch/sessionStop',
];

/** serde's "expected one of" list: `a`; `a` or `b`; one of `a`, `b`, `c`. */
const oneOf = (names: readonly string[]): string => {
  const quoted = names.map((n) => `\`${n}\``);
  if (quoted.length === 1) return quoted[0]!;
  if (quoted.length === 2) return `${quoted[0]} or ${quoted[1]}`;
  return `one of ${quoted.join(', ')}`;
};

/**
 * The `ClientRequest` variants a later Codex added, each where it stands in that version's list
 * (measured: the list 0.171.0 prints, against 0.169.0's). Ours among them (the search methods)
 * also carry a `methodAdded` delta on their entries.
 */
const VARIANTS_ADDED: ReadonlyArray<{ readonly name: string; readonly since: CodexVersion; readonly after: string }> = [
  { name: 'thread/search/stream', since: '0.171.0', after: 'thread/search' },
  { name: 'thread/search/cancel', since: '0.171.0', after: 'thread/search/stream' },
  { name: 'thread/search/stream/cancel', since: '0.171.0', after: 'thread/search/cancel' },
  { name: 'thread/realtime/list', since: '0.171.0', after: 'thread/timeline/list' },
  { name: 'modelProvider/default/set', since: '0.171.0', after: 'modelProvider/config/write' },
];

/** Codex `version`'s method variants, in the order it lists them (codex-rs/app-server-protocol/src/protocol/common.rs `ClientRequest`). */
export const codexMethodVariantsAt = (version: CodexVersion): readonly string[] => {
  const names = [...CODEX_METHOD_VARIANTS];
  for (const added of VARIANTS_ADDED)
    if (atLeast(version, added.since)) names.splice(names.indexOf(added.after) + 1, 0, added.name);
  return names;
};

/** A method neither Codex `version` nor this server knows. */
export const unknownMethodMessage = (name: string, version: CodexVersion): string =>
  `Invalid request: unknown variant \`${name}\`, expected ${oneOf(codexMethodVariantsAt(version))}`;

/**
 * A method this server does not serve to a connection speaking `version`: one that Codex has is
 * `-32601 method not found` (it is Codex's, not ours to answer); one it does not know is refused
 * in its words (`-32600 Invalid request: unknown variant …`).
 */
export const unknownMethodRefusal = (name: string, version: CodexVersion): RpcError =>
  codexMethodVariantsAt(version).includes(name)
    ? { code: METHOD_NOT_FOUND, message: `method not found: ${name}` }
    : { code: INVALID_REQUEST, message: unknownMethodMessage(name, version) };

type Tagged = t.Decoder<unknown, unknown> & {
  readonly _tag?: string;
  readonly keys?: Record<string, unknown>;
  readonly types?: readonly t.Mixed[];
};
const tagOf = (c: t.Decoder<unknown, unknown> | undefined): string | undefined => (c as Tagged | undefined)?._tag;
const isAbsence = (c: t.Decoder<unknown, unknown>): boolean => tagOf(c) === 'NullType' || tagOf(c) === 'UndefinedType';
/** Codex's `u32` as the protocol declares it (`U32` in jsonRpc.ts). */
const isU32 = (c: t.Decoder<unknown, unknown>): boolean => c.name === 'a whole number from 0 to 4294967295';

/** What serde expected where a codec of this kind refused a value. */
const expectation = (c: t.Decoder<unknown, unknown>): string => {
  if (isU32(c)) return 'u32';
  switch (tagOf(c)) {
    case 'StringType':
      return 'a string';
    case 'BooleanType':
      return 'a boolean';
    case 'NumberType':
      return 'f64';
    case 'ArrayType':
      return 'a sequence';
    case 'KeyofType':
      return 'a string';
    default:
      return 'a map';
  }
};

/** The `type` literal a tagged member declares (`t.type({ type: t.literal('x'), … })`, or inside an intersection). */
const tagLiteral = (c: t.Decoder<unknown, unknown>): string | undefined => {
  const tagged = c as Tagged & {
    readonly props?: Record<string, t.Decoder<unknown, unknown> & { readonly value?: unknown }>;
  };
  if (tagOf(c) === 'IntersectionType') return (tagged.types ?? []).map(tagLiteral).find((v) => v !== undefined);
  const literal = tagged.props?.['type'];
  return tagOf(literal) === 'LiteralType' && typeof literal?.value === 'string' ? literal.value : undefined;
};

/** A union whose members each carry a `type` literal: serde's internally tagged enum. Its tags, or undefined. */
const tagsOf = (c: t.Decoder<unknown, unknown>): string[] | undefined => {
  if (tagOf(c) !== 'UnionType') return undefined;
  const tags = ((c as Tagged).types ?? []).filter((m) => !isAbsence(m)).map(tagLiteral);
  return tags.length > 1 && tags.every((x) => x !== undefined) ? (tags as string[]) : undefined;
};

/** A union of two or more real alternatives (not an optional field's `T | null | undefined`): serde's untagged enum. */
const isUntagged = (c: t.Decoder<unknown, unknown>): boolean =>
  tagOf(c) === 'UnionType' &&
  tagsOf(c) === undefined &&
  ((c as Tagged).types ?? []).filter((m) => !isAbsence(m)).length > 1;

/** The entries of `context` that name fields of the data (keys under a union or an intersection index its members, not the data). */
const fieldKeysOf = (context: t.Context): t.Context =>
  context.filter(
    (e, i) =>
      e.key !== '' &&
      !/^\d+$/.test(e.key) &&
      !['UnionType', 'IntersectionType'].includes(tagOf(context[i - 1]?.type) ?? ''),
  );

/** serde's sentence for one value the codec at the end of `context` refused. */
const sentenceFor = (context: t.Context, value: unknown): string => {
  const fieldKeys = fieldKeysOf(context);
  const tagged = context.find((e) => tagsOf(e.type) !== undefined);
  if (tagged !== undefined) {
    const tag = (tagged.actual as { type?: unknown } | null | undefined)?.type;
    if (typeof tag !== 'string') return 'missing field `type`';
    if (!tagsOf(tagged.type)!.includes(tag))
      return `unknown variant \`${tag}\`, expected ${oneOf(tagsOf(tagged.type)!)}`;
  }
  if (value === undefined) return `missing field \`${fieldKeys[fieldKeys.length - 1]?.key ?? 'params'}\``;

  const untagged = context.find((e) => isUntagged(e.type));
  if (untagged !== undefined) return `data did not match any variant of untagged enum ${untagged.type.name}`;
  const leaf = context[context.length - 1]!.type;
  if (tagOf(leaf) === 'KeyofType' && typeof value === 'string')
    return `unknown variant \`${value}\`, expected ${oneOf(Object.keys((leaf as Tagged).keys ?? {}))}`;
  if (isU32(leaf) && typeof value === 'number' && Number.isInteger(value))
    return `invalid value: integer \`${value}\`, expected u32`;
  return `invalid type: ${serdeUnexpected(value, 'valued')}, expected ${expectation(leaf)}`;
};

/** Whether an error lies in the member of a tagged enum its value's tag names (`named`), in another member (`other`), or in no tagged enum (`none`). */
const memberOfTag = (context: t.Context): 'named' | 'other' | 'none' => {
  const at = context.findIndex((e) => tagsOf(e.type) !== undefined);
  if (at < 0) return 'none';
  const tag = (context[at]!.actual as { type?: unknown } | null | undefined)?.type;
  const member = context[at + 1]?.type;
  return member !== undefined && tagLiteral(member) === tag ? 'named' : 'other';
};

/**
 * The first value of a method's params serde would have stopped at, in its words, with the
 * top-level field it lies in ('' for the params object itself). `serve` answers it as
 * `invalidParamsMessage`; the CLI (adapters/driving/cli/decodeOptions.ts) says the same sentence under the
 * option that fills the field, so one bad value gets one answer from both.
 */
export const paramsRefusal = (
  errors: t.Errors,
  params: unknown,
): { readonly field: string; readonly sentence: string } => {
  if (params === undefined || params === null) return { field: '', sentence: 'missing field `params`' };
  // The error of the member that could take the value, not of the `null` / `undefined` a field
  // may also be; in a tagged enum, of the member the value's tag names (serde reads the tag first).
  const real = errors.filter((e) => !isAbsence(e.context[e.context.length - 1]!.type));
  const first =
    real.find((e) => memberOfTag(e.context) === 'named') ??
    real.find((e) => memberOfTag(e.context) === 'none') ??
    real[0] ??
    errors[0];
  if (first === undefined) return { field: '', sentence: 'invalid params' };
  return { field: fieldKeysOf(first.context)[0]?.key ?? '', sentence: sentenceFor(first.context, first.value) };
};

/**
 * Params a method's codec refused, as Codex words it: the first value serde would have stopped
 * at. Absent or null params of a method that takes an object are serde's `missing field
 * \`params\``.
 */
export const invalidParamsMessage = (errors: t.Errors, params: unknown): string =>
  `Invalid request: ${paramsRefusal(errors, params).sentence}`;
