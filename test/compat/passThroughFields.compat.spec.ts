// Fields the source says Codex carries from a rollout line into its answer, that the offline binary
// cannot be made to write: a command that resolves to a plugin's script (`plugin_id`,
// `script_path`), an agent message delivered asynchronously (`delivery: "async"`), a standalone web
// search's `results`; a user message's `client_id`, its images' details and its audio inputs.
// Measured here on 0.169.0: it copies each, from a paginated item line and from a legacy event line
// (agent_message, web_search_end, user_message) alike; a user_message line with a value its serde
// refuses is dropped whole. Lines of kinds the binary does not write here are written in as new
// lines (`INSERTS`): an extension's web search and image generation (`Extension` items), agent
// messages with 0.169.0's questions and moderation, image generations (the hosted one's item, the
// legacy end event) and function call outputs of shapes the scenarios do not make; and a line of
// each event variant we do not read (0.169.0 renders none of them). A sub-agent's
// `subagent_history_start_ordinal` is written into its meta (0.169.0 hides the turns before it).
// They are written into the lines of a copy of a home the binary wrote (the rich scenario, both
// history modes), Codex's state DB and its history projection removed, so it builds both from the
// edited files; then a cold codex app-server 0.169.0 and ours read the threads. Codex's answer is
// the oracle: it shows what it makes of the values (`expected`), and ours equals it field by field.
// The rules: codex-rs/protocol/src/items.rs and protocol.rs (the line types), app-server-protocol
// v2/item.rs and thread_history.rs (the answer), ext/items/src (extension items); docs/codex-source/thread-items.md, DIFF a, b, c, e, f, g, i, n1, n2, o.
import { expect } from 'chai';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compatHome, openColdCodex, sharedCompatHomes } from './compatHomes.js';
import { freshRoot, openEngineServer } from './mutationHarness.js';
import type { CompatHome, HistoryMode } from './scenarios.js';
import { compatCodexVersion } from './appServer.js';

const PLUGIN = { plugin_id: 'compat-scripts@local', script_path: 'scripts/check.sh' };
const RESULTS: unknown[] = [
  {
    title: 'Event sourcing',
    url: 'https://example.com/es',
    snippet: 'An append-only log.',
    extra: { rank: 1, tags: ['a', null] },
  },
  'a bare result',
];

const CLIENT_ID = 'compat-client-7';
const AUDIO_URL = 'data:audio/wav;base64,UklGRgAAAABXQVZF';
const LOCAL_AUDIO = '/compat/clip.wav';
const SECOND_IMAGE = 'https://example.com/second.png';
const PIXEL = 'iVBORw0KGgo=';

type Line = { type?: string; payload?: { type?: string; item?: Record<string, unknown> } & Record<string, unknown> };

/** What is written into the first line of each kind, by history mode: the line's test, its edit, and the item it becomes. */
interface Edit {
  readonly name: string;
  readonly matches: (line: Line) => boolean;
  readonly apply: (line: Line) => void;
  /** The answer's item this line becomes, found by what the line carries. */
  readonly itemOf: (line: Line) => (item: Record<string, unknown>) => boolean;
  /** The item's fields the edit fills, as Codex must answer them (from the edited line, where they carry its own values); `null`: no item. */
  readonly expected: Readonly<Record<string, unknown>> | ((line: Line) => Readonly<Record<string, unknown>>) | null;
}

type Part = Record<string, unknown>;
const hasLocalImage = (parts: unknown): boolean =>
  Array.isArray(parts) && parts.some((p: Part) => p['type'] === 'local_image');
const textPart = (text: unknown) => ({ type: 'text', text, text_elements: [] });
/** A legacy user message's item: the one whose text is the line's message. */
const userMessageOf = (line: Line) => (item: Record<string, unknown>) =>
  item['type'] === 'userMessage' && (item['content'] as Part[])[0]?.['text'] === line.payload!['message'];

const itemOfType = (type: string) => (line: Line) =>
  line.type === 'event_msg' && line.payload?.type === 'item_completed' && line.payload.item?.['type'] === type;
const byId = (line: Line) => (item: Record<string, unknown>) => item['id'] === line.payload!.item!['id'];

const EDITS: Readonly<Record<HistoryMode, readonly Edit[]>> = {
  paginated: [
    {
      name: 'item/CommandExecution plugin_id, script_path',
      matches: itemOfType('CommandExecution'),
      apply: (l) => Object.assign(l.payload!.item!, PLUGIN),
      itemOf: byId,
      expected: { pluginId: PLUGIN.plugin_id, scriptPath: PLUGIN.script_path },
    },
    {
      name: 'item/AgentMessage delivery',
      matches: itemOfType('AgentMessage'),
      apply: (l) => Object.assign(l.payload!.item!, { delivery: 'async' }),
      itemOf: byId,
      expected: { delivery: 'async' },
    },
    {
      name: 'item/WebSearch results',
      matches: itemOfType('WebSearch'),
      apply: (l) => Object.assign(l.payload!.item!, { results: RESULTS }),
      itemOf: byId,
      expected: { results: RESULTS },
    },
    {
      name: 'item/UserMessage client_id, detail, audio, local_audio',
      matches: (l) => itemOfType('UserMessage')(l) && hasLocalImage(l.payload!.item!['content']),
      apply: (l) => {
        const item = l.payload!.item!;
        const parts = item['content'] as Part[];
        for (const p of parts) if (p['type'] === 'image') p['detail'] = 'low';
        for (const p of parts) if (p['type'] === 'local_image') p['detail'] = 'original';
        parts.push({ type: 'audio', audio_url: AUDIO_URL }, { type: 'local_audio', path: LOCAL_AUDIO });
        item['client_id'] = CLIENT_ID;
      },
      itemOf: byId,
      // items.rs UserMessageItem, user_input.rs UserInput (core, snake_case) → v2 UserInput (turn.rs From<CoreUserInput>).
      expected: (l) => {
        const parts = l.payload!.item!['content'] as Part[];
        const image = parts.find((p) => p['type'] === 'image')!;
        const local = parts.find((p) => p['type'] === 'local_image')!;
        return {
          clientId: CLIENT_ID,
          content: [
            textPart(parts[0]!['text']),
            { type: 'image', url: image['image_url'], detail: 'low' },
            { type: 'localImage', detail: 'original', path: local['path'] },
            { type: 'audio', url: AUDIO_URL },
            { type: 'localAudio', path: LOCAL_AUDIO },
          ],
        };
      },
    },
  ],
  legacy: [
    {
      name: 'event_msg/agent_message delivery',
      matches: (l) => l.type === 'event_msg' && l.payload?.type === 'agent_message',
      apply: (l) => Object.assign(l.payload!, { delivery: 'async' }),
      itemOf: (l) => (item) => item['type'] === 'agentMessage' && item['text'] === l.payload!['message'],
      expected: { delivery: 'async' },
    },
    {
      name: 'event_msg/web_search_end results',
      matches: (l) => l.type === 'event_msg' && l.payload?.type === 'web_search_end',
      apply: (l) => Object.assign(l.payload!, { results: RESULTS }),
      itemOf: (l) => (item) => item['type'] === 'webSearch' && item['id'] === l.payload!['call_id'],
      expected: { results: RESULTS },
    },
    {
      name: 'event_msg/user_message client_id, image_details, local_image_details, audio, local_audio',
      matches: (l) =>
        l.type === 'event_msg' &&
        l.payload?.type === 'user_message' &&
        Array.isArray(l.payload['local_images']) &&
        l.payload['local_images'].length > 0,
      apply: (l) => {
        const p = l.payload!;
        const images = [...(p['images'] as string[]), SECOND_IMAGE];
        // `image_order` (0.169.0 writes one `inline` per image; not in the source basis) kept in step with `images`.
        Object.assign(p, {
          client_id: CLIENT_ID,
          images,
          image_order: images.map(() => 'inline'),
          image_details: ['low'],
        });
        Object.assign(p, { local_image_details: ['original'], audio: [AUDIO_URL], local_audio: [LOCAL_AUDIO] });
      },
      itemOf: userMessageOf,
      // thread_history.rs build_user_inputs: the text, images with the detail at their index (the second has none), local images likewise, audio, local audio.
      expected: (l) => {
        const p = l.payload!;
        return {
          clientId: CLIENT_ID,
          content: [
            textPart(p['message']),
            { type: 'image', url: (p['images'] as string[])[0], detail: 'low' },
            { type: 'image', url: SECOND_IMAGE, detail: null },
            { type: 'localImage', detail: 'original', path: (p['local_images'] as string[])[0] },
            { type: 'audio', url: AUDIO_URL },
            { type: 'localAudio', path: LOCAL_AUDIO },
          ],
        };
      },
    },
    {
      // serde refuses the line (ImageDetail has no such variant), and Codex drops it: no item. Ours
      // refuses it too (a line set aside, reported as quarantined).
      name: 'event_msg/user_message an image detail serde refuses',
      matches: (l) => l.type === 'event_msg' && l.payload?.type === 'user_message',
      apply: (l) => Object.assign(l.payload!, { images: [SECOND_IMAGE], image_details: ['ultra'] }),
      itemOf: userMessageOf,
      expected: null,
    },
  ],
};

/** A line written into a thread as a new `event_msg` line, in the anchor's turn, and what Codex answers for it. */
interface Insert {
  readonly name: string;
  /** The line's payload, given its thread and turn. */
  readonly payload: (at: { readonly threadId: string; readonly turnId: string }) => Record<string, unknown>;
  readonly itemOf: (item: Record<string, unknown>) => boolean;
  /** The item's fields as Codex answers them (its times aside); `null`: no item. */
  readonly expected: Readonly<Record<string, unknown>> | null;
}

const STARTED_AT_MS = 1_795_680_000_000;
/** An `item_completed` line of `item`. */
const completed =
  (item: Record<string, unknown>) =>
  ({ threadId, turnId }: { readonly threadId: string; readonly turnId: string }): Record<string, unknown> => ({
    type: 'item_completed',
    thread_id: threadId,
    turn_id: turnId,
    item,
    started_at_ms: STARTED_AT_MS,
    completed_at_ms: STARTED_AT_MS + 1,
  });
const withId = (id: string) => (item: Record<string, unknown>) => item['id'] === id;
/** An item line, and the item Codex makes of it (`null`: none, the line is dropped). */
/**
 * What Codex answers of a line, by the version the compat run drives: `at171` where 0.171.0
 * answers otherwise than 0.169.0 (measured with ROLLOUT_ENGINE_COMPAT_CODEX_VERSION=0.171.0).
 */
const byVersion = (
  at169: Readonly<Record<string, unknown>> | null,
  at171: Readonly<Record<string, unknown>> | null,
): Readonly<Record<string, unknown>> | null => (compatCodexVersion() === '0.169.0' ? at169 : at171);

const itemLine = (
  name: string,
  item: Record<string, unknown> & { id: string },
  expected: Readonly<Record<string, unknown>> | null,
): Insert => ({
  name,
  payload: completed(item),
  itemOf: withId(item.id),
  expected,
});

const SAVED = '/compat/images/a.png';
const INPUT_IMAGE = {
  path: '/compat/in.png',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};
const webSearch = (id: string, fields: Record<string, unknown>) => ({
  type: 'Extension',
  kind: 'web.search',
  id,
  ...fields,
});
const imageGen = (id: string, fields: Record<string, unknown>) => ({
  type: 'Extension',
  kind: 'image_gen.generation',
  id,
  ...fields,
});
const generated = (id: string, fields: Record<string, unknown>) => ({
  type: 'imageGeneration',
  id,
  status: 'completed',
  revisedPrompt: null,
  ...fields,
});

// ext/items/src/web_search.rs and image_generation.rs (camelCase; 0.169.0's image item also has
// fileId | result, inputImages, generationId), wrapped by v2/item.rs as webSearch / imageGeneration.
// What 0.169.0 drops is what its serde refuses: a missing `query`, an action field of the wrong
// type, an image with neither `fileId` nor `result`, a relative `savedPath`, `inputImages: null`.
const EXTENSION_INSERTS: readonly Insert[] = [
  itemLine(
    'Extension/web.search search, results',
    webSearch('ext_ws_search', {
      query: 'rollout engines',
      action: { type: 'search', query: 'rollout engines', queries: ['rollout engines', 'event logs'] },
      results: RESULTS,
    }),
    {
      type: 'webSearch',
      query: 'rollout engines',
      action: { type: 'search', query: 'rollout engines', queries: ['rollout engines', 'event logs'] },
      results: RESULTS,
    },
  ),
  itemLine(
    'Extension/web.search openPage, fields absent',
    webSearch('ext_ws_open', { query: 'q', action: { type: 'openPage' } }),
    {
      type: 'webSearch',
      query: 'q',
      action: { type: 'openPage', url: null },
      results: null,
    },
  ),
  itemLine(
    'Extension/web.search findInPage, an unknown field',
    webSearch('ext_ws_find', {
      query: 'q',
      action: { type: 'findInPage', url: 'https://example.com/p', pattern: 'log', rank: 1 },
      results: [],
    }),
    { action: { type: 'findInPage', url: 'https://example.com/p', pattern: 'log' }, results: [] },
  ),
  itemLine(
    'Extension/web.search an unknown action type',
    webSearch('ext_ws_other', { query: 'q', action: { type: 'open_page', url: 'u' } }),
    {
      action: { type: 'other' },
    },
  ),
  itemLine('Extension/web.search action null', webSearch('ext_ws_none', { query: 'q', action: null }), {
    action: null,
  }),
  itemLine(
    'Extension/web.search without query (refused)',
    webSearch('ext_ws_noquery', { action: { type: 'search' } }),
    null,
  ),
  itemLine(
    'Extension/web.search a query of the wrong type (refused)',
    webSearch('ext_ws_badaction', { query: 'q', action: { type: 'search', query: 5 } }),
    null,
  ),
  itemLine(
    'Extension/image_gen.generation result, savedPath normalised',
    imageGen('ext_ig_result', {
      status: 'completed',
      revisedPrompt: 'A red pixel',
      result: PIXEL,
      transparentBackground: true,
      failure: null,
      savedPath: '/compat/./x/../images/a.png',
    }),
    generated('ext_ig_result', {
      revisedPrompt: 'A red pixel',
      result: PIXEL,
      transparentBackground: true,
      failure: null,
      savedPath: SAVED,
      generationId: null,
    }),
  ),
  itemLine(
    'Extension/image_gen.generation fileId (over result), inputImages, generationId',
    imageGen('ext_ig_file', {
      status: 'completed',
      fileId: 'file_compat',
      result: PIXEL,
      inputImages: [INPUT_IMAGE],
      generationId: 'gen_compat',
    }),
    generated('ext_ig_file', {
      fileId: 'file_compat',
      transparentBackground: null,
      failure: null,
      inputImages: [INPUT_IMAGE],
      generationId: 'gen_compat',
    }),
  ),
  itemLine(
    'Extension/image_gen.generation failure without resetsAt, inputImages empty',
    imageGen('ext_ig_failed', {
      status: 'failed',
      result: '',
      failure: { type: 'usageLimitExceeded', limitId: 'images' },
      inputImages: [],
    }),
    generated('ext_ig_failed', {
      status: 'failed',
      result: '',
      transparentBackground: null,
      failure: { type: 'usageLimitExceeded', limitId: 'images', resetsAt: null },
      generationId: null,
    }),
  ),
  itemLine(
    'Extension/image_gen.generation a fileId that is not a string (result read)',
    imageGen('ext_ig_badfile', { status: 'completed', fileId: 7, result: PIXEL }),
    generated('ext_ig_badfile', { result: PIXEL, transparentBackground: null, failure: null, generationId: null }),
  ),
  itemLine(
    'Extension/image_gen.generation neither fileId nor result (refused)',
    imageGen('ext_ig_noimage', { status: 'completed' }),
    null,
  ),
  itemLine(
    'Extension/image_gen.generation a relative savedPath (refused)',
    imageGen('ext_ig_relative', { status: 'completed', result: PIXEL, savedPath: 'images/a.png' }),
    null,
  ),
  itemLine(
    'Extension/image_gen.generation inputImages null (refused)',
    imageGen('ext_ig_nullinputs', { status: 'completed', result: PIXEL, inputImages: null }),
    null,
  ),
  itemLine(
    'Extension/image_gen.generation an input image without sha256 (refused)',
    imageGen('ext_ig_nosha', { status: 'completed', result: PIXEL, inputImages: [{ path: INPUT_IMAGE.path }] }),
    null,
  ),
  itemLine(
    'Extension/image_gen.generation an unknown failure type (refused)',
    imageGen('ext_ig_newfailure', { status: 'failed', result: '', failure: { type: 'quotaExceeded' } }),
    null,
  ),
];

// 0.169.0's AgentMessageItem / AgentMessageEvent `questions` (AsyncUserInputQuestion {title,
// options}, unknown fields denied) and `moderation` (AgentMessageModeration {moderated, display:
// AgentMessageDisplay {action, blockType, cyberTrustedAccess, checkTrustedContacts}}, camelCase on
// the line): not in the source basis, their shape is the schema's and the binary's. The item's
// are copied; a legacy message with a moderation (any but null) is shown by no item. 0.171.0
// reads a display only in its own shape (tagged by `mode`): one in 0.169.0's, or without
// `action`, is no display, the message moderated (protocol/itemDeltas.ts `moderationAt171`).
const agentItem = (id: string, fields: Record<string, unknown>) => ({
  type: 'AgentMessage',
  id,
  content: [{ type: 'Text', text: `Message ${id}.` }],
  phase: null,
  ...fields,
});
const QUESTIONS = [
  { title: 'Which log?', options: ['rollout', 'index'] },
  { title: 'Anything else?', options: null },
];
const DISPLAY = { action: 'collapse', blockType: 'cyber', cyberTrustedAccess: true, checkTrustedContacts: false };
const AGENT_MESSAGE_INSERTS: readonly Insert[] = [
  itemLine(
    'AgentMessage questions',
    agentItem('agent_questions', { questions: [QUESTIONS[0], { title: 'Anything else?' }] }),
    {
      moderation: null,
      questions: QUESTIONS,
    },
  ),
  itemLine(
    'AgentMessage moderation with a display',
    agentItem('agent_moderated', { moderation: { moderated: true, display: DISPLAY, note: 'ignored' } }),
    byVersion(
      { moderation: { moderated: true, display: DISPLAY }, questions: null },
      { moderation: { moderated: true, display: null }, questions: null },
    ),
  ),
  itemLine(
    'AgentMessage moderation, a display in snake_case (unknown fields)',
    agentItem('agent_snake', {
      moderation: { moderated: false, display: { action: 'show', block_type: 'cyber', cyber_trusted_access: true } },
    }),
    byVersion(
      {
        moderation: {
          moderated: false,
          display: { action: 'show', blockType: null, cyberTrustedAccess: null, checkTrustedContacts: null },
        },
      },
      { moderation: { moderated: true, display: null } },
    ),
  ),
  itemLine(
    'AgentMessage moderation without display',
    agentItem('agent_nodisplay', { moderation: { moderated: true } }),
    {
      moderation: { moderated: true, display: null },
    },
  ),
  itemLine(
    'AgentMessage a question with another field (refused)',
    agentItem('agent_badquestion', { questions: [{ ...QUESTIONS[0], hint: 'x' }] }),
    null,
  ),
  itemLine(
    'AgentMessage moderation without moderated (refused)',
    agentItem('agent_nomoderated', { moderation: { display: null } }),
    null,
  ),
  itemLine(
    'AgentMessage a display without action (refused by 0.169.0)',
    agentItem('agent_noaction', { moderation: { moderated: true, display: { blockType: 'x' } } }),
    byVersion(null, { moderation: { moderated: true, display: null } }),
  ),
];
/** A legacy agent message, found by its text. */
const agentEvent = (
  name: string,
  text: string,
  fields: Record<string, unknown>,
  expected: Readonly<Record<string, unknown>> | null,
): Insert => ({
  name,
  payload: () => ({ type: 'agent_message', message: text, phase: null, memory_citation: null, ...fields }),
  itemOf: (item) => item['type'] === 'agentMessage' && item['text'] === text,
  expected,
});
/**
 * Searched on both servers after the inserts (thread/search): a legacy agent message its
 * moderation hides is found by neither (0.169.0 measured, 2026-11-26), one without is.
 */
const SEARCHED = ['Asked back.', 'Moderated.', 'Not moderated.', 'Moderation null.'];
/** A thread/search answer as the threads found and their snippets. */
const searchShape = (answer: unknown): string =>
  JSON.stringify(
    (answer as { data: Array<{ thread: { id: string }; snippet: string }> }).data.map((r) => [r.thread.id, r.snippet]),
  );
const LEGACY_AGENT_MESSAGE_INSERTS: readonly Insert[] = [
  agentEvent(
    'agent_message questions',
    'Asked back.',
    { questions: [QUESTIONS[0], { title: 'Anything else?' }] },
    { moderation: null, questions: QUESTIONS },
  ),
  agentEvent(
    'agent_message moderation (no item)',
    'Moderated.',
    { moderation: { moderated: true, display: DISPLAY } },
    null,
  ),
  agentEvent(
    'agent_message moderation, not moderated (no item)',
    'Not moderated.',
    { moderation: { moderated: false, display: null } },
    null,
  ),
  agentEvent(
    'agent_message moderation null',
    'Moderation null.',
    { moderation: null },
    { moderation: null, questions: null },
  ),
  agentEvent(
    'agent_message a question with another field (refused)',
    'Bad question.',
    { questions: [{ ...QUESTIONS[0], hint: 'x' }] },
    null,
  ),
];

// Image generations and tool outputs: the hosted image generation's paginated item (items.rs
// ImageGenerationItem: result required, saved_path an AbsolutePathBuf; v2/item.rs leaves
// transparentBackground, failure, generationId null), the legacy image_generation_end (protocol.rs,
// with 0.169.0's fileId | result, input_images, generation_id), and FunctionCallOutput items
// (models.rs FunctionCallOutputContentItem; 0.169.0's image and audio may be a file_id) in both modes.
const coreImage = (id: string, fields: Record<string, unknown>) => ({
  type: 'ImageGeneration',
  id,
  status: 'completed',
  ...fields,
});
const IMAGE_GENERATION_INSERTS: readonly Insert[] = [
  itemLine(
    'ImageGeneration saved_path normalised',
    coreImage('core_ig_saved', {
      revised_prompt: 'A red pixel',
      result: PIXEL,
      saved_path: '/compat/x/../images/./a.png',
    }),
    generated('core_ig_saved', {
      revisedPrompt: 'A red pixel',
      result: PIXEL,
      transparentBackground: null,
      failure: null,
      savedPath: SAVED,
      generationId: null,
    }),
  ),
  itemLine(
    "ImageGeneration the legacy event's and camelCase fields (ignored)",
    coreImage('core_ig_other', {
      result: PIXEL,
      file_id: 'file_x',
      fileId: 'file_y',
      transparent_background: true,
      generation_id: 'gen_x',
      input_images: [INPUT_IMAGE],
      failure: { type: 'usageLimitExceeded', limitId: 'images', resetsAt: 1 },
      revisedPrompt: 'camel',
      savedPath: SAVED,
    }),
    generated('core_ig_other', { result: PIXEL, transparentBackground: null, failure: null, generationId: null }),
  ),
  itemLine('ImageGeneration without result (refused)', coreImage('core_ig_noresult', { fileId: 'file_x' }), null),
  itemLine(
    'ImageGeneration a relative saved_path (refused)',
    coreImage('core_ig_relative', { result: PIXEL, saved_path: 'images/a.png' }),
    null,
  ),
  itemLine(
    'ImageGeneration a file:// saved_path (refused)',
    coreImage('core_ig_url', { result: PIXEL, saved_path: `file://${SAVED}` }),
    null,
  ),
];
/** A legacy image generation's end, found by its call id. */
const imageEnd = (
  name: string,
  callId: string,
  fields: Record<string, unknown>,
  expected: Readonly<Record<string, unknown>> | null,
): Insert => ({
  name,
  payload: () => ({ type: 'image_generation_end', call_id: callId, status: 'completed', ...fields }),
  itemOf: withId(callId),
  expected,
});
const LEGACY_IMAGE_GENERATION_INSERTS: readonly Insert[] = [
  imageEnd(
    'image_generation_end paths normalised, an input image’s other field dropped',
    'ig_end_paths',
    {
      result: PIXEL,
      saved_path: '/compat/x/../images/./a.png',
      input_images: [{ path: '/compat/./in.png', sha256: INPUT_IMAGE.sha256, size: 3 }],
    },
    generated('ig_end_paths', {
      result: PIXEL,
      transparentBackground: null,
      failure: null,
      savedPath: SAVED,
      inputImages: [INPUT_IMAGE],
      generationId: null,
    }),
  ),
  imageEnd(
    'image_generation_end fileId (camelCase) over result, file_id ignored, input_images empty',
    'ig_end_file',
    { fileId: 'file_compat', file_id: 'file_snake', result: PIXEL, input_images: [] },
    generated('ig_end_file', { fileId: 'file_compat', transparentBackground: null, failure: null, generationId: null }),
  ),
  imageEnd('image_generation_end file_id only (refused)', 'ig_end_snake', { file_id: 'file_snake' }, null),
  imageEnd(
    'image_generation_end failure without resetsAt',
    'ig_end_failed',
    {
      status: 'failed',
      result: '',
      failure: { type: 'usageLimitExceeded', limitId: 'images' },
      transparent_background: false,
      generation_id: 'gen_end',
    },
    generated('ig_end_failed', {
      status: 'failed',
      result: '',
      transparentBackground: false,
      failure: { type: 'usageLimitExceeded', limitId: 'images', resetsAt: null },
      generationId: 'gen_end',
    }),
  ),
  imageEnd(
    'image_generation_end a relative saved_path (refused)',
    'ig_end_relative',
    { result: PIXEL, saved_path: 'images/a.png' },
    null,
  ),
  imageEnd(
    'image_generation_end input_images null (refused)',
    'ig_end_nullinputs',
    { result: PIXEL, input_images: null },
    null,
  ),
  imageEnd(
    'image_generation_end an unknown failure type (refused)',
    'ig_end_newfailure',
    { status: 'failed', result: '', failure: { type: 'quotaExceeded' } },
    null,
  ),
];
const output = (id: string, out: unknown, fields: Record<string, unknown> = {}) => ({
  type: 'FunctionCallOutput',
  id,
  name: 'view_image',
  output: out,
  ...fields,
});
const FUNCTION_CALL_OUTPUT_INSERTS: readonly Insert[] = [
  itemLine('FunctionCallOutput a string', output('fco_string', 'plain output', { namespace: 'functions' }), {
    name: 'view_image',
    namespace: 'functions',
    output: 'plain output',
  }),
  itemLine(
    'FunctionCallOutput content items: other fields dropped, a null detail left out, a URL over a file id',
    output('fco_items', [
      { type: 'input_text', text: 'the pixel', annotations: [] },
      { type: 'input_image', image_url: `data:image/png;base64,${PIXEL}`, file_id: 'file_img', detail: null },
      { type: 'input_image', image_url: 5, file_id: 'file_img', detail: 'high' },
      { type: 'input_audio', audio_url: 'data:audio/wav;base64,UklGRg==', file_id: 'file_audio' },
      { type: 'input_audio', file_id: 'file_audio' },
      { type: 'encrypted_content', encrypted_content: 'kept encrypted', id: 'x' },
    ]),
    {
      namespace: null,
      output: [
        { type: 'input_text', text: 'the pixel' },
        { type: 'input_image', image_url: `data:image/png;base64,${PIXEL}` },
        { type: 'input_image', file_id: 'file_img', detail: 'high' },
        { type: 'input_audio', audio_url: 'data:audio/wav;base64,UklGRg==' },
        { type: 'input_audio', file_id: 'file_audio' },
        { type: 'encrypted_content', encrypted_content: 'kept encrypted' },
      ],
    },
  ),
  itemLine(
    'FunctionCallOutput an unknown content type (refused)',
    output('fco_file', [{ type: 'input_file', file_id: 'f' }]),
    null,
  ),
  itemLine(
    'FunctionCallOutput a detail serde refuses (refused)',
    output('fco_detail', [{ type: 'input_image', image_url: 'u', detail: 'ultra' }]),
    null,
  ),
  itemLine('FunctionCallOutput an object (refused)', output('fco_object', { text: 'x' }), null),
];

// The event_msg variants we do not read (the census's VARIANTS_NOT_READ): the source basis's
// thread_history.rs handle_event renders each (an in-progress item from a *_begin, an approval as
// a declined/in-progress item, a v1 sub-agent call as collabAgentToolCall, item_started through
// the legacy item filter). Shapes from their serde types (protocol.rs, approvals.rs,
// dynamic_tools.rs at 7df9d8d8c625); every id they carry starts with `unread_`, so any item, of any
// type, that one of them makes is found. Measured on 0.169.0: none makes an item in either mode
// (and the thread's turns are answered as ours, which does not read them).
const UNREAD = 'unread_';
const RECEIVER = '01a2171f-0000-7000-8000-0000000000c1';
const unreadItem = (item: Record<string, unknown>): boolean =>
  JSON.stringify(item).includes(UNREAD) || JSON.stringify(item).includes(RECEIVER);
const PATCH = { '/compat/work/unread.txt': { type: 'add', content: 'unread\n' } };
const unreadLine = (name: string, payload: Insert['payload']): Insert => ({
  name: `${name} (not read)`,
  payload,
  itemOf: unreadItem,
  expected: null,
});
const UNREAD_VARIANT_INSERTS: readonly Insert[] = [
  unreadLine('web_search_begin', () => ({ type: 'web_search_begin', call_id: `${UNREAD}ws_begin` })),
  unreadLine('exec_command_begin', ({ turnId }) => ({
    type: 'exec_command_begin',
    call_id: `${UNREAD}exec_begin`,
    turn_id: turnId,
    started_at_ms: STARTED_AT_MS,
    command: ['bash', '-lc', 'echo unread'],
    cwd: '/compat/work',
    parsed_cmd: [],
    source: 'agent',
  })),
  unreadLine('patch_apply_begin', ({ turnId }) => ({
    type: 'patch_apply_begin',
    call_id: `${UNREAD}patch_begin`,
    turn_id: turnId,
    auto_approved: true,
    changes: PATCH,
  })),
  unreadLine('mcp_tool_call_begin', () => ({
    type: 'mcp_tool_call_begin',
    call_id: `${UNREAD}mcp_begin`,
    invocation: { server: 'compat', tool: 'lookup', arguments: { topic: 'unread' } },
  })),
  unreadLine('image_generation_begin', () => ({ type: 'image_generation_begin', call_id: `${UNREAD}ig_begin` })),
  // A kind the source's legacy item filter upserts (a plan with text) and one it always does (a command).
  unreadLine('item_started Plan', ({ threadId, turnId }) => ({
    type: 'item_started',
    thread_id: threadId,
    turn_id: turnId,
    item: { type: 'Plan', id: `${UNREAD}started_plan`, text: '1. Begin.' },
    started_at_ms: STARTED_AT_MS,
  })),
  unreadLine('item_started DynamicToolCall', ({ threadId, turnId }) => ({
    type: 'item_started',
    thread_id: threadId,
    turn_id: turnId,
    item: {
      type: 'DynamicToolCall',
      id: `${UNREAD}started_dyn`,
      tool: 'lookup_fact',
      arguments: { topic: 'unread' },
      status: 'in_progress',
    },
    started_at_ms: STARTED_AT_MS,
  })),
  unreadLine('dynamic_tool_call_request', ({ turnId }) => ({
    type: 'dynamic_tool_call_request',
    call_id: `${UNREAD}dyn_request`,
    turn_id: turnId,
    started_at_ms: STARTED_AT_MS,
    namespace: null,
    tool: 'lookup_fact',
    arguments: { topic: 'unread' },
  })),
  unreadLine('guardian_assessment in_progress', ({ turnId }) => ({
    type: 'guardian_assessment',
    id: `${UNREAD}guardian`,
    target_item_id: `${UNREAD}guardian_target`,
    turn_id: turnId,
    started_at_ms: STARTED_AT_MS,
    status: 'in_progress',
    action: { type: 'command', source: 'shell', command: 'rm -rf /compat/tmp', cwd: '/compat/work' },
  })),
  unreadLine('guardian_assessment denied', ({ turnId }) => ({
    type: 'guardian_assessment',
    id: `${UNREAD}guardian_denied`,
    turn_id: turnId,
    started_at_ms: STARTED_AT_MS,
    completed_at_ms: STARTED_AT_MS + 1,
    status: 'denied',
    risk_level: 'high',
    rationale: 'Deletes files.',
    action: { type: 'apply_patch', cwd: '/compat/work', files: ['/compat/work/unread.txt'] },
  })),
  unreadLine('apply_patch_approval_request', ({ turnId }) => ({
    type: 'apply_patch_approval_request',
    call_id: `${UNREAD}patch_approval`,
    turn_id: turnId,
    started_at_ms: STARTED_AT_MS,
    changes: PATCH,
    reason: 'Writes a file.',
  })),
  unreadLine('collab_agent_spawn_begin', ({ threadId }) => ({
    type: 'collab_agent_spawn_begin',
    call_id: `${UNREAD}spawn`,
    started_at_ms: STARTED_AT_MS,
    sender_thread_id: threadId,
    prompt: 'Count to three.',
    model: 'mock-model',
    reasoning_effort: 'low',
  })),
  unreadLine('collab_agent_spawn_end', ({ threadId }) => ({
    type: 'collab_agent_spawn_end',
    call_id: `${UNREAD}spawn`,
    completed_at_ms: STARTED_AT_MS + 1,
    sender_thread_id: threadId,
    new_thread_id: RECEIVER,
    new_agent_nickname: 'helper',
    prompt: 'Count to three.',
    model: 'mock-model',
    reasoning_effort: 'low',
    status: 'running',
  })),
  unreadLine('collab_agent_interaction_begin', ({ threadId }) => ({
    type: 'collab_agent_interaction_begin',
    call_id: `${UNREAD}interact`,
    started_at_ms: STARTED_AT_MS,
    sender_thread_id: threadId,
    receiver_thread_id: RECEIVER,
    prompt: 'Now four.',
  })),
  unreadLine('collab_agent_interaction_end', ({ threadId }) => ({
    type: 'collab_agent_interaction_end',
    call_id: `${UNREAD}interact`,
    completed_at_ms: STARTED_AT_MS + 1,
    sender_thread_id: threadId,
    receiver_thread_id: RECEIVER,
    prompt: 'Now four.',
    status: { completed: 'Four.' },
  })),
  unreadLine('collab_waiting_begin', ({ threadId }) => ({
    type: 'collab_waiting_begin',
    started_at_ms: STARTED_AT_MS,
    sender_thread_id: threadId,
    receiver_thread_ids: [RECEIVER],
    call_id: `${UNREAD}wait`,
  })),
  unreadLine('collab_waiting_end', ({ threadId }) => ({
    type: 'collab_waiting_end',
    sender_thread_id: threadId,
    call_id: `${UNREAD}wait`,
    completed_at_ms: STARTED_AT_MS + 1,
    statuses: { [RECEIVER]: { completed: 'Four.' } },
  })),
  unreadLine('collab_close_begin', ({ threadId }) => ({
    type: 'collab_close_begin',
    call_id: `${UNREAD}close`,
    started_at_ms: STARTED_AT_MS,
    sender_thread_id: threadId,
    receiver_thread_id: RECEIVER,
  })),
  unreadLine('collab_close_end', ({ threadId }) => ({
    type: 'collab_close_end',
    call_id: `${UNREAD}close`,
    completed_at_ms: STARTED_AT_MS + 1,
    sender_thread_id: threadId,
    receiver_thread_id: RECEIVER,
    status: 'shutdown',
  })),
  unreadLine('collab_resume_begin', ({ threadId }) => ({
    type: 'collab_resume_begin',
    call_id: `${UNREAD}resume`,
    started_at_ms: STARTED_AT_MS,
    sender_thread_id: threadId,
    receiver_thread_id: RECEIVER,
  })),
  unreadLine('collab_resume_end', ({ threadId }) => ({
    type: 'collab_resume_end',
    call_id: `${UNREAD}resume`,
    completed_at_ms: STARTED_AT_MS + 1,
    sender_thread_id: threadId,
    receiver_thread_id: RECEIVER,
    receiver_agent_nickname: 'helper',
    status: 'running',
  })),
];

/**
 * Per history mode, where the lines are written (the first line `anchor` matches: its thread, and
 * the turn it is in; paginated, the first turn of the first thread) and which. Paginated, each takes the place of a token line after the anchor
 * (a `token_count` or `token_usage_record`: they make no item), keeping its `ordinal` and time, so
 * the file's ordinals stay in sequence; legacy, they follow the anchor.
 */
const INSERTS: Readonly<
  Record<HistoryMode, { readonly anchor: (line: Line) => boolean; readonly lines: readonly Insert[] }>
> = {
  paginated: {
    anchor: (l) => l.type === 'event_msg' && l.payload?.type === 'task_started',
    lines: [
      ...EXTENSION_INSERTS,
      ...AGENT_MESSAGE_INSERTS,
      ...IMAGE_GENERATION_INSERTS,
      ...FUNCTION_CALL_OUTPUT_INSERTS,
    ],
  },
  // In a legacy thread 0.169.0 shows no web search or image generation from an `Extension` line
  // (web_search_end and image_generation_end stand for them there).
  legacy: {
    anchor: (l) => l.type === 'event_msg' && l.payload?.type === 'web_search_end',
    lines: [
      ...EXTENSION_INSERTS.map((i) => ({ ...i, name: `${i.name}, legacy`, expected: null })),
      ...LEGACY_AGENT_MESSAGE_INSERTS,
      ...LEGACY_IMAGE_GENERATION_INSERTS,
      // A legacy thread takes function call outputs from their item lines too (itemEvents.ts COMPLETED_ITEMS).
      ...FUNCTION_CALL_OUTPUT_INSERTS.map((i) => ({ ...i, name: `${i.name}, legacy` })),
    ],
  },
};

const rolloutFilesOf = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? rolloutFilesOf(join(dir, e.name))
      : e.name.startsWith('rollout-') && e.name.endsWith('.jsonl')
        ? [join(dir, e.name)]
        : [],
  );

/** Edit the first line each edit matches, in place; the edited lines and their threads (from the file name), by edit name. */
const editLines = (codexHome: string, edits: readonly Edit[]): Map<string, { line: Line; threadId: string }> => {
  const done = new Map<string, { line: Line; threadId: string }>();
  for (const file of rolloutFilesOf(join(codexHome, 'sessions')).sort()) {
    const text = readFileSync(file, 'utf8');
    let changed = false;
    const lines = text.split('\n').map((raw) => {
      if (raw === '') return raw;
      const line = JSON.parse(raw) as Line;
      const edit = edits.find((e) => !done.has(e.name) && e.matches(line));
      if (edit === undefined) return raw;
      edit.apply(line);
      done.set(edit.name, { line, threadId: /([0-9a-f-]{36})\.jsonl$/.exec(file)![1]! });
      changed = true;
      return JSON.stringify(line);
    });
    if (changed) writeFileSync(file, lines.join('\n'));
  }
  return done;
};

type RawLine = Line & { timestamp?: string; ordinal?: number };

/** The variants we do not read, written into the same thread (paginated: after the anchor, later ordinals moved up; the token lines are taken). */
const UNREAD_INSERTS: Readonly<Record<HistoryMode, readonly Insert[]>> = {
  paginated: UNREAD_VARIANT_INSERTS,
  legacy: UNREAD_VARIANT_INSERTS.map((i) => ({ ...i, name: `${i.name}, legacy` })),
};

/**
 * `session_meta.subagent_history_start_ordinal` (protocol.rs: records before it are inherited
 * context that "stay out of child turn/item projection"), set on a paginated sub-agent thread to
 * the ordinal of its second turn's first line. Measured on 0.169.0 (2026-11-26): it answers only
 * the second turn and its items (thread/read and thread/items/list; without the field, both
 * turns), so the first turn's lines make nothing; ours the same (projections/turnRows.ts). Set on
 * the first paginated multi-agent v2 sub-agent (an `agent_path` in its meta) with two turns; its
 * id, its parent's and the ordinal.
 */
const editSubAgentStart = (
  codexHome: string,
  at: (lines: readonly RawLine[]) => number = (lines) =>
    lines.filter((l) => l.payload?.type === 'task_started')[1]!.ordinal!,
): { threadId: string; parentId: string; ordinal: number } => {
  for (const file of rolloutFilesOf(join(codexHome, 'sessions')).sort()) {
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as RawLine);
    const meta = lines[0]?.payload as Record<string, unknown> | undefined;
    if (lines[0]?.type !== 'session_meta' || meta === undefined || typeof meta['agent_path'] !== 'string') continue;
    const starts = lines.filter((l) => l.payload?.type === 'task_started');
    if (starts.length < 2) continue;
    const ordinal = at(lines);
    meta['subagent_history_start_ordinal'] = ordinal;
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    return {
      threadId: /([0-9a-f-]{36})\.jsonl$/.exec(file)![1]!,
      parentId: meta['parent_thread_id'] as string,
      ordinal,
    };
  }
  throw new Error('no paginated sub-agent thread with two turns');
};

/** Write `inserts` into the thread of the first line `anchor` matches (see `INSERTS`); that thread's id. */
const insertLines = (
  codexHome: string,
  mode: HistoryMode,
  anchor: (line: Line) => boolean,
  inserts: readonly Insert[],
  shift = false,
): string => {
  for (const file of rolloutFilesOf(join(codexHome, 'sessions')).sort()) {
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as RawLine);
    const at = lines.findIndex(anchor);
    if (at < 0) continue;
    const threadId = /([0-9a-f-]{36})\.jsonl$/.exec(file)![1]!;
    const turnId = lines
      .slice(0, at + 1)
      .reverse()
      .find((l) => l.payload?.type === 'task_started')?.payload?.['turn_id'] as string;
    const payloads = inserts.map((i) => i.payload({ threadId, turnId }));
    if (mode === 'legacy') {
      lines.splice(
        at + 1,
        0,
        ...payloads.map((payload) => ({ timestamp: lines[at]!.timestamp, type: 'event_msg', payload })),
      );
    } else if (shift) {
      // New lines after the anchor, numbered on from it, and every later line's ordinal moved up by as
      // many: the file's ordinals stay in sequence (no other thread names this one's ordinals).
      const base = lines[at]!.ordinal!;
      for (const l of lines.slice(at + 1)) l.ordinal = l.ordinal! + payloads.length;
      lines.splice(
        at + 1,
        0,
        ...payloads.map((payload, k) => ({
          timestamp: lines[at]!.timestamp,
          ordinal: base + 1 + k,
          type: 'event_msg',
          payload,
        })),
      );
    } else {
      const slots = lines.flatMap((l, i) =>
        i > at && (l.type === 'token_usage_record' || l.payload?.type === 'token_count') ? [i] : [],
      );
      if (slots.length < payloads.length)
        throw new Error(`${file}: ${slots.length} token lines after the anchor for ${payloads.length} lines`);
      payloads.forEach((payload, k) => {
        const slot = lines[slots[k]!]!;
        lines[slots[k]!] = { timestamp: slot.timestamp, ordinal: slot.ordinal, type: 'event_msg', payload };
      });
    }
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    return threadId;
  }
  throw new Error(`no anchor line for the ${mode} inserts`);
};

/** The items of every turn of a thread/read answer. */
const itemsOf = (read: {
  thread: { turns: Array<{ items: Array<Record<string, unknown>> }> };
}): Array<Record<string, unknown>> => read.thread.turns.flatMap((t) => t.items);
type TurnRow = { id: string; status: string; items: Array<Record<string, unknown>> };
/** A thread's turns as ids, statuses and item ids: what the thread-wide comparisons hold equal. */
const shapeOf = (turns: readonly TurnRow[]): unknown =>
  turns.map((t) => ({
    id: t.id,
    status: t.status,
    items: t.items.map((i) => `${String(i['type'])}:${String(i['id'])}`),
  }));
/** Every item of `thread/items/list`, page by page (oldest first). */
const listAllItems = async (
  request: (method: string, params: unknown) => Promise<unknown>,
  threadId: string,
): Promise<Array<Record<string, unknown>>> => {
  const all: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const res = (await request('thread/items/list', {
      threadId,
      limit: 100,
      ...(cursor === null ? {} : { cursor }),
    })) as {
      data: Array<{ item: Record<string, unknown> }>;
      nextCursor: string | null;
    };
    all.push(...res.data.map((e) => e.item));
    if (res.nextCursor === null) return all;
    cursor = res.nextCursor;
  }
  throw new Error(`thread/items/list ${threadId}: more than 50 pages`);
};

describe('compat: fields the binary cannot be made to write offline, written into its lines, read by codex app-server 0.169.0 and by ours', function () {
  this.timeout(600_000);
  let root: string;
  before(() => {
    root = freshRoot();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const mode of ['paginated', 'legacy'] as const) {
    it(`rich-${mode}: ${EDITS[mode].map((e) => e.name).join('; ')}; ${INSERTS[mode].lines.length} lines written in: Codex answers what it makes of them, ours the same`, async function () {
      const fixture = await sharedCompatHomes();
      const built = compatHome(fixture, `rich-${mode}`);
      // A copy (the shared home stays as the binary wrote it), without Codex's state DB and its history
      // projection (thread_history_1.sqlite: the items of each thread as Codex rendered them when it
      // wrote the lines). Kept, that projection hides the edits: Codex answers a paginated thread from
      // it and never reads the edited lines (every edit answered as before it, measured 2026-11-26).
      // Removed, a cold thread/read answers a paginated thread with no turns until thread/resume
      // projects its file again; so each thread is resumed (it writes nothing to the file) and then read.
      const copy = join(root, built.key);
      cpSync(join(built.codexHome, '..'), copy, { recursive: true, preserveTimestamps: true });
      const home: CompatHome = {
        ...built,
        codexHome: join(copy, relative(join(built.codexHome, '..'), built.codexHome)),
        workDir: join(copy, relative(join(built.codexHome, '..'), built.workDir)),
      };
      expect(statSync(home.codexHome).isDirectory()).to.equal(true);
      for (const f of readdirSync(home.codexHome))
        if (f.startsWith('state_5.sqlite') || f.startsWith('thread_history_1.sqlite')) rmSync(join(home.codexHome, f));
      const edited = editLines(home.codexHome, EDITS[mode]);
      expect([...edited.keys()], 'a line of each kind in the home').to.have.members(EDITS[mode].map((e) => e.name));
      const insertedInto = insertLines(home.codexHome, mode, INSERTS[mode].anchor, INSERTS[mode].lines);
      const unreadInto = insertLines(home.codexHome, mode, INSERTS[mode].anchor, UNREAD_INSERTS[mode], true);
      const subAgent = mode === 'paginated' ? editSubAgentStart(home.codexHome) : null;

      const threads = [
        ...new Set([
          ...[...edited.values()].map((e) => e.threadId),
          insertedInto,
          unreadInto,
          ...(subAgent === null ? [] : [subAgent.threadId]),
        ]),
      ];
      const sizes = () => rolloutFilesOf(join(home.codexHome, 'sessions')).map((f) => [f, statSync(f).size]);
      const written = sizes();
      const codexReads = new Map<string, Array<Record<string, unknown>>>();
      const codexTurns = new Map<string, TurnRow[]>();
      const codexLists = new Map<string, Array<Record<string, unknown>>>();
      const codexSearches = new Map<string, string>();
      const ourSearches = new Map<string, string>();
      const codex = await openColdCodex(home);
      try {
        for (const id of threads) {
          // A multi-agent v2 sub-agent is resumed through its parent (0.169.0 refuses it alone: -32600 "resume the parent first").
          if (id === subAgent?.threadId) {
            await codex.server.request('thread/resume', { threadId: subAgent.parentId, excludeTurns: true });
            await codex.server.request('thread/resume', { threadId: id, excludeTurns: true });
          } else await codex.server.request('thread/resume', { threadId: id, excludeTurns: true });
          const read = (await codex.server.request('thread/read', { threadId: id, includeTurns: true })) as {
            thread: { turns: TurnRow[] };
          };
          codexReads.set(id, itemsOf(read));
          codexTurns.set(id, read.thread.turns);
          // Paginated threads: Codex's item pages too (its paginated history API).
          if (mode === 'paginated') codexLists.set(id, await listAllItems((m, p) => codex.server.request(m, p), id));
        }
        for (const searchTerm of SEARCHED)
          codexSearches.set(searchTerm, searchShape(await codex.server.request('thread/search', { searchTerm })));
      } finally {
        await codex.stop();
      }
      expect(sizes(), 'the files as edited: thread/resume loads a thread and writes nothing').to.deep.equal(written);
      const ours = await openEngineServer(home);
      const ourReads = new Map<string, Array<Record<string, unknown>>>();
      const ourPages = new Map<string, Array<Record<string, unknown>>>();
      const ourTurns = new Map<string, TurnRow[]>();
      const ourLists = new Map<string, Array<Record<string, unknown>>>();
      const ourRequest = async (method: string, params: unknown): Promise<unknown> => {
        const res = await ours.request(method, params);
        if (!('result' in res))
          throw new Error(`ours: ${method} ${JSON.stringify(params)}: ${JSON.stringify(res.error)}`);
        return res.result;
      };
      try {
        for (const id of threads) {
          const read = await ours.request('thread/read', { threadId: id, includeTurns: true });
          if (!('result' in read)) throw new Error(`ours: thread/read ${id}: ${JSON.stringify(read.error)}`);
          ourReads.set(id, itemsOf(read.result as Parameters<typeof itemsOf>[0]));
          ourTurns.set(id, (read.result as { thread: { turns: TurnRow[] } }).thread.turns);
          if (mode === 'paginated') ourLists.set(id, await listAllItems(ourRequest, id));
          // The index's path too: the same items from thread/turns/list (full items, one page of all turns).
          const page = await ours.request('thread/turns/list', { threadId: id, itemsView: 'full', limit: 100 });
          if (!('result' in page)) throw new Error(`ours: thread/turns/list ${id}: ${JSON.stringify(page.error)}`);
          ourPages.set(
            id,
            (page.result as { data: Array<{ items: Array<Record<string, unknown>> }> }).data.flatMap((t) => t.items),
          );
        }
        for (const searchTerm of SEARCHED)
          ourSearches.set(searchTerm, searchShape(await ourRequest('thread/search', { searchTerm })));
      } finally {
        await ours.close();
      }

      // Every edit's and insert's fields, Codex's and ours, before any verdict: one run shows them all.
      const checks = [
        ...EDITS[mode].map((edit) => {
          const { line, threadId } = edited.get(edit.name)!;
          return {
            name: edit.name,
            threadId,
            find: edit.itemOf(line),
            expected: typeof edit.expected === 'function' ? edit.expected(line) : edit.expected,
          };
        }),
        ...INSERTS[mode].lines.map((i) => ({
          name: i.name,
          threadId: insertedInto,
          find: i.itemOf,
          expected: i.expected,
        })),
        ...UNREAD_INSERTS[mode].map((i) => ({
          name: i.name,
          threadId: unreadInto,
          find: i.itemOf,
          expected: i.expected,
        })),
      ];
      const found: string[] = [];
      for (const { name, threadId, find, expected } of checks) {
        const count = expected === null ? 0 : 1;
        const fields = (item: Record<string, unknown> | undefined) =>
          item === undefined
            ? 'no such item'
            : Object.fromEntries(Object.keys(expected ?? item).map((k) => [k, item[k]]));
        const inCodex = codexReads.get(threadId)!.filter(find);
        const codexFields = fields(inCodex[0]);
        if (inCodex.length !== count || (expected !== null && JSON.stringify(codexFields) !== JSON.stringify(expected)))
          found.push(
            `${name}: Codex answers ${JSON.stringify(codexFields)} (${inCodex.length} items), the line carries ${JSON.stringify(expected)}`,
          );
        const codexListed = codexLists.get(threadId)?.filter(find);
        if (codexListed !== undefined && codexListed.length !== inCodex.length)
          found.push(
            `${name}: Codex's thread/items/list has ${codexListed.length} such items, its thread/read ${inCodex.length}`,
          );
        for (const [path, reads] of [
          ['thread/read', ourReads],
          ['thread/turns/list', ourPages],
          ...(mode === 'paginated' ? ([['thread/items/list', ourLists]] as const) : []),
        ] as const) {
          const inOurs = reads.get(threadId)!.filter(find);
          if (inOurs.length !== count || JSON.stringify(fields(inOurs[0])) !== JSON.stringify(codexFields))
            found.push(
              `${name}: ours (${path}) ${JSON.stringify(fields(inOurs[0]))} (${inOurs.length} items), Codex's ${JSON.stringify(codexFields)}`,
            );
        }
      }
      // Thread-wide: the turns (ids, statuses, item ids) of the thread the unread variants were written
      // into, and of the sub-agent thread with a start ordinal, are Codex's.
      for (const [what, id] of [
        ['unread variants', unreadInto],
        ...(subAgent === null ? [] : [['subagent_history_start_ordinal', subAgent.threadId]]),
      ] as const) {
        const theirs = JSON.stringify(shapeOf(codexTurns.get(id)!));
        if (theirs !== JSON.stringify(shapeOf(ourTurns.get(id)!)))
          found.push(`${what}: Codex's turns ${theirs}, ours ${JSON.stringify(shapeOf(ourTurns.get(id)!))}`);
        if (mode === 'paginated') {
          const ids = (items: Array<Record<string, unknown>>) => JSON.stringify(items.map((i) => i['id']));
          if (ids(codexLists.get(id)!) !== ids(ourLists.get(id)!))
            found.push(
              `${what}: Codex's thread/items/list ${ids(codexLists.get(id)!)}, ours ${ids(ourLists.get(id)!)}`,
            );
        }
      }
      for (const term of SEARCHED)
        if (codexSearches.get(term) !== ourSearches.get(term))
          found.push(
            `thread/search ${JSON.stringify(term)}: Codex finds ${codexSearches.get(term)}, ours ${ourSearches.get(term)}`,
          );
      if (mode === 'legacy')
        expect(codexSearches.get('Moderation null.'), 'Codex finds the message without a moderation').to.not.equal(
          '[]',
        );
      if (subAgent !== null)
        process.stdout.write(
          `      subagent_history_start_ordinal ${subAgent.ordinal} on ${subAgent.threadId}: Codex answers ${codexTurns.get(subAgent.threadId)!.length} turns, ` +
            `${codexLists.get(subAgent.threadId)!.length} listed items\n`,
        );
      expect(found).to.deep.equal([]);
    });
  }
});

/** Where in the sub-agent's first turn the start ordinal falls (its lines: task_started, context, Reasoning and AgentMessage items, tokens, task_complete). */
const START_CASES: ReadonlyArray<{
  readonly name: string;
  readonly at: (lines: readonly RawLine[]) => number;
  readonly codex: { turns: number; items: number };
}> = [
  {
    name: 'just after its task_started',
    at: (l) => l.find((x) => x.payload?.type === 'task_started')!.ordinal! + 1,
    codex: { turns: 2, items: 4 },
  },
  {
    name: 'between its two items',
    at: (l) => l.find((x) => x.payload?.type === 'item_completed')!.ordinal! + 1,
    codex: { turns: 2, items: 3 },
  },
  {
    name: 'at its task_complete',
    at: (l) => l.find((x) => x.payload?.type === 'task_complete')!.ordinal!,
    codex: { turns: 2, items: 2 },
  },
];

describe('compat: a sub-agent start ordinal inside the first turn, read by codex app-server 0.169.0 and by ours', function () {
  this.timeout(600_000);
  let root: string;
  before(() => {
    root = freshRoot();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  // Measured 2026-11-26: the lines from the start ordinal on are projected as usual; a turn whose
  // task_started is cut off still shows, from its later lines (its items, or its task_complete alone).
  for (const c of START_CASES) {
    it(`subagent_history_start_ordinal ${c.name}: Codex answers ${c.codex.turns} turns and ${c.codex.items} items, ours the same`, async function () {
      const built = compatHome(await sharedCompatHomes(), 'rich-paginated');
      const copy = join(root, `${built.key}-${START_CASES.indexOf(c)}`);
      cpSync(join(built.codexHome, '..'), copy, { recursive: true, preserveTimestamps: true });
      const home: CompatHome = {
        ...built,
        codexHome: join(copy, relative(join(built.codexHome, '..'), built.codexHome)),
        workDir: join(copy, relative(join(built.codexHome, '..'), built.workDir)),
      };
      for (const f of readdirSync(home.codexHome))
        if (f.startsWith('state_5.sqlite') || f.startsWith('thread_history_1.sqlite')) rmSync(join(home.codexHome, f));
      const sub = editSubAgentStart(home.codexHome, c.at);
      const codex = await openColdCodex(home);
      let theirs: { thread: Record<string, unknown>; turns: TurnRow[]; items: Array<Record<string, unknown>> };
      try {
        // The thread's own fields first, while Codex has not loaded it (loading changes its status,
        // environments and session: mutationHarness.ts's codexViews).
        const cold = (await codex.server.request('thread/read', { threadId: sub.threadId, includeTurns: false })) as {
          thread: Record<string, unknown>;
        };
        await codex.server.request('thread/resume', { threadId: sub.parentId, excludeTurns: true });
        await codex.server.request('thread/resume', { threadId: sub.threadId, excludeTurns: true });
        const read = (await codex.server.request('thread/read', { threadId: sub.threadId, includeTurns: true })) as {
          thread: { turns: TurnRow[] };
        };
        theirs = {
          thread: cold.thread,
          turns: read.thread.turns,
          items: await listAllItems((m, p) => codex.server.request(m, p), sub.threadId),
        };
      } finally {
        await codex.stop();
      }
      const ours = await openEngineServer(home);
      let mine: { thread: Record<string, unknown>; turns: TurnRow[]; items: Array<Record<string, unknown>> };
      try {
        const request = async (method: string, params: unknown): Promise<unknown> => {
          const res = await ours.request(method, params);
          if (!('result' in res)) throw new Error(`ours: ${method}: ${JSON.stringify(res.error)}`);
          return res.result;
        };
        const cold = (await request('thread/read', { threadId: sub.threadId, includeTurns: false })) as {
          thread: Record<string, unknown>;
        };
        const read = (await request('thread/read', { threadId: sub.threadId, includeTurns: true })) as {
          thread: { turns: TurnRow[] };
        };
        mine = { thread: cold.thread, turns: read.thread.turns, items: await listAllItems(request, sub.threadId) };
      } finally {
        await ours.close();
      }
      const ids = (items: Array<Record<string, unknown>>) => items.map((i) => i['id']);
      expect({ turns: theirs.turns.length, items: theirs.items.length }, "Codex's answer").to.deep.equal(c.codex);
      expect({ turns: shapeOf(mine.turns), items: ids(mine.items) }).to.deep.equal({
        turns: shapeOf(theirs.turns),
        items: ids(theirs.items),
      });
      // Every field of the thread itself, its times too: this test rewrote the file and removed
      // Codex's DB, whose backfill dates the thread by the file's mtime, as ours do (issue 69).
      expect(Object.keys(theirs.thread).length, "Codex's thread fields").to.be.above(20);
      expect(mine.thread, 'thread fields').to.deep.equal(theirs.thread);
    });
  }
});
