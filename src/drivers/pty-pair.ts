/**
 * A serial line made of two pseudo-terminals joined by socat: a driver opens `device`, an
 * emulator opens `far`. Killing socat removes both ends, which a driver sees as a USB unplug;
 * a new pair on the same paths is the replug. Used by the tests and by the sim profile's
 * emulated devices.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export class PtyPair {
  private exited: Promise<void>;

  private constructor(
    readonly device: string,
    readonly far: string,
    private readonly socat: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => socat.once('exit', () => resolve()));
  }

  /** Starts socat and resolves once both ends exist (socat says so on stderr); bounded by `timeoutMs`. */
  static open(device: string, far: string, timeoutMs = 5_000): Promise<PtyPair> {
    // socat runs under a shell that waits on our stdin: if this process dies, the pair goes too.
    const script = 'socat -d -d "pty,rawer,link=$1" "pty,rawer,link=$2" </dev/null & p=$!; read _ignored; kill $p 2>/dev/null; wait $p';
    const socat = spawn('sh', ['-c', script, 'pty-pair', device, far], { stdio: ['pipe', 'ignore', 'pipe'] });
    socat.stdin!.on('error', () => {});
    return new Promise((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => {
        socat.stdin!.end();
        reject(new Error(`socat did not make a pty pair within ${timeoutMs} ms: ${log}`));
      }, timeoutMs);
      socat.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`the shell running socat cannot be started: ${e.message}`));
      });
      socat.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited (${code}) before the pty pair was ready (is socat installed?): ${log}`));
      });
      socat.stderr!.on('data', (b: Buffer) => {
        log += b.toString();
        if (log.includes('starting data transfer loop')) {
          clearTimeout(timer);
          socat.removeAllListeners('exit');
          socat.stderr!.removeAllListeners('data');
          socat.stderr!.resume();
          resolve(new PtyPair(device, far, socat));
        }
      });
    });
  }

  /** Removes both ends ("unplug"); resolves when socat is gone and the links with it. */
  async close(): Promise<void> {
    this.socat.stdin!.end();
    await this.exited;
  }
}
