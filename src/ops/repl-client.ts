/**
 * `lifecheck repl`: the maintainer's end. On a terminal it is a node:repl with history, tab
 * completion and .help (every command is also a dot-command); fed from a pipe it runs one command
 * per line and prints each answer as a JSON line, for scripts.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import repl from 'node:repl';
import { BUTTON_IDS } from '../machine/types.js';
import { TEST_PERSONS } from '../si-client/test-persons.js';
import { COMMANDS } from './commands.js';
import { OperationalError } from '../lib/errors.js';

type Reply = { id: number; ok: boolean; result?: unknown; error?: string };

export class ReplConnection {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();

  private constructor(private readonly socket: Socket) {
    createInterface({ input: socket, crlfDelay: Infinity }).on('line', (text) => {
      const reply = JSON.parse(text) as Reply;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    socket.on('close', () => {
      for (const done of this.waiting.values()) done({ id: 0, ok: false, error: 'the terminal closed the connection' });
      this.waiting.clear();
    });
  }

  static open(path: string): Promise<ReplConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new ReplConnection(socket)));
      socket.once('error', (e: NodeJS.ErrnoException) => {
        const why =
          e.code === 'EACCES'
            ? 'permission denied (the socket is owner-only; run as the terminal user or a maintainer)'
            : e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
              ? 'no terminal is running there'
              : e.message;
        reject(new OperationalError(`cannot attach to ${path}: ${why}`));
      });
    });
  }

  run(line: string): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.write(JSON.stringify({ id, line }) + '\n');
    });
  }

  close(): void {
    this.socket.end();
  }
}

const SECOND_WORDS: Record<string, string[]> = {
  send: [...BUTTON_IDS.map((b) => `ui.${b}`), 'device.fault', 'device.ok', 'identify.readError', 'vision.faceReady', 'vision.actionPassed', 'vision.faceLost', 'vision.multipleFaces', 'vision.cameraError', 'activity'],
  step: ['next', '1000', '10000', '60000'],
  inject: ['card', 'ssc', 'barcode', 'vision', 'frames', 'si'],
  record: ['start', 'stop'],
};

/** Completes command names, then their first argument (event types, test persons, …). */
export function complete(line: string): [string[], string] {
  const words = line.replace(/^\./, '').split(/\s+/);
  if (words.length <= 1) {
    const hits = COMMANDS.map((c) => c.name).filter((n) => n.startsWith(words[0] ?? ''));
    return [hits, words[0] ?? ''];
  }
  const [cmd, ...rest] = words;
  const last = rest.at(-1) ?? '';
  let options = rest.length === 1 ? (SECOND_WORDS[cmd!] ?? []) : [];
  if (cmd === 'inject' && rest.length === 2 && (rest[0] === 'card' || rest[0] === 'ssc')) options = TEST_PERSONS.map((p) => p.key);
  return [options.filter((o) => o.startsWith(last)), last];
}

function show(reply: Reply): string {
  if (!reply.ok) return `error: ${reply.error}`;
  return typeof reply.result === 'string' ? reply.result : JSON.stringify(reply.result, null, 2);
}

export async function runRepl(path: string, input: NodeJS.ReadStream, output: NodeJS.WritableStream): Promise<number> {
  const connection = await ReplConnection.open(path);
  if (!input.isTTY) {
    // Scripted: one command a line, one JSON answer a line; exit 1 if any failed.
    let failed = false;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      const reply = await connection.run(line);
      if (!reply.ok) failed = true;
      output.write(JSON.stringify(reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error }) + '\n');
    }
    connection.close();
    return failed ? 1 : 0;
  }
  output.write(`attached to ${path}; .help lists the commands, .exit or Ctrl-D leaves\n`);
  const server = repl.start({
    prompt: 'lifecheck> ',
    input,
    output,
    completer: (line: string) => complete(line),
    eval: (cmd, _context, _file, callback) => {
      connection.run(cmd).then(
        (reply) => callback(null, show(reply)),
        (e: Error) => callback(e, undefined),
      );
    },
    writer: (value: unknown) => String(value),
  });
  for (const c of COMMANDS) {
    server.defineCommand(c.name, {
      help: `${c.usage} — ${c.help}`,
      action(args: string) {
        connection.run(`${c.name} ${args}`).then((reply) => {
          this.output.write(show(reply) + '\n');
          this.displayPrompt();
        });
      },
    });
  }
  return new Promise((resolve) => {
    server.on('exit', () => {
      connection.close();
      resolve(0);
    });
  });
}
