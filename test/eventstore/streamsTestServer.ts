import * as grpc from '@grpc/grpc-js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';

/**
 * An in-process gRPC server speaking the subset of EventStoreDB's Streams service the
 * `adapters/driven/eventstore/` adapter uses, built from the service code `@eventstore/db-client` ships.
 * It is our reading of the server, written to check the adapter against, not a database:
 *
 * - `Read`: one stream forwards or backwards from start / end / a revision, bounded by `count`;
 *   `$all` forwards from a position with a stream-name prefix filter, as a read or as a catch-up
 *   subscription (confirmation, the past, `caughtUp`, then live events, checkpoints when filtered).
 * - `Append`: the expected revision (exact, `no_stream`, `any`, `stream_exists`) with the server's
 *   idempotency rule: a request whose ids equal the events already stored just past an exact
 *   expected revision succeeds writing nothing; for `any` the same check is best effort (the
 *   ids found at the stream's tail). The request's size (data + metadata) is bounded
 *   (`maximum-append-size-exceeded`, 1 MiB by default as the real server).
 * - `Delete` (soft: reads find no stream, revisions go on) and `Tombstone` (`stream-deleted`).
 * - Faults: commit then drop the answer, answer `UNAVAILABLE` before committing, drop the open subscriptions.
 *
 * `ServerFeatures` is not served (UNIMPLEMENTED): the client then uses `Append`, not `BatchAppend`.
 */
export interface StreamsTestServerOptions {
  readonly maxAppendSize?: number;
  /** Events of a filtered `$all` subscription between two checkpoints. */
  readonly checkpointEvery?: number;
}

export interface StoredEvent {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** Position in `$all` (commit = prepare here). */
  readonly position: number;
}

export interface StreamsTestServerFaults {
  /** The next N appends are committed, then answered UNAVAILABLE (the answer is lost). */
  dropAnswerAfterCommit: number;
  /** The next N appends are refused UNAVAILABLE before anything is written. */
  unavailable: number;
}

export interface StreamsTestServer {
  /** `esdb://127.0.0.1:PORT?tls=false` */
  readonly connectionString: string;
  readonly faults: StreamsTestServerFaults;
  /** Every event stored, in `$all` order. */
  readonly all: () => ReadonlyArray<StoredEvent>;
  /** How many Append calls reached the server. */
  readonly appendCalls: () => number;
  /** End every open `$all` subscription with UNAVAILABLE (a dropped connection); how many there were. */
  readonly dropSubscriptions: () => number;
  readonly stop: () => Promise<void>;
}

const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
/** Positions in `$all` start past 0, as a real log's do. */
const POSITION_STEP = 100;

type ServerStream = grpc.ServerWritableStream<
  InstanceType<typeof streamsPb.ReadReq>,
  InstanceType<typeof streamsPb.ReadResp>
>;
type AppendCall = grpc.ServerReadableStream<
  InstanceType<typeof streamsPb.AppendReq>,
  InstanceType<typeof streamsPb.AppendResp>
>;

const failure = (
  code: grpc.status,
  exception: string,
  fields: Record<string, string>,
  details: string,
): Partial<grpc.StatusObject> => {
  const metadata = new grpc.Metadata();
  metadata.set('exception', exception);
  for (const [k, v] of Object.entries(fields)) metadata.set(k, v);
  return { code, details, metadata };
};

const uuidText = (uuid: InstanceType<typeof sharedPb.UUID> | undefined): string => {
  if (uuid === undefined) return '';
  if (uuid.hasString()) return uuid.getString();
  const s = uuid.getStructured();
  if (s === undefined) return '';
  const buf = Buffer.alloc(16);
  buf.writeBigInt64BE(BigInt(s.getMostSignificantBits()), 0);
  buf.writeBigInt64BE(BigInt(s.getLeastSignificantBits()), 8);
  const hex = buf.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const streamNameOf = (identifier: InstanceType<typeof sharedPb.StreamIdentifier> | undefined): string =>
  identifier === undefined ? '' : Buffer.from(identifier.getStreamName_asU8()).toString('utf8');

const identifierOf = (stream: string): InstanceType<typeof sharedPb.StreamIdentifier> => {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(Buffer.from(stream, 'utf8'));
  return id;
};

const eventResp = (e: StoredEvent, withPosition: boolean): InstanceType<typeof streamsPb.ReadResp> => {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  const id = new sharedPb.UUID();
  id.setString(e.id);
  recorded.setId(id);
  recorded.setStreamIdentifier(identifierOf(e.stream));
  recorded.setStreamRevision(String(e.revision));
  recorded.setPreparePosition(String(e.position));
  recorded.setCommitPosition(String(e.position));
  recorded.getMetadataMap().set('type', e.type);
  recorded.getMetadataMap().set('content-type', e.contentType);
  recorded.getMetadataMap().set('created', String(BigInt(Date.UTC(2026, 0, 1)) * 10_000n));
  recorded.setCustomMetadata(e.customMetadata);
  recorded.setData(e.data);
  const read = new streamsPb.ReadResp.ReadEvent();
  read.setEvent(recorded);
  if (withPosition) read.setCommitPosition(String(e.position));
  else read.setNoPosition(new sharedPb.Empty());
  const resp = new streamsPb.ReadResp();
  resp.setEvent(read);
  return resp;
};

export const startStreamsTestServer = async (options: StreamsTestServerOptions = {}): Promise<StreamsTestServer> => {
  const maxAppendSize = options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
  const checkpointEvery = options.checkpointEvery ?? 32;
  const streams = new Map<string, StoredEvent[]>();
  /** Soft-deleted streams: the revision reads start past (events below it are gone). */
  const deletedBelow = new Map<string, number>();
  const tombstoned = new Set<string>();
  const all: StoredEvent[] = [];
  const faults: StreamsTestServerFaults = { dropAnswerAfterCommit: 0, unavailable: 0 };
  const live = new Set<(e: StoredEvent) => void>();
  const subscriptions = new Set<ServerStream>();
  let appendCalls = 0;

  const visible = (stream: string): StoredEvent[] | undefined => {
    const events = streams.get(stream);
    if (events === undefined) return undefined;
    const below = deletedBelow.get(stream);
    if (below === undefined) return events;
    const rest = events.filter((e) => e.revision >= below);
    return rest.length === 0 ? undefined : rest;
  };

  const readStream = (call: ServerStream, options: InstanceType<typeof streamsPb.ReadReq.Options>): void => {
    const so = options.getStream();
    const stream = streamNameOf(so?.getStreamIdentifier());
    if (tombstoned.has(stream)) {
      call.emit(
        'error',
        failure(
          grpc.status.FAILED_PRECONDITION,
          'stream-deleted',
          { 'stream-name': stream },
          `Event stream '${stream}' is deleted.`,
        ),
      );
      return;
    }
    const events = visible(stream);
    if (events === undefined) {
      const resp = new streamsPb.ReadResp();
      const nf = new streamsPb.ReadResp.StreamNotFound();
      nf.setStreamIdentifier(identifierOf(stream));
      resp.setStreamNotFound(nf);
      call.write(resp);
      call.end();
      return;
    }
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const count = Number(options.getCount());
    const last = events[events.length - 1]!.revision;
    const from =
      so?.hasRevision() === true
        ? Number(so.getRevision())
        : so?.hasEnd() === true
          ? backwards
            ? last
            : last + 1
          : backwards
            ? last
            : 0;
    const picked = backwards
      ? events.filter((e) => e.revision <= from).reverse()
      : events.filter((e) => e.revision >= from);
    for (const e of picked.slice(0, count)) call.write(eventResp(e, false));
    call.end();
  };

  const readAll = (call: ServerStream, options: InstanceType<typeof streamsPb.ReadReq.Options>): void => {
    const ao = options.getAll();
    const prefixes = options.hasFilter() ? (options.getFilter()?.getStreamIdentifier()?.getPrefixList() ?? []) : [];
    const regex = options.hasFilter() ? options.getFilter()?.getStreamIdentifier()?.getRegex() : undefined;
    const matches = (e: StoredEvent): boolean =>
      !e.stream.startsWith('$') &&
      (prefixes.length === 0 || prefixes.some((p) => e.stream.startsWith(p))) &&
      (regex === undefined || regex === '' || new RegExp(regex).test(e.stream)) &&
      !tombstoned.has(e.stream) &&
      (deletedBelow.get(e.stream) ?? 0) <= e.revision;
    // A position names an event already seen: a read starts at it, a subscription just past it.
    const subscription = options.hasSubscription();
    const fromPosition =
      ao?.hasPosition() === true
        ? Number(ao.getPosition()!.getCommitPosition())
        : ao?.hasEnd() === true
          ? Number.POSITIVE_INFINITY
          : -1;
    const after = (e: StoredEvent): boolean => (subscription ? e.position > fromPosition : e.position >= fromPosition);
    if (!subscription) {
      const count = Number(options.getCount());
      for (const e of all.filter((x) => after(x) && matches(x)).slice(0, count)) call.write(eventResp(e, true));
      call.end();
      return;
    }
    const confirmation = new streamsPb.ReadResp();
    const conf = new streamsPb.ReadResp.SubscriptionConfirmation();
    conf.setSubscriptionId(`test-${Math.random().toString(36).slice(2)}`);
    confirmation.setConfirmation(conf);
    call.write(confirmation);
    let sinceCheckpoint = 0;
    const send = (e: StoredEvent): void => {
      if (matches(e)) {
        call.write(eventResp(e, true));
        sinceCheckpoint = 0;
      } else if (options.hasFilter() && ++sinceCheckpoint >= checkpointEvery) {
        sinceCheckpoint = 0;
        const resp = new streamsPb.ReadResp();
        const cp = new streamsPb.ReadResp.Checkpoint();
        cp.setCommitPosition(String(e.position));
        cp.setPreparePosition(String(e.position));
        resp.setCheckpoint(cp);
        call.write(resp);
      }
    };
    for (const e of all) if (after(e)) send(e);
    const caughtUp = new streamsPb.ReadResp();
    caughtUp.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
    call.write(caughtUp);
    live.add(send);
    subscriptions.add(call);
    const stop = (): void => {
      live.delete(send);
      subscriptions.delete(call);
    };
    call.on('cancelled', stop);
    call.on('close', stop);
    call.on('error', stop);
  };

  const read = (call: ServerStream): void => {
    const options = call.request.getOptions();
    if (options === undefined) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'no options' });
      return;
    }
    if (options.hasStream()) readStream(call, options);
    else readAll(call, options);
  };

  /** What the server answers an append: success at a revision, or the stream's current revision. */
  const commit = (
    stream: string,
    opts: InstanceType<typeof streamsPb.AppendReq.Options>,
    messages: ReadonlyArray<InstanceType<typeof streamsPb.AppendReq.ProposedMessage>>,
  ): { ok: true; revision: number; position: number } | { ok: false; current: number } => {
    const events = streams.get(stream) ?? [];
    const current = events.length === 0 ? -1 : events[events.length - 1]!.revision;
    const ids = messages.map((m) => uuidText(m.getId()));
    const storedFrom = (revision: number): StoredEvent[] =>
      events.filter((e) => e.revision >= revision).slice(0, ids.length);
    const sameIds = (stored: ReadonlyArray<StoredEvent>): boolean =>
      stored.length === ids.length && stored.every((e, i) => e.id === ids[i]);
    const lastPosition = (): number => events[events.length - 1]?.position ?? 0;
    let expected: number | 'any' | 'exists';
    if (opts.hasRevision()) expected = Number(opts.getRevision());
    else if (opts.hasNoStream()) expected = -1;
    else if (opts.hasStreamExists()) expected = 'exists';
    else expected = 'any';
    if (typeof expected === 'number' && expected !== current) {
      // Idempotent retry: exactly these ids were written just past the expected revision.
      if (expected < current && ids.length > 0 && sameIds(storedFrom(expected + 1)))
        return { ok: true, revision: expected + ids.length, position: lastPosition() };
      return { ok: false, current };
    }
    if (expected === 'exists' && current < 0) return { ok: false, current };
    if (expected === 'any' && ids.length > 0) {
      const at = events.findIndex((e) => e.id === ids[0]);
      if (at >= 0 && sameIds(events.slice(at, at + ids.length)))
        return { ok: true, revision: events[at]!.revision + ids.length - 1, position: lastPosition() };
    }
    const stored = streams.get(stream) ?? [];
    streams.set(stream, stored);
    let revision = current;
    for (const m of messages) {
      revision += 1;
      const meta = m.getMetadataMap();
      const e: StoredEvent = {
        stream,
        revision,
        id: uuidText(m.getId()),
        type: meta.get('type') ?? '',
        contentType: meta.get('content-type') ?? 'application/octet-stream',
        data: Uint8Array.from(m.getData_asU8()),
        customMetadata: Uint8Array.from(m.getCustomMetadata_asU8()),
        position: (all.length + 1) * POSITION_STEP,
      };
      stored.push(e);
      all.push(e);
      for (const send of live) send(e);
    }
    return { ok: true, revision, position: lastPosition() };
  };

  const append = (call: AppendCall, callback: grpc.sendUnaryData<InstanceType<typeof streamsPb.AppendResp>>): void => {
    appendCalls += 1;
    let opts: InstanceType<typeof streamsPb.AppendReq.Options> | undefined;
    const messages: InstanceType<typeof streamsPb.AppendReq.ProposedMessage>[] = [];
    let size = 0;
    let done = false;
    const answer = (err: Partial<grpc.StatusObject> | null, resp?: InstanceType<typeof streamsPb.AppendResp>): void => {
      if (done) return;
      done = true;
      callback(err, resp);
    };
    call.on('data', (req: InstanceType<typeof streamsPb.AppendReq>) => {
      if (req.hasOptions()) opts = req.getOptions();
      const m = req.getProposedMessage();
      if (m === undefined) return;
      messages.push(m);
      size += m.getData_asU8().length + m.getCustomMetadata_asU8().length;
    });
    call.on('error', () => answer({ code: grpc.status.CANCELLED, details: 'cancelled' }));
    call.on('end', () => {
      if (opts === undefined) return answer({ code: grpc.status.INVALID_ARGUMENT, details: 'no options' });
      const stream = streamNameOf(opts.getStreamIdentifier());
      if (faults.unavailable > 0) {
        faults.unavailable -= 1;
        return answer({ code: grpc.status.UNAVAILABLE, details: 'Server Is Not Ready' });
      }
      if (size > maxAppendSize)
        return answer(
          failure(
            grpc.status.INVALID_ARGUMENT,
            'maximum-append-size-exceeded',
            { 'maximum-append-size': String(maxAppendSize) },
            `Maximum Append Size of ${maxAppendSize} Exceeded.`,
          ),
        );
      if (tombstoned.has(stream))
        return answer(
          failure(
            grpc.status.FAILED_PRECONDITION,
            'stream-deleted',
            { 'stream-name': stream },
            `Event stream '${stream}' is deleted.`,
          ),
        );
      const result = commit(stream, opts, messages);
      const resp = new streamsPb.AppendResp();
      if (result.ok) {
        if (faults.dropAnswerAfterCommit > 0) {
          faults.dropAnswerAfterCommit -= 1;
          return answer({ code: grpc.status.UNAVAILABLE, details: 'connection dropped' });
        }
        const success = new streamsPb.AppendResp.Success();
        success.setCurrentRevision(String(result.revision));
        const position = new streamsPb.AppendResp.Position();
        position.setCommitPosition(String(result.position));
        position.setPreparePosition(String(result.position));
        success.setPosition(position);
        resp.setSuccess(success);
      } else {
        const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
        if (result.current < 0) wrong.setCurrentNoStream(new sharedPb.Empty());
        else wrong.setCurrentRevision(String(result.current));
        if (opts.hasRevision()) wrong.setExpectedRevision(opts.getRevision());
        else if (opts.hasNoStream()) wrong.setExpectedNoStream(new sharedPb.Empty());
        else if (opts.hasStreamExists()) wrong.setExpectedStreamExists(new sharedPb.Empty());
        else wrong.setExpectedAny(new sharedPb.Empty());
        resp.setWrongExpectedVersion(wrong);
      }
      answer(null, resp);
    });
  };

  type DeleteOptions =
    InstanceType<typeof streamsPb.DeleteReq.Options> | InstanceType<typeof streamsPb.TombstoneReq.Options>;
  /** The expected revision of a delete or tombstone, checked as an append's is. */
  const deletable = (opts: DeleteOptions): { stream: string; error?: Partial<grpc.StatusObject> } => {
    const stream = streamNameOf(opts.getStreamIdentifier());
    const events = visible(stream);
    const current = events === undefined ? -1 : events[events.length - 1]!.revision;
    const expected = opts.hasRevision() ? Number(opts.getRevision()) : opts.hasNoStream() ? -1 : undefined;
    if (tombstoned.has(stream))
      return {
        stream,
        error: failure(
          grpc.status.FAILED_PRECONDITION,
          'stream-deleted',
          { 'stream-name': stream },
          `Event stream '${stream}' is deleted.`,
        ),
      };
    if (expected !== undefined && expected !== current)
      return {
        stream,
        error: failure(
          grpc.status.FAILED_PRECONDITION,
          'wrong-expected-version',
          {
            'stream-name': stream,
            'expected-version': String(expected),
            ...(current < 0 ? {} : { 'actual-version': String(current) }),
          },
          `Append failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expected}, Actual version: ${current}`,
        ),
      };
    return { stream };
  };

  const positionResp = <
    R extends InstanceType<typeof streamsPb.DeleteResp> | InstanceType<typeof streamsPb.TombstoneResp>,
  >(
    resp: R,
    at: number,
  ): R => {
    const position = new (
      resp instanceof streamsPb.DeleteResp ? streamsPb.DeleteResp.Position : streamsPb.TombstoneResp.Position
    )();
    position.setCommitPosition(String(at));
    position.setPreparePosition(String(at));
    resp.setPosition(position as never);
    return resp;
  };

  const server = new grpc.Server();
  server.addService(streamsGrpc.StreamsService, {
    read,
    append,
    delete: (
      call: grpc.ServerUnaryCall<InstanceType<typeof streamsPb.DeleteReq>, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const checked = deletable(call.request.getOptions()!);
      if (checked.error !== undefined) return callback(checked.error);
      const events = streams.get(checked.stream) ?? [];
      deletedBelow.set(checked.stream, (events[events.length - 1]?.revision ?? -1) + 1);
      callback(null, positionResp(new streamsPb.DeleteResp(), all.length * POSITION_STEP));
    },
    tombstone: (
      call: grpc.ServerUnaryCall<InstanceType<typeof streamsPb.TombstoneReq>, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const checked = deletable(call.request.getOptions()!);
      if (checked.error !== undefined) return callback(checked.error);
      tombstoned.add(checked.stream);
      callback(null, positionResp(new streamsPb.TombstoneResp(), all.length * POSITION_STEP));
    },
    batchAppend: (call: grpc.ServerDuplexStream<unknown, unknown>) =>
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'BatchAppend is not served' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err === null ? resolve(p) : reject(err),
    ),
  );
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    faults,
    all: () => all,
    appendCalls: () => appendCalls,
    dropSubscriptions: () => {
      const open = [...subscriptions];
      subscriptions.clear();
      live.clear();
      for (const call of open) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection dropped' });
      return open.length;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        live.clear();
        server.tryShutdown(() => resolve());
        // Open subscriptions would hold a graceful shutdown forever.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
};
