/**
 * `lifecheck si-dev`: runs the reference SI service (src/si-dev) on 127.0.0.1, makes its test
 * certificates, and switches faults on a running one. State lives in one directory (default
 * var/si-dev, gitignored): certs/, si.sqlite, and ready.json, written once both listeners are up
 * (URLs and the terminal's certificate files) and removed on exit.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../log/logger.js';
import { ensureDevCerts } from '../si-dev/certs.js';
import { API_OPS, Fault, type FaultInput } from '../si-dev/faults.js';
import { startSiDev } from '../si-dev/server.js';
import { SiDevStore } from '../si-dev/store.js';

const USAGE = `Usage: lifecheck si-dev [serve] [--dir DIR] [--port N] [--admin-port N] [--fresh] [--extra-persons N] [--seed N]
       lifecheck si-dev certs [--dir DIR]
       lifecheck si-dev fault KIND [--rate R] [--op OP]... [--count N] [--latency MS] [--status N] [--body truncated|wrong-shape|html]
       lifecheck si-dev fault list | clear
       lifecheck si-dev stats
  KIND: latency, error, drop, drop-after, malformed, blackhole, stall, wrong-cert, expired-cert, down.
  fault/stats find the running
  service through DIR/ready.json (or --admin URL).
`;

class SiDevUsageError extends Error {}

export interface ReadyInfo {
  url: string;
  adminUrl: string;
  pid: number;
  caFile: string;
  certFile: string;
  keyFile: string;
}

export async function siDevCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    return await run(args, out);
  } catch (e) {
    if (!(e instanceof SiDevUsageError)) throw e;
    err.write(`lifecheck: ${e.message}\n\n${USAGE}`);
    return 2;
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        dir: { type: 'string', default: 'var/si-dev' },
        port: { type: 'string', default: '8443' },
        'admin-port': { type: 'string', default: '8444' },
        fresh: { type: 'boolean' },
        'extra-persons': { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        admin: { type: 'string' },
        rate: { type: 'string' },
        op: { type: 'string', multiple: true },
        count: { type: 'string' },
        latency: { type: 'string' },
        status: { type: 'string' },
        body: { type: 'string' },
      },
    });
  } catch (e) {
    throw new SiDevUsageError((e as Error).message);
  }
}

function int(name: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new SiDevUsageError(`--${name} must be an integer >= ${min} (got '${value}')`);
  return n;
}

async function run(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(args);
  const [sub = 'serve', ...rest] = positionals;
  const dir = resolve(values.dir);
  switch (sub) {
    case 'serve':
      return serve(dir, values, out);
    case 'certs': {
      const files = ensureDevCerts(join(dir, 'certs'));
      out.write(`test certificates in ${files.dir}\n`);
      return 0;
    }
    case 'fault':
      return fault(adminUrl(dir, values.admin), rest, values, out);
    case 'stats': {
      const stats = await admin(adminUrl(dir, values.admin), 'GET', '/stats');
      out.write(JSON.stringify(stats, null, 2) + '\n');
      return 0;
    }
    default:
      throw new SiDevUsageError(`unknown si-dev command '${sub}'`);
  }
}

async function serve(dir: string, values: ReturnType<typeof parse>['values'], out: NodeJS.WritableStream): Promise<number> {
  const logger = createLogger('info');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certs = ensureDevCerts(join(dir, 'certs'));
  const store = new SiDevStore(join(dir, 'si.sqlite'), { fresh: values.fresh ?? false, extraPersons: int('extra-persons', values['extra-persons']) });
  const server = await startSiDev({
    port: int('port', values.port),
    adminPort: int('admin-port', values['admin-port']),
    certs,
    store,
    seed: int('seed', values.seed),
    logger,
  });
  const ready: ReadyInfo = { url: server.url, adminUrl: server.adminUrl, pid: process.pid, caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey };
  const readyFile = join(dir, 'ready.json');
  // Written whole then renamed: a reader never sees half a file.
  writeFileSync(readyFile + '.tmp', JSON.stringify(ready, null, 2) + '\n');
  renameSync(readyFile + '.tmp', readyFile);
  logger.info({ url: server.url, admin: server.adminUrl }, 'si-dev ready');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  rmSync(readyFile, { force: true });
  await server.close();
  store.close();
  out.write('si-dev stopped\n');
  return 0;
}

function adminUrl(dir: string, explicit: string | undefined): string {
  if (explicit) return explicit;
  try {
    return (JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8')) as ReadyInfo).adminUrl;
  } catch {
    throw new SiDevUsageError(`no running si-dev found (${join(dir, 'ready.json')} is missing): start one, or give --admin URL`);
  }
}

async function admin(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new SiDevUsageError('--admin must be a loopback URL');
  const res = await fetch(url, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const answer = (await res.json()) as unknown;
  if (!res.ok) throw new SiDevUsageError(`si-dev admin: ${JSON.stringify(answer)}`);
  return answer;
}

async function fault(base: string, rest: string[], values: ReturnType<typeof parse>['values'], out: NodeJS.WritableStream): Promise<number> {
  const [kind] = rest;
  if (!kind) throw new SiDevUsageError('fault needs a kind, list or clear');
  if (kind === 'list' || kind === 'clear') {
    const answer = await admin(base, kind === 'list' ? 'GET' : 'DELETE', '/faults');
    out.write(JSON.stringify(answer) + '\n');
    return 0;
  }
  const input: FaultInput = { kind: kind as FaultInput['kind'] };
  if (values.rate !== undefined) input.rate = Number(values.rate);
  if (values.op) {
    for (const op of values.op) if (!(API_OPS as readonly string[]).includes(op)) throw new SiDevUsageError(`--op must be one of ${API_OPS.join(', ')}`);
    input.ops = values.op as FaultInput['ops'];
  }
  if (values.count !== undefined) input.count = int('count', values.count, 1);
  if (values.latency !== undefined) input.latencyMs = int('latency', values.latency);
  if (values.status !== undefined) input.status = int('status', values.status, 400);
  if (values.body !== undefined) input.body = values.body as FaultInput['body'];
  const checked = Fault.safeParse(input);
  if (!checked.success) throw new SiDevUsageError(`fault: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const current = ((await admin(base, 'GET', '/faults')) as { faults: FaultInput[] }).faults;
  const answer = await admin(base, 'PUT', '/faults', [...current, input]);
  out.write(JSON.stringify(answer) + '\n');
  return 0;
}
