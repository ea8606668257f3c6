// The hostile clients of `hostileMessages.int.spec.ts`, in a process of their own so that masking
// and sending their frames takes nothing from the client whose answers are timed:
// `node hostileSender.js <ws url> <clients> <levels>` opens that many connections, initializes
// each, sends each one frame of `levels` nested arrays, prints `{"sent":true}` once all are
// handed to the sockets, then one line per client: the answer with id null it got, or how it was
// closed; and exits.
import { WebSocket } from 'ws';

const [url, clientsText, levelsText] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: hostileSender <ws url> <clients> <levels>');
const clients = Number(clientsText ?? 2);
const levels = Number(levelsText ?? 8 << 20);

type Outcome = {
  readonly client: number;
  readonly refusal?: unknown;
  readonly closed?: { code: number; reason: string };
};

const connect = async (client: number): Promise<{ ws: WebSocket; outcome: Promise<Outcome> }> => {
  const ws = new WebSocket(url, { maxPayload: 64 << 20 });
  ws.on('error', () => undefined);
  let initialized: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (initialized = resolve));
  const outcome = new Promise<Outcome>((resolve) => {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: unknown };
      if (m.id === 0) initialized();
      else if (m.id === null) resolve({ client, refusal: m });
    });
    ws.on('close', (code, reason) => resolve({ client, closed: { code, reason: reason.toString() } }));
  });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  ws.send(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { clientInfo: { name: 'hostile', version: '0' } },
    }),
  );
  await ready;
  return { ws, outcome };
};

const connected = await Promise.all(Array.from({ length: clients }, (_, i) => connect(i)));
const frame = '['.repeat(levels) + ']'.repeat(levels);
for (const c of connected) c.ws.send(frame);
console.log(JSON.stringify({ sent: true }));
for (const o of await Promise.all(connected.map((c) => c.outcome))) console.log(JSON.stringify(o));
for (const c of connected) c.ws.close();
