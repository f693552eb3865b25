/**
 * sd_notify: tells systemd (Type=notify) when the terminal is ready, what it is doing (STATUS=),
 * and that its event loop is alive (WATCHDOG=1). Pings come from a real-time interval on the
 * event loop itself — a stalled loop stops them and systemd restarts the daemon — and never from
 * the terminal's clock, which a maintainer may pause.
 */
import { createSocket } from 'unix-dgram';
import type { Logger } from '../log/logger.js';

export class SystemdNotifier {
  private readonly path: string | null;
  private socket: ReturnType<typeof createSocket> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastStatus = '';
  private statusLine: (() => string) | null = null;
  private warned = false;
  private stopped = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
  ) {
    const path = env.NOTIFY_SOCKET ?? null;
    // Abstract-namespace sockets (@name) are not supported by the datagram binding; systemd's
    // own notify socket is a path (/run/systemd/notify).
    if (path?.startsWith('@')) logger.warn({ path }, 'abstract NOTIFY_SOCKET not supported; not notifying systemd');
    this.path = path && !path.startsWith('@') ? path : null;
  }

  get enabled(): boolean {
    return this.path !== null;
  }

  /** Half of WatchdogSec (systemd's advice), or null when no watchdog is asked for. */
  watchdogIntervalMs(): number | null {
    const usec = Number(this.env.WATCHDOG_USEC);
    if (!Number.isFinite(usec) || usec <= 0) return null;
    const pid = this.env.WATCHDOG_PID;
    if (pid && Number(pid) !== process.pid) return null;
    return Math.max(100, Math.floor(usec / 1000 / 2));
  }

  ready(status: string): void {
    this.lastStatus = status;
    this.send(`READY=1\nSTATUS=${status}\nMAINPID=${process.pid}`);
  }

  /**
   * Asks systemd for `ms` more to start (EXTEND_TIMEOUT_USEC) before a long step that blocks the
   * event loop — the first start's model conversion, minutes on a slow board, past TimeoutStartSec:
   * a kill there would restart it from the beginning, every time.
   */
  extendStartup(ms: number, status: string): void {
    this.lastStatus = status;
    this.send(`EXTEND_TIMEOUT_USEC=${Math.round(ms * 1000)}\nSTATUS=${status}`);
  }

  status(text: string): void {
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.send(`STATUS=${text}`);
  }

  /** Pings the watchdog; each ping also refreshes STATUS from `statusLine` when it changed. */
  startWatchdog(statusLine?: () => string): void {
    if (statusLine) this.statusLine = statusLine;
    const every = this.watchdogIntervalMs();
    if (every === null || !this.enabled) return;
    this.timer = setInterval(() => {
      const status = this.statusLine?.();
      if (status && status !== this.lastStatus) {
        this.lastStatus = status;
        this.send(`WATCHDOG=1\nSTATUS=${status}`);
      } else this.send('WATCHDOG=1');
    }, every);
  }

  stopping(): void {
    this.send('STOPPING=1\nSTATUS=stopping');
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.socket?.close();
    this.socket = null;
  }

  private send(message: string): void {
    if (!this.path || this.stopped) return;
    try {
      this.socket ??= createSocket('unix_dgram');
      const buf = Buffer.from(message);
      this.socket.send(buf, 0, buf.length, this.path, (err) => {
        if (err && !this.warned) {
          this.warned = true;
          this.logger.warn({ err: err.message }, 'systemd notify failed');
        }
      });
    } catch (e) {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn({ err: (e as Error).message }, 'systemd notify failed');
      }
    }
  }
}
