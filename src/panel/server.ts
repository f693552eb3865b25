/**
 * The browser panel (`ops.panel.listen`): one static page and one WebSocket. The page shows the
 * terminal's screen as the framebuffer driver draws it (changed rectangles as PNG), sends the
 * pointer as touches into the touch port (the path evdev touches take: hit-test, touch guard), and,
 * on the sim profile with injection allowed, drives the simulated devices through the REPL's own
 * injection. It prints what the terminal says and shows the receipt it printed.
 *
 * Safe by default: it binds where configured (loopback unless a maintainer says otherwise),
 * answers only requests whose Host is the address it listens on (no DNS rebinding) and WebSocket
 * upgrades from its own page (no other web site can drive the terminal from a visitor's browser).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { ListenAddress } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { PROMPTS, type PromptId } from '../audio/prompts.js';
import { layoutButtons, type Rect } from '../screens/layout.js';
import { BUTTON_LABELS, type ScreenView } from '../screens/view.js';
import { TEST_PERSONS } from '../si-client/test-persons.js';
import { renderReceiptSvg } from '../drivers/printer/picture.js';
import type { Receipt } from '../drivers/printer/port.js';
import type { PaperWidth } from '../drivers/printer/receipt-markup.js';
import type { Output } from '../terminal/outputs.js';
import { describeOutput } from '../terminal/demo.js';
import type { MirrorFramebuffer } from './screen.js';
import { PanelActions, PanelActionError, type PanelAction } from './actions.js';
import { encodePng } from './png.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The page: plain HTML and JavaScript, no build step (assets/panel). */
export const PAGE_DIR = join(here, '..', '..', 'assets', 'panel');
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/panel.js': { file: 'panel.js', type: 'text/javascript; charset=utf-8' },
  '/panel.css': { file: 'panel.css', type: 'text/css; charset=utf-8' },
};

/** A frame on the wire: seq (u32), x, y, width, height (u16 each), then the PNG. */
export const FRAME_HEADER = 12;

export interface PanelServerOptions {
  listen: ListenAddress;
  logger: Logger;
  mirror: MirrorFramebuffer;
  /** The device side (null: the screen only, e.g. on the hardware profile). */
  actions: PanelActions | null;
  /** The WAV of a prompt in the terminal's voice, or null when there is none. */
  voice?: (id: PromptId) => Promise<Buffer | null>;
  paper: PaperWidth;
  /** Wait before trying a failed bind again (real time). */
  retryMs?: number;
}

const RETRY_MS = 30_000;
/** Big enough for a 640x480 JPEG from the page's webcam, small enough that nobody floods the daemon. */
const MAX_MESSAGE = 1024 * 1024;

export function addressText(listen: ListenAddress): string {
  return listen.host.includes(':') ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`;
}

function union(a: Rect | null, b: Rect): Rect {
  if (!a) return b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

export interface PanelStats {
  frames: number;
  frameBytes: number;
  encodeMs: number;
  clients: number;
}

export class PanelServer {
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  private readonly clients = new Set<WebSocket>();
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private dirty: Rect | null = null;
  private encoding = false;
  private seq = 0;
  private lastScreenKey = '';
  private lastScreen: Record<string, unknown> | null = null;
  private lastDevices = '';
  private latestView: ScreenView | null = null;
  private readonly transcript: string[] = [];
  private lastReceipt: string | null = null;
  private lastPrompt: Record<string, unknown> | null = null;
  private readonly offMirror: Array<() => void> = [];
  readonly stats: PanelStats = { frames: 0, frameBytes: 0, encodeMs: 0, clients: 0 };
  /** Why the panel is not served right now; null once it is. */
  problem: string | null = null;

  constructor(private readonly options: PanelServerOptions) {
    this.offMirror.push(options.mirror.onChange((rect) => this.changed(rect)));
  }

  /** Resolves once listening, or once the first failure is logged (a retry is then scheduled). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.bind();
  }

  get url(): string | null {
    const port = this.port;
    if (port === null) return null;
    return `http://${addressText({ host: this.options.listen.host, port })}/`;
  }

  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    for (const off of this.offMirror.splice(0)) off();
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** What the terminal visibly did: the transcript, the spoken prompt, the printed receipt. */
  output(o: Output, elapsedMs: number): void {
    const line = describeOutput(o, elapsedMs);
    this.transcript.push(line);
    if (this.transcript.length > 200) this.transcript.shift();
    this.broadcast({ t: 'line', text: line });
    if (o.kind === 'prompt') {
      this.lastPrompt = { t: 'prompt', id: o.id, text: PROMPTS[o.id], audio: this.options.voice ? `/voice/${o.id}.wav` : null };
      this.broadcast(this.lastPrompt);
    }
    if (o.kind === 'receipt') {
      try {
        // The receipt the terminal built is masked already (name, ID number): the printer's picture of it.
        this.lastReceipt = renderReceiptSvg(o.fields as unknown as Receipt, this.options.paper);
        this.broadcast({ t: 'receipt', svg: this.lastReceipt });
      } catch (e) {
        this.options.logger.warn({ err: (e as Error).message }, 'panel: the receipt picture failed');
      }
    }
    if (o.kind === 'session' && o.event === 'started') {
      this.lastReceipt = null;
      this.broadcast({ t: 'receipt', svg: null });
    }
  }

  /** The view the mirror draws: buttons for the page (where to click, what they are called). */
  view(view: ScreenView): boolean {
    this.latestView = view;
    // Nobody watching: worked out when a page connects.
    if (this.clients.size === 0) return false;
    const size = this.options.mirror.size;
    const buttons = layoutButtons(view, size).map((b) => ({ id: b.id, label: BUTTON_LABELS[b.id], enabled: b.enabled, ...b.rect }));
    const message = { t: 'screen', screen: view.screen, mode: view.mode, overlay: view.overlay, buttons };
    const key = JSON.stringify(message);
    if (key === this.lastScreenKey) return false;
    this.lastScreenKey = key;
    this.lastScreen = message;
    this.broadcast(message);
    return true;
  }

  /** Device health as the machine sees it, sent when it changes. */
  devices(health: Record<string, { ok: boolean; reason?: string | null }>): void {
    const key = JSON.stringify(health);
    if (key === this.lastDevices) return;
    this.lastDevices = key;
    this.broadcast({ t: 'devices', devices: health });
  }

  private async bind(): Promise<void> {
    const { listen, logger } = this.options;
    const server = createServer((req, res) => void this.serve(req, res));
    server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').split('?')[0] !== '/ws' || !this.sameOrigin(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => void this.connected(ws));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listen.port, listen.host, () => resolve());
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      const why =
        code === 'EADDRINUSE'
          ? 'the port is in use by another program (another lifecheck run?)'
          : code === 'EADDRNOTAVAIL'
            ? 'no interface of this machine has that address'
            : code === 'EACCES'
              ? 'not allowed to listen there (ports below 1024 need privileges)'
              : (e as Error).message;
      const problem = `ops.panel.listen: cannot listen on ${addressText(listen)}: ${why} (${code}); choose another with LIFECHECK_PANEL_LISTEN=127.0.0.1:PORT, or empty for no panel`;
      if (problem !== this.problem) logger.error({ key: 'ops.panel.listen', code }, `${problem}; the terminal runs without the panel and tries again every ${Math.round((this.options.retryMs ?? RETRY_MS) / 1000)} s`);
      this.problem = problem;
      if (!this.stopped) {
        this.retry = setTimeout(() => void this.bind(), this.options.retryMs ?? RETRY_MS);
        this.retry.unref();
      }
      return;
    }
    if (this.stopped) {
      server.close();
      return;
    }
    this.server = server;
    this.problem = null;
    logger.info({ url: this.url }, 'panel: serving the terminal in a browser');
  }

  /** Host must be the address listened on; a WebSocket's Origin must be this page. */
  private sameOrigin(req: IncomingMessage): boolean {
    const host = req.headers.host ?? '';
    if (!this.allowedHost(host)) return false;
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://${host}`;
  }

  private allowedHost(host: string): boolean {
    const port = this.port;
    const { listen } = this.options;
    const names = [addressText({ host: listen.host, port: port ?? listen.port })];
    if (listen.host === '127.0.0.1' || listen.host === '::1' || listen.host === 'localhost') names.push(`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`);
    return names.includes(host);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const text = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    if (!this.allowedHost(req.headers.host ?? '')) return void text(421, 'unknown host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void text(405, 'GET only\n');
    const file = FILES[path];
    if (file) {
      try {
        const body = await readFile(join(PAGE_DIR, file.file));
        res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; style-src 'self'" });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch (e) {
        text(500, `panel page missing: ${(e as Error).message}\n`);
      }
      return;
    }
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const voice = /^\/voice\/([a-zA-Z0-9_.]+)\.wav$/.exec(path);
    if (voice && this.options.voice && Object.hasOwn(PROMPTS, voice[1]!)) {
      const wav = await this.options.voice(voice[1] as PromptId).catch(() => null);
      if (!wav) return void text(404, 'no sound for this prompt (espeak-ng missing?)\n');
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length, 'cache-control': 'max-age=3600' });
      res.end(req.method === 'HEAD' ? undefined : wav);
      return;
    }
    text(404, 'not found\n');
  }

  private async connected(ws: WebSocket): Promise<void> {
    this.clients.add(ws);
    ws.on('close', () => {
      this.clients.delete(ws);
      this.stats.clients = this.clients.size;
      if (this.clients.size === 0) this.options.mirror.sleep();
    });
    ws.on('error', () => ws.terminate());
    try {
      await this.options.mirror.wake();
    } catch (e) {
      this.options.logger.error({ err: (e as Error).message }, 'panel: the screen mirror cannot start');
      ws.close(1011, 'the screen mirror cannot start');
      return;
    }
    this.stats.clients = this.clients.size;
    const { mirror, actions } = this.options;
    this.send(ws, {
      t: 'hello',
      width: mirror.size.width,
      height: mirror.size.height,
      touch: actions !== null,
      injection: actions?.injection ?? false,
      si: actions?.siFaults ?? 'none',
      webcam: actions?.webcamAllowed ?? false,
      // Fictional test persons only (src/si-client/test-persons.ts).
      persons: TEST_PERSONS.map((p) => ({ key: p.key, name: p.identity.name, eligibility: p.eligibility.status, token: p.token ?? null })),
      printerStates: actions?.printerStates ?? [],
      transcript: this.transcript,
    });
    // The screen's buttons (worked out now if nobody watched when it was drawn).
    const sent = this.latestView ? this.view(this.latestView) : false;
    if (!sent && this.lastScreen) this.send(ws, this.lastScreen);
    if (this.lastDevices) this.send(ws, { t: 'devices', devices: JSON.parse(this.lastDevices) as unknown });
    if (this.lastPrompt) this.send(ws, this.lastPrompt);
    if (this.lastReceipt) this.send(ws, { t: 'receipt', svg: this.lastReceipt });
    // Everyone gets the whole screen once more: one pipeline keeps frames in order for all.
    this.changed({ x: 0, y: 0, width: mirror.size.width, height: mirror.size.height });
    ws.on('message', (data, isBinary) => void this.message(ws, data, isBinary));
  }

  private async message(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      // A webcam frame (JPEG) for the terminal's camera; refused, once per page, where not allowed.
      try {
        this.options.actions?.webcam(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
      } catch (e) {
        if (!this.refusedWebcam.has(ws)) {
          this.refusedWebcam.add(ws);
          this.send(ws, { t: 'answer', id: null, ok: false, error: (e as Error).message });
        }
      }
      return;
    }
    let msg: PanelAction & { id?: unknown };
    try {
      msg = JSON.parse(String(data)) as PanelAction & { id?: unknown };
    } catch {
      this.send(ws, { t: 'answer', id: null, ok: false, error: 'not JSON' });
      return;
    }
    const id = typeof msg.id === 'number' ? msg.id : null;
    const { actions } = this.options;
    try {
      // After every draw so far is on its way: a test or a script then knows which frame shows it.
      if (msg.t === 'ping') return void this.send(ws, { t: 'answer', id, ok: true, result: { seq: await this.settled(), screen: this.latestView?.screen ?? null, webcam: this.options.actions?.webcamStats ?? null } });
      if (!actions) throw new PanelActionError('this panel shows the screen only');
      const result = await actions.run(msg);
      // Touches answer nothing unless asked: the screen is the answer.
      if (id !== null) this.send(ws, { t: 'answer', id, ok: true, result });
    } catch (e) {
      const error = e instanceof PanelActionError ? e.message : `failed: ${(e as Error).message}`;
      this.send(ws, { t: 'answer', id, ok: false, error });
    }
  }

  private changed(rect: Rect): void {
    this.dirty = union(this.dirty, rect);
    void this.pump();
  }

  /**
   * One encoder at a time: while a rectangle is being encoded, later changes gather into one, so a
   * slow page or a busy box gets fewer, larger updates instead of a growing queue.
   */
  private async pump(): Promise<void> {
    if (this.encoding || !this.dirty || this.clients.size === 0) return;
    this.encoding = true;
    const rect = this.dirty;
    this.dirty = null;
    try {
      const started = performance.now();
      const shown = this.options.mirror.shownFrame;
      // Compressed off the event loop (libuv's pool): the terminal keeps serving meanwhile.
      const png = await encodePng(shown.data, shown.stride, rect);
      this.stats.encodeMs += performance.now() - started;
      const header = Buffer.alloc(FRAME_HEADER);
      header.writeUInt32LE(++this.seq, 0);
      header.writeUInt16LE(rect.x, 4);
      header.writeUInt16LE(rect.y, 6);
      header.writeUInt16LE(rect.width, 8);
      header.writeUInt16LE(rect.height, 10);
      const frame = Buffer.concat([header, png]);
      this.stats.frames++;
      this.stats.frameBytes += frame.length;
      for (const ws of this.clients) if (ws.readyState === ws.OPEN) ws.send(frame);
    } catch (e) {
      this.options.logger.warn({ err: (e as Error).message }, 'panel: a screen update failed');
    } finally {
      this.encoding = false;
    }
    if (!this.dirty) for (const resolve of this.idleWaiters.splice(0)) resolve();
    void this.pump();
  }

  private readonly idleWaiters: Array<() => void> = [];
  private readonly refusedWebcam = new WeakSet<WebSocket>();

  /** Resolves with the last frame's number once the draws of this turn are encoded and sent. */
  private async settled(): Promise<number> {
    // The mirror reads back in the turn after a draw (setImmediate): let it.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.encoding || this.dirty) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    return this.seq;
  }

  private send(ws: WebSocket, message: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  private broadcast(message: unknown): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  }
}
