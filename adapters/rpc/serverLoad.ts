/**
 * How loaded the server is right now, read by the metrics when scraped (`/metrics`). The request
 * scheduler fills it in; until then the counts of `countedMethods` (requests being answered) and
 * of the connections' inboxes (messages received, not yet taken) do.
 */
export interface ServerLoad {
  /** Requests being answered. */
  inFlight(): number;
  /** Requests received and waiting for their turn. */
  queued(): number;
}
