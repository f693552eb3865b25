/**
 * A real reference SI service for tests: HTTPS on 127.0.0.1 with certificates made by openssl in a
 * temporary directory, SQLite in a temporary file, and clients built the way the terminal builds them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { RealClock, type Clock } from '../../src/clock/clock.js';
import { loadConfig, type LifecheckConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { HttpsSi, type HttpsSiOptions } from '../../src/si-client/https-client.js';
import { ensureDevCerts, type DevCertFiles } from '../../src/si-dev/certs.js';
import { startSiDev, type SiDev } from '../../src/si-dev/server.js';
import { SiDevStore, type StoreOptions } from '../../src/si-dev/store.js';

/** A fixed "now" inside the test persons' cycles: 2026-11-28 09:00 in China. */
export const SI_NOW = Date.parse('2026-11-28T09:00:00+08:00');

let shared: DevCertFiles | null = null;
/** One set of test certificates per test process (openssl, ~0.2 s), removed at exit. */
export function testCerts(): DevCertFiles {
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), 'lifecheck-certs-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    shared = ensureDevCerts(join(dir, 'certs'));
  }
  return shared;
}

export interface TestSi {
  si: SiDev;
  store: SiDevStore;
  certs: DevCertFiles;
  dir: string;
  client(options?: Partial<HttpsSiOptions> & { clientCert?: 'good' | 'rogue' | 'none' }): HttpsSi;
  /** Terminal configuration pointing at this service, over any overrides. */
  config(overrides?: Record<string, unknown>): LifecheckConfig;
}

export async function startTestSi(t: Test, options: StoreOptions & { seed?: number; port?: number } = {}): Promise<TestSi> {
  const dir = t.testdir({});
  const certs = testCerts();
  const store = new SiDevStore(join(dir, 'si.sqlite'), { now: () => SI_NOW, ...options });
  const si = await startSiDev({ port: options.port ?? 0, adminPort: 0, certs, store, seed: options.seed ?? 1, logger: silentLogger() });
  const clients: HttpsSi[] = [];
  t.teardown(async () => {
    for (const c of clients) c.close();
    await si.close();
    store.close();
  });
  return {
    si,
    store,
    certs,
    dir,
    client(o = {}) {
      const which = o.clientCert ?? 'good';
      const cert = which === 'rogue' ? certs.rogueClientCert : certs.clientCert;
      const key = which === 'rogue' ? certs.rogueClientKey : certs.clientKey;
      const c = new HttpsSi({
        url: si.url,
        tls: { ca: readFileSync(certs.caCert), cert: which === 'none' ? Buffer.alloc(0) : readFileSync(cert), key: which === 'none' ? Buffer.alloc(0) : readFileSync(key) },
        timeoutMs: 2_000,
        readAttempts: 3,
        submitAttempts: 2,
        retry: { baseMs: 20, maxMs: 100 },
        clock: new RealClock() as Clock,
        random: () => 0.5,
        logger: silentLogger(),
        ...o,
      });
      clients.push(c);
      return c;
    },
    config(overrides = {}) {
      return loadConfig({
        ignoreSystemFile: true,
        env: {},
        overrides: deepMerge(
          {
            si: { kind: 'https', url: si.url, caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey, timeoutMs: 2_000, retryBaseMs: 20 },
          },
          overrides,
        ),
      });
    },
  };
}

export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** A minimal JPEG-looking photo (SOI + APP0 marker) with a marker so tests can look for it. */
export function jpeg(marker = 'PHOTO-MARKER'): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(marker), Buffer.from([0xff, 0xd9])]);
}

export const NO_SIGNAL = new AbortController().signal;
