/**
 * The daemon's /metrics endpoint on `ops.metrics.listen`. Serving people comes first: when the
 * address cannot be bound (the port is taken, the management LAN address is not up yet) the
 * terminal runs on without metrics, says so once with the key, and tries again every
 * `retryMs` — a restart would not free the port, and an interface that comes up later is then
 * picked up without one. The fleet's LifecheckTerminalDown alert shows the missing metrics.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ListenAddress } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { TerminalMetrics } from './metrics.js';

export interface MetricsServerOptions {
  listen: ListenAddress;
  metrics: TerminalMetrics;
  logger: Logger;
  /** Wait before trying a failed bind again (real time). */
  retryMs?: number;
}

const RETRY_MS = 30_000;

/** How the address is written in messages: the key's own form. */
function addressText(listen: ListenAddress): string {
  return listen.host.includes(':') ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`;
}

export class MetricsServer {
  private server: Server | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Why /metrics is not served right now; null once it is. */
  problem: string | null = null;

  constructor(private readonly options: MetricsServerOptions) {}

  /** Resolves once listening, or once the first failure is logged (a retry is then scheduled). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.bind();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const server = this.server;
    this.server = null;
    if (!server) return;
    // Prometheus keeps its connection alive between scrapes: close it, or close() waits for it.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The bound port (tests); null while not listening. */
  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  private async bind(): Promise<void> {
    const { listen, logger } = this.options;
    const server = createServer((req, res) => void this.serve(req, res));
    // A few connections are plenty for one or two Prometheus servers; more is someone else.
    server.maxConnections = 8;
    server.keepAliveTimeout = 65_000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listen.port, listen.host, () => resolve());
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      const why =
        code === 'EADDRINUSE'
          ? 'the port is in use by another program'
          : code === 'EADDRNOTAVAIL'
            ? 'no interface of this machine has that address (yet)'
            : code === 'EACCES'
              ? 'not allowed to listen there (ports below 1024 need privileges)'
              : (e as Error).message;
      const problem = `ops.metrics.listen: cannot listen on ${addressText(listen)}: ${why} (${code})`;
      if (problem !== this.problem) logger.error({ key: 'ops.metrics.listen', code }, `${problem}; the terminal serves people without /metrics and tries again every ${Math.round((this.options.retryMs ?? RETRY_MS) / 1000)} s`);
      this.problem = problem;
      if (!this.stopped) {
        this.retry = setTimeout(() => void this.bind(), this.options.retryMs ?? RETRY_MS);
        // Never what keeps the process alive.
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
    logger.info({ listen: addressText(listen) }, 'metrics: serving /metrics');
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cpu = process.cpuUsage();
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('lifecheck serves /metrics only\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    const { metrics } = this.options;
    let body: string;
    try {
      body = await metrics.exposition();
    } catch (e) {
      this.options.logger.error({ err: (e as Error).message }, 'metrics: the exposition failed');
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics failed; see the terminal log\n');
      return;
    }
    res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    const used = process.cpuUsage(cpu);
    metrics.served((used.user + used.system) / 1e6);
  }
}
