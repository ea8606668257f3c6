import { expect } from 'chai';
import { foldLines } from '../../fixtures/foldLines.js';

// An extension's item (codex-rs/protocol/src/items.rs `TurnItem::Extension`, its `ExtensionItem`
// tagged by `kind`): the clock's sleep as Codex 0.169.0 writes it (the compat items scenario, both
// history modes) and shows it (`sleep`, with the line's times); the web search and image
// generation as 0.169.0 reads lines written for them (paginated only: test/compat/passThroughFields);
// a kind this version has no wrapper for is not shown (and not reported as a broken line).
const TURN = 'turn-1';
const line = (type: string, payload: Record<string, unknown>): string =>
  JSON.stringify({ timestamp: '2026-11-25T14:11:35.606Z', type, payload });
const completed = (item: Record<string, unknown>): string =>
  line('event_msg', {
    type: 'item_completed',
    turn_id: TURN,
    item,
    started_at_ms: 1795615895606,
    completed_at_ms: 1795615895613,
  });
const turnOf = (mode: 'paginated' | 'legacy', lines: string[]) =>
  foldLines(mode, [
    line('event_msg', { type: 'task_started', turn_id: TURN }),
    ...lines,
    line('event_msg', { type: 'task_complete', turn_id: TURN }),
  ]);

describe('extension items', () => {
  for (const mode of ['paginated', 'legacy'] as const) {
    it(`shows a clock.sleep item as a sleep (${mode})`, () => {
      const [turn] = turnOf(mode, [
        completed({ type: 'Extension', kind: 'clock.sleep', id: 'call_sleep_1', durationMs: 5 }),
      ]);
      expect(turn!.items).to.deep.equal([
        { type: 'sleep', id: 'call_sleep_1', durationMs: 5, startedAtMs: 1795615895606, completedAtMs: 1795615895613 },
      ]);
    });
  }

  it('shows a web search and an image generation item in a paginated thread, and neither in a legacy one (0.169.0, measured)', () => {
    const search = {
      type: 'Extension',
      kind: 'web.search',
      id: 'ws_1',
      query: 'q',
      action: { type: 'openPage', url: 'https://example.com' },
    };
    const image = {
      type: 'Extension',
      kind: 'image_gen.generation',
      id: 'ig_1',
      status: 'completed',
      result: 'cG5n',
      savedPath: '/tmp/./a.png',
    };
    const times = { startedAtMs: 1795615895606, completedAtMs: 1795615895613 };
    expect(turnOf('paginated', [completed(search), completed(image)])[0]!.items).to.deep.equal([
      {
        type: 'webSearch',
        id: 'ws_1',
        query: 'q',
        action: { type: 'openPage', url: 'https://example.com' },
        results: null,
        ...times,
      },
      {
        type: 'imageGeneration',
        id: 'ig_1',
        status: 'completed',
        revisedPrompt: null,
        result: 'cG5n',
        transparentBackground: null,
        failure: null,
        savedPath: '/tmp/a.png',
        generationId: null,
        ...times,
      },
    ]);
    expect(turnOf('legacy', [completed(search), completed(image)])[0]?.items ?? []).to.deep.equal([]);
  });

  it('passes over an extension kind it does not render', () => {
    const turns = turnOf('paginated', [completed({ type: 'Extension', kind: 'workflow.step', id: 'x', payload: {} })]);
    expect(turns[0]?.items ?? []).to.deep.equal([]);
  });
});
