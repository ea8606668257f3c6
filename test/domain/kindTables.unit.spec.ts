// Issue 53 (item 3): every place that handles a kind of line or of item is a table keyed by the
// kind, so a kind added to the decoder or to ThreadItem is a compile error at each place until it
// is handled there. These cases check the same at run time against the lists the tables follow: the
// decoder's line kinds (domain/rollout/lineKinds.ts), its item_completed types (KnownTurnItem),
// ThreadItem's types (and Codex's own, from the schema the pinned binary prints), so a table that
// escaped the compiler (a cast, a partial type) fails here.
import { expect } from 'chai';
import { EVENT_MSG_KINDS, RESPONSE_ITEM_TYPES, TOP_LEVEL_KINDS } from '../../domain/rollout/lineKinds.js';
import { classifyRolloutLine } from '../../domain/rollout/event.js';
import { KNOWN_TURN_ITEM_TYPES } from '../../domain/rollout/kinds/itemCompleted.js';
import { EXTENSION_KINDS } from '../../domain/rollout/kinds/toolCallItems.js';
import { THREAD_ITEM_TYPES } from '../../domain/thread/threadItem.js';
import { TURN_RULES } from '../../domain/thread/turnRules.js';
import { COMPLETED_ITEMS, ITEM_OF_EVENT } from '../../domain/thread/itemEvents.js';
import { PAGINATED_ITEMS } from '../../domain/thread/mapItem.js';
import { CONVERSATION_TEXT } from '../../domain/search/conversationText.js';
import { THREAD_META_RULES } from '../../domain/thread/threadMeta.js';
import { PLUGIN_EVENT_RULES } from '../../domain/plugins/rolloutObservations.js';
import { EVENTS_OF_RESPONSE } from '../../domain/thread/responseMessage.js';
import { TOOL_ITEM_OF_TYPE } from '../../domain/analytics/toolItems.js';
import {
  NEEDED_EVENT_MSGS,
  TOKEN_EVENT_MSGS,
  TOKEN_TOP,
  TOP_LEVEL_READ,
  skipByPrefix,
} from '../../projections/linePrefix.js';
import { TOKEN_RULES } from '../../domain/tokens/responseFold.js';
import { ITEM_TEXT } from '../../adapters/driving/cli/renderHistory.js';
import { makeRolloutLine } from '../../domain/rollout/line.js';
import { answerSchema, CodexSchema } from '../fixtures/codexSchema.js';
import { importViewerModule } from '../fixtures/viewerModule.js';

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

/** Every kind the decoder gives a line, from its own list, and the two it gives a line it does not read. */
const DECODED_KINDS = sorted(
  new Set([...Object.values(TOP_LEVEL_KINDS), ...Object.values(EVENT_MSG_KINDS), 'responseItem']),
);
const EVENT_KINDS = sorted([...DECODED_KINDS, 'other', 'invalid']);

describe('kind tables (issue 53)', () => {
  describe('rollout line kinds: the decoder’s list', () => {
    it('the decoder gives each listed line its kind', () => {
      const payload = { type: 'x' };
      for (const [type, kind] of Object.entries(TOP_LEVEL_KINDS)) {
        const ev = classifyRolloutLine(makeRolloutLine({ timestamp: 't', type, payload }));
        expect([kind, 'invalid'], type).to.include(ev.kind);
      }
      for (const [type, kind] of Object.entries(EVENT_MSG_KINDS)) {
        const ev = classifyRolloutLine(makeRolloutLine({ timestamp: 't', type: 'event_msg', payload: { type } }));
        // An empty payload is invalid for most kinds: what matters is that it is not passed over as `other`.
        expect([kind, 'invalid'], type).to.include(ev.kind);
        expect(ev.kind === 'invalid' ? ev.payloadType : type).to.equal(type);
      }
      for (const type of RESPONSE_ITEM_TYPES)
        expect(
          classifyRolloutLine(makeRolloutLine({ timestamp: 't', type: 'response_item', payload: { type } })).kind,
        ).to.be.oneOf(['responseItem', 'invalid']);
      expect(
        classifyRolloutLine(
          makeRolloutLine({ timestamp: 't', type: 'event_msg', payload: { type: 'exec_command_end' } }),
        ).kind,
      ).to.equal('other');
    });

    it('the turn rules, the search text, the thread’s preview and settings and the plugin facts have an entry for every event kind, and no other', () => {
      expect(sorted(Object.keys(TURN_RULES))).to.deep.equal(EVENT_KINDS);
      expect(sorted(Object.keys(CONVERSATION_TEXT))).to.deep.equal(EVENT_KINDS);
      expect(sorted(Object.keys(THREAD_META_RULES))).to.deep.equal(EVENT_KINDS);
      expect(sorted(Object.keys(PLUGIN_EVENT_RULES))).to.deep.equal(EVENT_KINDS);
      expect(sorted(Object.keys(TOKEN_RULES))).to.deep.equal(EVENT_KINDS);
    });

    it('the early rollouts’ items: an entry for every response item type the decoder reads', () => {
      expect(sorted(Object.keys(EVENTS_OF_RESPONSE))).to.deep.equal(sorted(RESPONSE_ITEM_TYPES));
    });

    it('the item each item event makes: one entry per kind the item rules read', () => {
      const itemRuleKinds = Object.entries(TURN_RULES).flatMap(([kind, rule]) =>
        'family' in rule && rule.family === 'item' ? [kind] : [],
      );
      expect(sorted(Object.keys(ITEM_OF_EVENT))).to.deep.equal(sorted(itemRuleKinds));
    });

    it('the line-prefix filter reads every event message the decoder knows and decides every top-level kind it knows', () => {
      expect(sorted(NEEDED_EVENT_MSGS)).to.deep.equal(sorted(Object.keys(EVENT_MSG_KINDS)));
      expect(sorted(Object.keys(TOP_LEVEL_READ))).to.deep.equal(sorted(Object.keys(TOP_LEVEL_KINDS)));
      const prefix = (type: string, pType: string): string =>
        `{"timestamp":"2026-01-01T00:00:00.000Z","type":"${type}","payload":{"type":"${pType}"`;
      for (const pType of Object.keys(EVENT_MSG_KINDS))
        expect(skipByPrefix(prefix('event_msg', pType)), pType).to.equal(undefined);
      expect(skipByPrefix(prefix('event_msg', 'exec_command_end'))?.kind).to.equal('skipped');
      // A compaction's payload has no type: it is skipped when it begins with its message (one without does not decode).
      const prefixOf = (type: string): string =>
        type === 'compacted'
          ? `{"timestamp":"2026-01-01T00:00:00.000Z","type":"compacted","payload":{"message":"m"`
          : prefix(type, 'x');
      for (const [type, read] of Object.entries(TOP_LEVEL_READ))
        expect(skipByPrefix(prefixOf(type))?.kind, type).to.equal(read === true ? undefined : 'skipped');
    });
  });

  it('the token fold’s lean pass reads by prefix the lines of the kinds its table folds, and the session meta it starts from', () => {
    const wireTypeOf = new Map<string, string>(
      [...Object.entries(TOP_LEVEL_KINDS), ...Object.entries(EVENT_MSG_KINDS)].map(([type, kind]) => [kind, type]),
    );
    const folded = Object.entries(TOKEN_RULES).flatMap(([kind, rule]) =>
      typeof rule === 'function' ? [wireTypeOf.get(kind)!] : [],
    );
    expect(sorted([...TOKEN_TOP, ...TOKEN_EVENT_MSGS])).to.deep.equal(sorted([...folded, 'session_meta']));
  });

  describe('item_completed types: the decoder’s list (KnownTurnItem)', () => {
    it('the paginated mapping, the fold’s legacy choice and the tool-item analytics have an entry for every type, and no other', () => {
      const known = sorted(KNOWN_TURN_ITEM_TYPES);
      expect(sorted(Object.keys(PAGINATED_ITEMS))).to.deep.equal(known);
      expect(sorted(Object.keys(COMPLETED_ITEMS))).to.deep.equal(known);
      expect(sorted(Object.keys(TOOL_ITEM_OF_TYPE))).to.deep.equal(known);
      expect(sorted(Object.keys(COMPLETED_ITEMS.Extension)), 'extension kinds').to.deep.equal(sorted(EXTENSION_KINDS));
    });

    it('each (an extension item by kind) makes an item of a ThreadItem type', () => {
      const { Extension, ...byType } = COMPLETED_ITEMS;
      for (const [type, entry] of [
        ...Object.entries(byType),
        ...Object.entries(Extension).map(([kind, e]) => [`Extension/${kind}`, e] as const),
      ])
        expect(THREAD_ITEM_TYPES, type).to.include(entry.apiType);
    });
  });

  describe('ThreadItem types', () => {
    it('are Codex’s own, as the schema the pinned binary prints lists them', () => {
      const schema = answerSchema.active() ?? CodexSchema.generate();
      expect(sorted(THREAD_ITEM_TYPES)).to.deep.equal(sorted(schema.threadItemTypes));
    });

    it('the CLI’s text has an entry for every type, and no other', () => {
      expect(sorted(Object.keys(ITEM_TEXT))).to.deep.equal(sorted(THREAD_ITEM_TYPES));
    });

    it('the viewer’s item view (also the HTML export), turn marks and Markdown export have an entry for every type, and no other', async () => {
      const itemView = await importViewerModule<{ ITEM_NODES: object; MARK_OF_KIND: object }>('itemView');
      const markdown = await importViewerModule<{ ITEM_MARKDOWN: object }>('threadMarkdown');
      const types = sorted(THREAD_ITEM_TYPES);
      expect(sorted(Object.keys(itemView.ITEM_NODES))).to.deep.equal(types);
      expect(sorted(Object.keys(itemView.MARK_OF_KIND))).to.deep.equal(types);
      expect(sorted(Object.keys(markdown.ITEM_MARKDOWN))).to.deep.equal(types);
    });
  });
});
