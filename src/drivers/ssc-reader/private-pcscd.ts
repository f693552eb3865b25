/**
 * A pcscd of our own with vsmartcard's virtual readers, for tests and the sim profile's emulated
 * card reader. pcscd always serves /run/pcscd/pcscd.comm, so it runs in a private mount namespace
 * (unshare; a user namespace too when not root) where a directory of ours is mounted over
 * /run/pcscd. Clients reach it through PCSCLITE_CSOCK_NAME=<dir>/pcscd.comm; the system's pcscd,
 * if any, is not touched. The vpcd readers listen on a free TCP port pair of ours, so several
 * can run side by side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { socketAnswers } from './pcsc.js';

const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
/** Names vpcd gives its two readers. */
export const VPCD_READERS = ['Virtual PCD 00 00', 'Virtual PCD 00 01'] as const;

function pcscdBinary(): string {
  for (const p of ['/usr/sbin/pcscd', '/sbin/pcscd']) if (existsSync(p)) return p;
  return 'pcscd';
}

/** The kernel's ephemeral port range: where listen(0) and outgoing connections' source ports come from. */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return { low, high };
  } catch {
    // not Linux, or no /proc: the usual default
  }
  return { low: 32_768, high: 60_999 };
}

/**
 * A TCP port P with P+1 free too (vpcd listens on both), taken from below the ephemeral range: the
 * pair is reused when pcscd restarts, and while it is down any outgoing connection of another test
 * could otherwise get P as its source port, and pcscd could not listen there again.
 */
async function freePortPair(): Promise<number> {
  const listen = (port: number) =>
    new Promise<import('node:net').Server | null>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(null));
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
  const top = ephemeralRange().low - 2;
  const bottom = Math.max(1_024, top - 10_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = bottom + Math.floor(Math.random() * (top - bottom));
    const first = await listen(port);
    if (!first) continue;
    const second = await listen(port + 1);
    await new Promise((r) => first.close(r));
    if (second) {
      await new Promise((r) => second.close(r));
      return port;
    }
  }
  throw new Error('no free TCP port pair for vpcd');
}

export interface PrivatePcscdOptions {
  /** Holds the config and the socket directory; default: a new temporary directory, removed by close(). */
  dir?: string;
  /** vpcd's first reader port (the second is port + 1); default: a free pair. */
  port?: number;
  timeoutMs?: number;
  /** pcscd logs every APDU and debug line (see `output`). */
  debug?: boolean;
}

export class PrivatePcscd {
  private child: ChildProcess | null = null;
  private pcscdPid: number | null = null;
  private log = '';

  private constructor(
    readonly dir: string,
    /** vpcd's first reader listens here, the second on port + 1. */
    readonly port: number,
    private readonly timeoutMs: number,
    private readonly debug: boolean,
    private readonly ownsDir: boolean,
  ) {}

  static async start(options: PrivatePcscdOptions): Promise<PrivatePcscd> {
    const port = options.port ?? (await freePortPair());
    const own = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'lifecheck-pcscd-'));
    const d = new PrivatePcscd(dir, port, options.timeoutMs ?? 10_000, options.debug ?? false, own);
    await d.start();
    return d;
  }

  get runDir(): string {
    return join(this.dir, 'run');
  }

  /** Where clients connect: give it to them as PCSCLITE_CSOCK_NAME. */
  get socketPath(): string {
    return join(this.runDir, 'pcscd.comm');
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts pcscd (again, after stop or kill) and resolves when its socket answers. */
  async start(): Promise<void> {
    if (this.child) return;
    const conf = join(this.dir, 'reader.conf.d');
    mkdirSync(conf, { recursive: true });
    // A pcscd killed with SIGKILL leaves its socket and pid file: clear them, they are ours.
    rmSync(this.runDir, { recursive: true, force: true });
    mkdirSync(this.runDir, { recursive: true });
    const channel = `0x${this.port.toString(16).toUpperCase()}`;
    writeFileSync(join(conf, 'vpcd'), `FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:${channel}\nLIBPATH      ${VPCD_DRIVER}\nCHANNELID    ${channel}\n`);
    // pcscd runs in the background of a shell that waits on our stdin: when the Node process
    // that started it ends in any way (even SIGKILL), stdin closes and the shell stops pcscd.
    const script = [
      'mount -t tmpfs tmpfs /run && mkdir /run/pcscd && mount --bind "$1" /run/pcscd || exit 71',
      '"$2" --foreground --config "$3" $4 </dev/null &',
      'pid=$!',
      'echo "pcscd-pid $pid"',
      'read _ignored',
      'kill -TERM $pid 2>/dev/null',
      'wait $pid',
    ].join('\n');
    const ns = process.getuid?.() === 0 ? ['--mount'] : ['--user', '--map-root-user', '--mount'];
    const child = spawn('unshare', [...ns, '--propagation', 'private', 'sh', '-c', script, 'pcscd', this.runDir, pcscdBinary(), conf, this.debug ? '--debug --apdu' : ''], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.log = '';
    this.pcscdPid = null;
    const keep = this.debug ? 200_000 : 4_000;
    child.stdout!.on('data', (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-keep);
      this.pcscdPid ??= Number(/pcscd-pid (\d+)/.exec(this.log)?.[1]) || null;
    });
    child.stderr!.on('data', (b: Buffer) => (this.log = (this.log + b.toString()).slice(-keep)));
    child.stdin!.on('error', () => {});
    this.child = child;
    let exited: string | null = null;
    child.once('error', (e) => (exited = `cannot start unshare: ${e.message}`));
    child.once('exit', (code, signal) => {
      exited ??= `exited (${code ?? signal})`;
      if (this.child === child) this.child = null;
    });
    // Readiness: poll the socket until pcscd accepts on it, within the deadline.
    const deadline = Date.now() + this.timeoutMs;
    while (!(await socketAnswers(this.socketPath))) {
      if (exited !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        if (this.pcscdPid) process.kill(this.pcscdPid, 'SIGKILL');
        throw new Error(`private pcscd did not come up (${exited ?? 'timeout'}); unshare needs root or user namespaces. Log:\n${this.log}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Stops pcscd the way a service stop does (SIGTERM), or kills it at once (SIGKILL: it leaves
   * its socket behind, as a crash would). Resolves when it is gone.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (signal === 'SIGKILL' && this.pcscdPid) {
      try {
        process.kill(this.pcscdPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child.stdin!.end();
    await gone;
    this.child = null;
  }

  /** The last lines pcscd wrote (for a failing test's message). */
  get output(): string {
    return this.log;
  }

  /** Stops pcscd and removes the directory if it was made for it. */
  async close(): Promise<void> {
    await this.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** pcscd's process id while it runs. */
  get pid(): number | null {
    return this.child ? this.pcscdPid : null;
  }
}
