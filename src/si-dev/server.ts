/**
 * `lifecheck si-dev`: a reference SI service for development and tests. HTTPS on 127.0.0.1 that
 * asks for and checks the terminal's client certificate against its CA, the API of
 * docs/si-api.md over SQLite, and fault injection switched at run time through a plain-HTTP admin
 * API on another loopback port (so it still answers while the SI "is down").
 */
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log/logger.js';
import {
  describeIssues,
  HistoryRequest,
  IDEMPOTENCY_HEADER,
  IdempotencyKey,
  LookupRequest,
  Paths,
  ResolveTokenRequest,
  SubmitRequestBody,
} from '../si-client/schema.js';
import { readPem, type DevCertFiles } from './certs.js';
import { FaultPlan, type ApiOp, type Drawn, type FaultInput } from './faults.js';
import type { SiDevStore } from './store.js';

/** Never anything but loopback: this is a test service. */
const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface SiDevOptions {
  port: number;
  adminPort: number;
  certs: DevCertFiles;
  store: SiDevStore;
  seed: number;
  logger: Logger;
}

export interface RequestEvent {
  op: ApiOp | null;
  /** 'held': black-holed or stalled, never finished by the SI. */
  status: number | 'dropped' | 'held';
  ms: number;
}

const ROUTES: Record<string, ApiOp> = {
  [`GET ${Paths.health}`]: 'health',
  [`POST ${Paths.lookup}`]: 'lookup',
  [`POST ${Paths.resolveToken}`]: 'resolveToken',
  [`POST ${Paths.history}`]: 'history',
  [`POST ${Paths.submit}`]: 'submit',
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class SiDev extends EventEmitter<{ request: [RequestEvent] }> {
  readonly faults: FaultPlan;
  /** Requests seen per operation (including those a fault answered). */
  readonly requests: Record<string, number> = {};
  private readonly https: HttpsServer;
  private readonly admin: HttpServer;
  private port = 0;
  private adminPort = 0;
  private listening = false;
  private readonly goodContext;
  private readonly rogueContext;
  private readonly expiredContext;

  constructor(private readonly options: SiDevOptions) {
    super();
    const c = options.certs;
    this.goodContext = { key: readPem(c.serverKey), cert: readPem(c.serverCert), ca: readPem(c.caCert) };
    this.rogueContext = { key: readPem(c.rogueServerKey), cert: readPem(c.rogueServerCert), ca: readPem(c.caCert) };
    this.expiredContext = { key: readPem(c.expiredServerKey), cert: readPem(c.expiredServerCert), ca: readPem(c.caCert) };
    this.faults = new FaultPlan(options.seed);
    this.https = createHttpsServer({ ...this.goodContext, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, (req, res) => void this.handle(req, res));
    this.https.keepAliveTimeout = 5_000;
    this.https.on('tlsClientError', (err) => options.logger.debug({ code: (err as NodeJS.ErrnoException).code }, 'TLS handshake refused'));
    this.admin = createHttpServer((req, res) => void this.handleAdmin(req, res));
  }

  get url(): string {
    return `https://${HOST}:${this.port}`;
  }

  get adminUrl(): string {
    return `http://${HOST}:${this.adminPort}`;
  }

  get store(): SiDevStore {
    return this.options.store;
  }

  async start(): Promise<void> {
    this.port = await listen(this.https, this.options.port);
    this.listening = true;
    this.adminPort = await listen(this.admin, this.options.adminPort);
  }

  async close(): Promise<void> {
    await this.goDown();
    this.admin.closeAllConnections();
    await new Promise<void>((resolve) => this.admin.close(() => resolve()));
  }

  /** Replaces the active faults; service-wide ones (wrong-cert, expired-cert, down) take effect at once. */
  async setFaults(faults: FaultInput[]): Promise<void> {
    const contextBefore = this.context();
    this.faults.set(faults);
    if (this.context() !== contextBefore) {
      this.https.setSecureContext(this.context());
      // Connections kept alive would still speak with the old certificate: close them.
      this.https.closeAllConnections();
    }
    if (this.faults.has('down')) await this.goDown();
    else if (!this.listening) {
      await listen(this.https, this.port);
      this.listening = true;
    }
    this.options.logger.info({ faults: this.faults.list().map((f) => f.kind) }, 'faults set');
  }

  /** The certificate the service presents under the faults set now. */
  private context() {
    if (this.faults.has('expired-cert')) return this.expiredContext;
    return this.faults.has('wrong-cert') ? this.rogueContext : this.goodContext;
  }

  private async goDown(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.https.close(() => resolve()));
    this.https.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? '').split('?')[0];
    const op = ROUTES[`${req.method} ${path}`] ?? null;
    if (op) this.requests[op] = (this.requests[op] ?? 0) + 1;
    const done = (status: RequestEvent['status']) => {
      const ms = performance.now() - started;
      this.options.logger.info({ op, status, ms: Math.round(ms) }, 'si request');
      this.emit('request', { op, status, ms });
    };
    try {
      if (!op) throw new HttpProblem(404, 'not-found', 'no such operation');
      const body = await readBody(req);
      const fault = this.faults.draw(op);
      if (fault.drop === 'before') return drop(req, done);
      // Taken and never answered: the connection stays open until the client gives up.
      if (fault.blackhole) return done('held');
      if (fault.status !== null) throw new HttpProblem(fault.status, 'injected', 'injected failure');
      const answer = this.answer(op, body, req);
      if (fault.drop === 'after') return drop(req, done);
      if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.malformed) return sendMalformed(res, fault.malformed, done);
      if (fault.stall) return sendHalf(res, answer, done);
      send(res, 200, answer);
      done(200);
    } catch (e) {
      const p = e instanceof HttpProblem ? e : new HttpProblem(500, 'internal', 'internal error');
      if (!(e instanceof HttpProblem)) this.options.logger.error({ op, err: (e as Error).message }, 'si-dev failed on a request');
      send(res, p.status, { error: { code: p.code, message: p.message } });
      done(p.status);
    }
  }

  private answer(op: ApiOp, raw: Buffer, req: IncomingMessage): unknown {
    if (op === 'health') return { status: 'ok' };
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpProblem(400, 'not-json', 'the request body is not JSON');
    }
    const store = this.options.store;
    switch (op) {
      case 'lookup':
        return store.lookup(parse(LookupRequest, body));
      case 'resolveToken':
        return store.resolveToken(parse(ResolveTokenRequest, body).token);
      case 'history': {
        const h = parse(HistoryRequest, body);
        return store.history(h.idNumber, h.fromYear, h.toYear);
      }
      case 'submit': {
        const key = IdempotencyKey.safeParse(req.headers[IDEMPOTENCY_HEADER]);
        if (!key.success) throw new HttpProblem(400, 'idempotency-key', `header ${IDEMPOTENCY_HEADER} ${describeIssues(key.error)}`);
        const s = parse(SubmitRequestBody, body);
        const result = store.submit(key.data, s, Buffer.from(s.photo.base64, 'base64'));
        if ('conflict' in result) throw new HttpProblem(409, 'idempotency-conflict', 'this idempotency key was used for another request');
        return result.answer;
      }
    }
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
      const body = await readBody(req);
      switch (route) {
        case 'GET /faults':
          return send(res, 200, { faults: this.faults.list() });
        case 'PUT /faults': {
          const list = JSON.parse(body.toString('utf8') || '[]') as FaultInput[];
          await this.setFaults(Array.isArray(list) ? list : [list]);
          return send(res, 200, { faults: this.faults.list() });
        }
        case 'DELETE /faults':
          await this.setFaults([]);
          return send(res, 200, { faults: [] });
        case 'GET /stats':
          return send(res, 200, { ...this.options.store.stats(), requests: this.requests, url: this.url });
        case 'GET /submissions':
          return send(res, 200, { submissions: this.options.store.submissions() });
        default:
          return send(res, 404, { error: { code: 'not-found', message: 'admin: GET/PUT/DELETE /faults, GET /stats, GET /submissions' } });
      }
    } catch (e) {
      send(res, 400, { error: { code: 'bad-request', message: (e as Error).message } });
    }
  }
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpProblem(400, 'invalid-request', describeIssues(r.error));
  return r.data;
}

function listen(server: HttpServer | HttpsServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpProblem(413, 'too-large', 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function drop(req: IncomingMessage, done: (s: 'dropped') => void): void {
  req.socket.destroy();
  done('dropped');
}

/** The headers and the first half of the answer, then nothing: a transfer that stalls mid-body. */
function sendHalf(res: ServerResponse, body: unknown, done: (s: 'held') => void): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': text.length });
  res.write(text.subarray(0, text.length >> 1));
  done('held');
}

function sendMalformed(res: ServerResponse, kind: NonNullable<Drawn['malformed']>, done: (s: number) => void): void {
  const bodies = {
    truncated: { type: 'application/json', text: '{"outcome":"accepted","receiptNo":"SI0' },
    'wrong-shape': { type: 'application/json', text: JSON.stringify({ result: 'ok', data: { status: 'eligible' } }) },
    html: { type: 'text/html', text: '<html><body>502 Bad Gateway</body></html>' },
  };
  const b = bodies[kind];
  res.writeHead(200, { 'content-type': b.type, 'content-length': Buffer.byteLength(b.text) });
  res.end(b.text);
  done(200);
}

export async function startSiDev(options: SiDevOptions): Promise<SiDev> {
  const server = new SiDev(options);
  await server.start();
  return server;
}
