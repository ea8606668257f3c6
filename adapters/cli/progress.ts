import cliProgress from 'cli-progress';
import type { Progress } from '../indexer/catchUp.js';

const MB = 1024 * 1024;

/**
 * A progress bar on a TTY (stderr): files, MB, MB/s, ETA. Off the TTY it is a no-op, so piped
 * output and `--json` stay clean.
 */
export const progressBar = (enabled: boolean) => {
  if (!enabled) return { update: (_p: Progress) => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: 'indexing {bar} {percentage}% | files {files}/{filesTotal} | {mb}/{mbTotal} MB | {mbps} MB/s | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = Date.now();
  let started = false;
  return {
    update: (p: Progress) => {
      const payload = {
        files: p.filesDone,
        filesTotal: p.filesTotal,
        mb: (p.bytesDone / MB).toFixed(1),
        mbTotal: (p.bytesTotal / MB).toFixed(1),
        mbps: (p.bytesDone / MB / Math.max(0.001, (Date.now() - t0) / 1000)).toFixed(1),
      };
      if (!started) {
        bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
        started = true;
      } else bar.update(p.bytesDone, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
};
