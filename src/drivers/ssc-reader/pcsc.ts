/**
 * The few parts of @pokusew/pcsclite the driver uses, typed, and loaded only when a PC/SC
 * driver starts: the sim profile and machines without libpcsclite never load the native module.
 * Its quirks, measured: creating a context busy-waits (blocking the event loop) while pcscd is
 * down, so callers check pcscd's socket first; when pcscd dies, readers emit `error` then `end`,
 * the context emits `error`, and nothing recovers by itself. Each reader object runs a status
 * thread; closing it while that thread is between two waits lets the thread end without closing
 * its libuv handle, which then keeps the process alive forever: closeReaders() closes a reader
 * only once it has been quiet for a moment (so its thread sits in the wait that close cancels),
 * and never from inside the library's callbacks (close takes a lock the callback holds).
 */
import { createRequire } from 'node:module';
import { connect } from 'node:net';

export interface PcscReader {
  readonly name: string;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_MUTE: number;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_LEAVE_CARD: number;
  on(event: 'status', listener: (status: { state: number; atr?: Buffer }) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end', listener: () => void): this;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: Error | null | undefined, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null | undefined, response: Buffer) => void): void;
  close(): void;
}

export interface PcscContext {
  on(event: 'reader', listener: (reader: PcscReader) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  close(): void;
}

let factory: (() => PcscContext) | null = null;

/** Creates a PC/SC context. Only call when pcscd's socket answers (see above). */
export function createContext(): PcscContext {
  factory ??= createRequire(import.meta.url)('@pokusew/pcsclite') as () => PcscContext;
  return factory();
}

/** The socket libpcsclite connects to: PCSCLITE_CSOCK_NAME, else pcscd's fixed path. */
export function pcscdSocket(env: NodeJS.ProcessEnv = process.env): string {
  return env.PCSCLITE_CSOCK_NAME || '/run/pcscd/pcscd.comm';
}

/** Whether something accepts connections on the unix socket at `path` (pcscd is up). */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

interface ReaderLife {
  lastStatusAt: number;
  ended: boolean;
}
const lives = new WeakMap<PcscReader, ReaderLife>();

/** Starts tracking a new reader's status and end; call on every reader a context hands out. */
export function trackReader(reader: PcscReader): void {
  const life: ReaderLife = { lastStatusAt: -1, ended: false };
  lives.set(reader, life);
  reader.on('status', () => (life.lastStatusAt = performance.now()));
  reader.on('end', () => (life.ended = true));
  // Errors come before end when pcscd dies; the caller logs them if it wants, this keeps them handled.
  reader.on('error', () => {});
}

/** How long a reader must have been silent before its status thread is surely waiting. */
const QUIET_MS = 30;
/** A reader that never reported in this long is closed anyway. */
const FIRST_STATUS_MS = 2_000;

/** Closes readers safely (see above); resolves when all are closed. */
export async function closeReaders(readers: PcscReader[]): Promise<void> {
  const started = performance.now();
  for (const reader of readers) {
    const life = lives.get(reader);
    for (;;) {
      if (!life || life.ended) break;
      const now = performance.now();
      const quietFor = life.lastStatusAt < 0 ? -1 : now - life.lastStatusAt;
      if (quietFor >= QUIET_MS || (life.lastStatusAt < 0 && now - started > FIRST_STATUS_MS)) break;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    }
    if (life?.ended) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      reader.close();
    } catch {
      // already ended with its context
    }
  }
}
