/**
 * Reads an input device (evdev /dev/input/event*, or a FIFO in tests) through a `cat` child
 * process. An evdev read blocks until the next event, and a blocked read in Node's thread pool can
 * be neither cancelled (stop() would hang until someone touches the screen or scans) nor afforded
 * (the pool has four threads, shared with the SQLite outbox, crypto and file work); a child's pipe
 * is event-driven and killable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Whether the device is there: a non-blocking open answers at once (also for a FIFO with no writer).
 * Resolves to null when it is, else to the reason.
 */
export async function probeDevice(path: string): Promise<string | null> {
  try {
    await (await open(path, constants.O_RDONLY | constants.O_NONBLOCK)).close();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export class DeviceReader {
  private readonly child: ChildProcess;
  private gone = false;

  /** Starts reading `path`; `onGone` is called once when the device closes or cannot be read. */
  constructor(path: string, onData: (chunk: Buffer) => void, onGone: (reason: string) => void) {
    const child = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-500)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!this.gone) onData(chunk);
    });
    const end = (reason: string) => {
      if (this.gone) return;
      this.gone = true;
      onGone(reason);
    };
    child.once('error', (e) => end(e.message));
    // cat ends cleanly at end of file: the device (or the FIFO's writer) went away.
    child.once('exit', (code, signal) => end(stderr.trim() || (code === 0 ? 'device closed' : `device reader ended (${code ?? signal})`)));
  }

  /** Stops reading; resolves when the child has exited. No onGone after this. */
  async stop(): Promise<void> {
    this.gone = true;
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill();
    await exited;
  }
}
