import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { decodeRolloutLine, encodeRolloutLine } from '../../../domain/rollout/line.js';
import {
  LEGACY_RECORD_KIND,
  LEGACY_STATE_KIND,
  detectRolloutFormat,
  upcastEnvelopeLess,
  upcastedLines,
  type UpcastFile,
  type UpcastRolloutLine,
} from '../../../migrations/upcast/envelopeLess.js';

/*
 * Sample files written by hand from the shapes in the public openai/codex history:
 *  - BARE_V1: codex-rs/core/src/rollout.rs @ 89a151f502213bec8140159e728170b0d999eca2
 *    (SessionMeta {id, timestamp, instructions?}, SessionStateSnapshot {previous_response_id?},
 *    only message/local_shell_call/function_call/function_call_output persisted).
 *  - BARE_V2: later codex-rs/core/src/rollout.rs (SessionMetaWithGit: `instructions` serialised as
 *    null, flattened `git`, reasoning persisted, empty state snapshot `{"record_type":"state"}`).
 *  - RECORD_TYPED: codex-rs/core/src/rollout/recorder.rs before the RolloutLine envelope
 *    (`record_type` = session_meta / event / prev_session_meta / state).
 * Ids, paths and texts are invented.
 */
const BARE_V1 = [
  '{"id":"5973b6c0-94b8-487b-a530-2aeb6098ae0e","timestamp":"2025-05-07T17:24:21.123Z","instructions":"Always run the tests before answering."}',
  '{"type":"message","role":"user","content":[{"type":"input_text","text":"list the files in this repo"}]}',
  '{"type":"function_call","name":"shell","arguments":"{\\"command\\":[\\"bash\\",\\"-lc\\",\\"ls\\"]}","call_id":"call_Qx1"}',
  '{"type":"function_call_output","call_id":"call_Qx1","output":"{\\"output\\":\\"README.md\\\\nsrc\\\\n\\",\\"metadata\\":{\\"exit_code\\":0,\\"duration_seconds\\":0.1}}"}',
  '{"type":"message","id":"msg_682b","role":"assistant","content":[{"type":"output_text","text":"Two entries: README.md and src."}]}',
  '{"record_type":"state","previous_response_id":"resp_682b9a"}',
  '{"type":"local_shell_call","id":"lsh_1","call_id":"call_L2","status":"completed","action":{"type":"exec","command":["git","status"],"timeout_ms":null,"working_directory":null,"env":null,"user":null}}',
  '',
];

const BARE_V2 = [
  '{"id":"4f0c1a7e-2b9d-4e63-8f51-0c9a7d2e6b13","timestamp":"2025-08-12T09:15:02.511Z","instructions":null,"git":{"commit_hash":"c0ad6f87dff053ccd740ea7294ff2cac8d452760","branch":"main","repository_url":"git@github.com:acme/app.git"}}',
  '{"type":"message","role":"user","content":[{"type":"input_text","text":"why does the build fail? — café"}]}',
  '{"type":"reasoning","id":"rs_01","summary":[{"type":"summary_text","text":"Looking at the build script"}],"encrypted_content":null}',
  '{"type":"function_call","name":"shell","arguments":"{\\"command\\":[\\"bash\\",\\"-lc\\",\\"npm run build\\"]}","call_id":"call_b1"}',
  '{"type":"function_call_output","call_id":"call_b1","output":"error TS2304"}',
  '{"record_type":"state"}',
  '',
];

const RECORD_TYPED = [
  '{"record_type":"session_meta","id":"7d3e9b2a-1c4f-4a8e-9b6d-5f2a1e0c3b47","timestamp":"2025-09-03T12:00:00.000Z","cwd":"/home/dev/app","originator":"codex_cli_rs","cli_version":"0.30.0","instructions":null}',
  '{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}',
  '{"record_type":"event","id":"0","msg":{"type":"user_message","message":"hi","kind":"plain"}}',
  '{"record_type":"event","id":"0","msg":{"type":"agent_message","message":"Hello!"}}',
  '{"record_type":"prev_session_meta","id":"7d3e9b2a-1c4f-4a8e-9b6d-5f2a1e0c3b47","timestamp":"2025-09-04T08:30:00.000Z","cwd":"/home/dev/app","originator":"codex_cli_rs","cli_version":"0.30.0","instructions":null}',
  '{"record_type":"state"}',
  '{"record_type":"checkpoint","note":"unknown future record"}',
];

const MODERN_FIRST_LINE =
  '{"timestamp":"2026-11-21T14:23:27.514Z","ordinal":0,"type":"session_meta","payload":{"id":"01a1fe7d-9d06-7b61-b807-405b663c9625","timestamp":"2026-11-21T14:23:27.500Z"}}';

const rights = (file: UpcastFile): UpcastRolloutLine[] => {
  for (const l of file.lines) if (E.isLeft(l)) throw new Error(`unexpected Left: ${JSON.stringify(l.left)}`);
  return [...upcastedLines(file)];
};

const ok = (lines: ReadonlyArray<string>, path?: string): UpcastFile => {
  const r = upcastEnvelopeLess(lines, path === undefined ? {} : { path });
  if (E.isLeft(r)) throw new Error(`unexpected Left: ${JSON.stringify(r.left)}`);
  return r.right;
};

describe('migrations/upcast/envelopeLess', () => {
  describe('detectRolloutFormat', () => {
    it('recognises the modern envelope, with or without ordinal', () => {
      expect(detectRolloutFormat(MODERN_FIRST_LINE)).to.equal('envelope');
      expect(detectRolloutFormat('{"timestamp":"t","type":"event_msg","payload":{}}')).to.equal('envelope');
    });
    it('recognises a bare session meta (v1 and v2)', () => {
      expect(detectRolloutFormat(BARE_V1[0] ?? '')).to.equal('envelopeLess');
      expect(detectRolloutFormat(BARE_V2[0] ?? '')).to.equal('envelopeLess');
    });
    it('recognises the record_type session meta', () => {
      expect(detectRolloutFormat(RECORD_TYPED[0] ?? '')).to.equal('recordTyped');
    });
    it('reports empty and unknown first lines', () => {
      expect(detectRolloutFormat('   ')).to.equal('empty');
      expect(detectRolloutFormat('not json')).to.equal('unknown');
      expect(detectRolloutFormat('[1,2]')).to.equal('unknown');
      expect(detectRolloutFormat(BARE_V1[1] ?? '')).to.equal('unknown');
      expect(detectRolloutFormat('{"id":"x"}')).to.equal('unknown');
    });
  });

  describe('bare v1 file', () => {
    const file = ok(BARE_V1, 'sessions/2025/05/07/rollout-2025-05-07T17-24-21-5973b6c0.jsonl');
    const views = rights(file);

    it('identifies the session and yields one view per non-blank line', () => {
      expect(file.format).to.equal('envelopeLess');
      expect(file.sessionId).to.equal('5973b6c0-94b8-487b-a530-2aeb6098ae0e');
      expect(file.baseTimestamp).to.equal('2025-05-07T17:24:21.123Z');
      expect(views.map((v) => v.type)).to.deep.equal([
        'session_meta',
        'response_item',
        'response_item',
        'response_item',
        'response_item',
        LEGACY_STATE_KIND,
        'response_item',
      ]);
      expect(views.map((v) => v.sourceIndex)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    });

    it('keeps the session meta payload verbatim (instructions stays instructions)', () => {
      const meta = views[0];
      expect(meta?.payload).to.deep.equal(JSON.parse(BARE_V1[0] ?? ''));
      expect(meta?.payload).to.not.have.property('base_instructions');
      expect(meta?.upcast?.from).to.equal('bareSessionMeta');
      expect(meta?.upcast?.timestampSource).to.equal('line');
    });

    it('gives every line the session start timestamp and no ordinal', () => {
      for (const v of views) {
        expect(v.timestamp).to.equal('2025-05-07T17:24:21.123Z');
        expect(v.ordinal).to.equal(undefined);
        expect(v.metadata).to.equal(undefined);
      }
      expect(views[1]?.upcast?.timestampSource).to.equal('sessionMeta');
    });

    it('keeps bare items verbatim as response_item payloads', () => {
      expect(views[2]?.payload).to.deep.equal(JSON.parse(BARE_V1[2] ?? ''));
      expect(views[6]?.payload).to.deep.equal(JSON.parse(BARE_V1[6] ?? ''));
      expect(views[6]?.upcast?.from).to.equal('bareResponseItem');
    });

    it('keeps the state snapshot as an unknown kind with the whole object', () => {
      const st = views[5];
      expect(st?.upcast?.from).to.equal('stateSnapshot');
      expect(st?.payload).to.deep.equal({ record_type: 'state', previous_response_id: 'resp_682b9a' });
    });

    it('re-encodes the file byte for byte (raw is the source text)', () => {
      for (const v of views) expect(encodeRolloutLine(v)).to.equal(BARE_V1[v.sourceIndex]);
      const rebuilt = views.map(encodeRolloutLine).join('\n') + '\n';
      expect(rebuilt).to.equal(BARE_V1.join('\n'));
    });

    it('offers a canonical modern encoding that the modern decoder accepts', () => {
      for (const v of views) {
        const modern = decodeRolloutLine(v.upcast?.modernRaw ?? '');
        expect(E.isRight(modern)).to.equal(true);
        if (E.isRight(modern)) {
          expect(modern.right.type).to.equal(v.type);
          expect(modern.right.timestamp).to.equal(v.timestamp);
          expect(modern.right.payload).to.deep.equal(v.payload);
        }
      }
      expect(
        views[0]?.upcast?.modernRaw.startsWith(
          '{"timestamp":"2025-05-07T17:24:21.123Z","type":"session_meta","payload":{"id":',
        ),
      ).to.equal(true);
    });
  });

  describe('bare v2 file (SessionMetaWithGit)', () => {
    const file = ok(BARE_V2);
    const views = rights(file);

    it('keeps git and a null instructions field', () => {
      const payload = views[0]?.payload as Record<string, unknown>;
      expect(payload['instructions']).to.equal(null);
      expect(payload['git']).to.deep.equal({
        commit_hash: 'c0ad6f87dff053ccd740ea7294ff2cac8d452760',
        branch: 'main',
        repository_url: 'git@github.com:acme/app.git',
      });
      expect(payload).to.not.have.property('cwd');
      expect(payload).to.not.have.property('originator');
    });

    it('upcasts reasoning items and the empty state snapshot', () => {
      expect(views[2]?.type).to.equal('response_item');
      expect((views[2]?.payload as { type: string }).type).to.equal('reasoning');
      expect(views[5]?.type).to.equal(LEGACY_STATE_KIND);
      expect(views[5]?.payload).to.deep.equal({ record_type: 'state' });
    });

    it('computes UTF-8 byte offsets of the source lines', () => {
      let off = 0;
      for (let i = 0; i < BARE_V2.length - 1; i++) {
        const v = views.find((x) => x.sourceIndex === i);
        expect(v?.byteOffset).to.equal(off);
        off += Buffer.byteLength(BARE_V2[i] ?? '', 'utf8') + 1;
      }
    });
  });

  describe('record_type file', () => {
    const file = ok(RECORD_TYPED);
    const views = rights(file);

    it('reads the record_type session meta without the tag', () => {
      expect(file.format).to.equal('recordTyped');
      expect(views[0]?.type).to.equal('session_meta');
      expect(views[0]?.payload).to.not.have.property('record_type');
      expect((views[0]?.payload as Record<string, unknown>)['cli_version']).to.equal('0.30.0');
      expect(views[0]?.upcast?.from).to.equal('recordTypedSessionMeta');
    });

    it('turns event records into event_msg with the msg as payload', () => {
      expect(views[2]?.type).to.equal('event_msg');
      expect(views[2]?.payload).to.deep.equal({ type: 'user_message', message: 'hi', kind: 'plain' });
      expect(views[2]?.upcast?.legacyEventId).to.equal('0');
      expect(views[3]?.payload).to.deep.equal({ type: 'agent_message', message: 'Hello!' });
    });

    it('turns prev_session_meta into a session_meta line with its own timestamp', () => {
      expect(views[4]?.type).to.equal('session_meta');
      expect(views[4]?.timestamp).to.equal('2025-09-04T08:30:00.000Z');
      expect(views[4]?.upcast?.from).to.equal('recordTypedPrevSessionMeta');
    });

    it('keeps unknown record types verbatim', () => {
      expect(views[5]?.type).to.equal(LEGACY_STATE_KIND);
      expect(views[6]?.type).to.equal(LEGACY_RECORD_KIND);
      expect(views[6]?.payload).to.deep.equal({ record_type: 'checkpoint', note: 'unknown future record' });
    });
  });

  describe('mixed and odd lines', () => {
    it('passes a line that already has the envelope through unchanged', () => {
      const envelopeLine =
        '{"timestamp":"2025-09-10T10:00:00.000Z","type":"event_msg","payload":{"type":"agent_message","message":"late"}}';
      const views = rights(ok([BARE_V1[0] ?? '', envelopeLine]));
      expect(views[1]?.upcast).to.equal(undefined);
      expect(views[1]?.timestamp).to.equal('2025-09-10T10:00:00.000Z');
      expect(views[1]?.raw).to.equal(envelopeLine);
    });

    it('keeps an item of an unknown type as a response_item', () => {
      const views = rights(ok([BARE_V1[0] ?? '', '{"type":"web_search_call","status":"completed"}']));
      expect(views[1]?.type).to.equal('response_item');
    });

    it('skips blank lines but keeps source indexes', () => {
      const views = rights(ok(['', BARE_V1[0] ?? '', '   ', BARE_V1[1] ?? '']));
      expect(views.map((v) => v.sourceIndex)).to.deep.equal([1, 3]);
      expect(views[1]?.byteOffset).to.equal(1 + Buffer.byteLength(BARE_V1[0] ?? '') + 1 + 4);
    });
  });

  describe('errors as data', () => {
    it('fails an empty file with a Decode error', () => {
      const r = upcastEnvelopeLess(['', '  '], { path: 'p.jsonl' });
      expect(E.isLeft(r) && r.left._tag).to.equal('Decode');
      if (E.isLeft(r) && r.left._tag === 'Decode') expect(r.left.reason).to.equal('empty session file');
    });

    it('refuses a modern file as Unsupported', () => {
      const r = upcastEnvelopeLess([MODERN_FIRST_LINE]);
      expect(E.isLeft(r) && r.left._tag).to.equal('Unsupported');
    });

    it('fails when the first line is not a session meta', () => {
      const r = upcastEnvelopeLess(['', BARE_V1[1] ?? ''], { path: 'p.jsonl' });
      expect(E.isLeft(r)).to.equal(true);
      if (E.isLeft(r) && r.left._tag === 'Decode') {
        expect(r.left.path).to.equal('p.jsonl');
        expect(r.left.line).to.equal(1);
        expect(r.left.byteOffset).to.equal(1);
      } else {
        expect.fail('expected a Decode error');
      }
    });

    it('quarantines a bad line as a Left while the rest upcasts', () => {
      const lines = [
        BARE_V1[0] ?? '',
        '{"type":"function_call","name":"shell","arguments":"{}"}',
        '{not json',
        '42',
        '{"foo":"bar"}',
        BARE_V1[1] ?? '',
      ];
      const file = ok(lines, 'bad.jsonl');
      const tags = file.lines.map((l) => (E.isLeft(l) ? l.left._tag : 'ok'));
      expect(tags).to.deep.equal(['ok', 'Decode', 'Decode', 'Decode', 'Decode', 'ok']);
      const missingCallId = file.lines[1];
      if (missingCallId && E.isLeft(missingCallId) && missingCallId.left._tag === 'Decode') {
        expect(missingCallId.left.line).to.equal(1);
        expect(missingCallId.left.byteOffset).to.equal(Buffer.byteLength(lines[0] ?? '') + 1);
        expect(missingCallId.left.reason).to.contain('function_call');
      } else {
        expect.fail('expected a Decode error for the function_call without call_id');
      }
      expect(upcastedLines(file).map((v) => v.sourceIndex)).to.deep.equal([0, 5]);
    });

    it('rejects an event record without msg', () => {
      const file = ok([RECORD_TYPED[0] ?? '', '{"record_type":"event","id":"1"}']);
      expect(E.isLeft(file.lines[1] ?? E.right(null))).to.equal(true);
    });
  });
});
