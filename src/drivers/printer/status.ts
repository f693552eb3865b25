/**
 * ESC/POS real-time status (DLE EOT n), answered by the printer at once, even mid-job: one byte
 * per question, bits 1 and 4 always set and bits 0 and 7 clear, so a stray byte is recognised.
 */
import type { PrinterProblem } from '../../machine/types.js';

export const ASK_PRINTER = Buffer.from([0x10, 0x04, 0x01]);
export const ASK_OFFLINE_CAUSE = Buffer.from([0x10, 0x04, 0x02]);
export const ASK_PAPER = Buffer.from([0x10, 0x04, 0x04]);

export function isStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

export interface StatusBytes {
  printer: number;
  offlineCause: number;
  paper: number;
}

/** What stops printing, most specific first; null when the printer can print. */
export function problemOf(s: StatusBytes): Exclude<PrinterProblem, 'timeout'> | null {
  if (s.offlineCause & 0x04) return 'cover-open';
  if (s.offlineCause & 0x20 || (s.paper & 0x60) === 0x60) return 'paper-out';
  if (s.offlineCause & 0x40) return 'error';
  if (s.printer & 0x08) return 'offline';
  return null;
}

/** GS r 1 (sent last in every job) answers with the paper sensor: bits 2 and 3 mean no paper. */
export function paperEndAfterJob(b: number): boolean {
  return (b & 0x90) === 0 && (b & 0x0c) !== 0;
}

/** Kernel errors of the usblp device, as the person and the maintainer should hear them. */
export function problemOfErrno(code: string | undefined): Exclude<PrinterProblem, 'timeout' | 'cover-open'> {
  switch (code) {
    case 'ENOENT': // unplugged or switched off: the device node is gone
    case 'ENODEV':
    case 'ENXIO': // a FIFO standing in for the device with nobody reading it
    case 'EBUSY':
      return 'offline';
    case 'ENOSPC': // usblp reports paper out this way
      return 'paper-out';
    default:
      return 'error';
  }
}
