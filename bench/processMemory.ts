import * as fs from 'node:fs';

/** A live process's resident set now (VmRSS) and at its peak (VmHWM), in MB (KiB in /proc/PID/status). */
export const residentSetMb = (pid: number): { readonly nowMb: number; readonly peakMb: number } => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { nowMb: mb('VmRSS'), peakMb: mb('VmHWM') };
};
