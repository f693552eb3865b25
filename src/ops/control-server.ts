/**
 * The daemon's end of the debug REPL: a Unix socket, owner-only by default (the kernel refuses to
 * connect anyone the socket's mode does not allow), speaking JSON lines:
 *   → {"id": 1, "line": "step next"}
 *   ← {"id": 1, "ok": true, "result": {...}}   or   {"id": 1, "ok": false, "error": "..."}
 * Commands on one connection run one after another.
 */
import { chmod, mkdir, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../log/logger.js';
import { CommandError, runCommand, type CommandContext } from './commands.js';

export interface ControlServerOptions {
  path: string;
  /** File mode of the socket: 0o600 (owner), or 0o660 for a maintainer group set up by the unit. */
  mode: number;
  context: CommandContext;
  logger: Logger;
}

/** Whether something answers on a Unix socket path (a live daemon, not a stale file). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class ControlServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: ControlServerOptions) {}

  async start(): Promise<void> {
    const { path, mode, logger } = this.options;
    await mkdir(dirname(path), { recursive: true, mode: 0o750 });
    if (await answers(path)) throw new Error(`another lifecheck answers on ${path}`);
    await unlink(path).catch(() => {});
    const server = createServer((socket) => this.serve(socket));
    // Create the socket owner-only from the first instant; widen to the configured mode after.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
    } finally {
      process.umask(umask);
    }
    await chmod(path, mode);
    this.server = server;
    logger.info({ path, mode: mode.toString(8) }, 'debug REPL listening');
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.options.path).catch(() => {});
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    let queue = Promise.resolve();
    lines.on('line', (text) => {
      queue = queue.then(() => this.answer(socket, text));
    });
  }

  private async answer(socket: Socket, text: string): Promise<void> {
    let id: unknown = null;
    let reply: Record<string, unknown>;
    try {
      const request = JSON.parse(text) as { id?: unknown; line?: unknown };
      id = request.id ?? null;
      if (typeof request.line !== 'string') throw new CommandError('a request is {"id": N, "line": "command"}');
      reply = { id, ok: true, result: await runCommand(this.options.context, request.line) };
    } catch (e) {
      const message = e instanceof SyntaxError ? `not a JSON request: ${e.message}` : (e as Error).message;
      if (!(e instanceof CommandError) && !(e instanceof SyntaxError)) this.options.logger.warn({ err: (e as Error).message }, 'repl command failed');
      reply = { id, ok: false, error: message };
    }
    if (!socket.destroyed) socket.write(JSON.stringify(reply) + '\n');
  }
}
