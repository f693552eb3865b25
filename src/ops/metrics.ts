/**
 * Fleet metrics: what one terminal tells the operator's Prometheus (docs/operations.md lists every
 * metric and the alerts built on them). Nothing here is on the machine's path:
 * - counters and histograms move on what the terminal already reports — its outputs (through
 *   SessionTally), each SI call (a timing wrapper around the SI port), the face pipeline's time
 *   per frame, the speaker's failures;
 * - device health and the outbox are read only when Prometheus asks, once per scrape.
 * Every label value comes from a fixed list (devices, problems, outcomes, actions, SI operations and
 * results): nothing a person brings — name, ID number, token, receipt number — can become a label.
 */
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type OpenMetricsContentType } from 'prom-client';
import type { Clock } from '../clock/clock.js';
import { DEVICE_IDS, type DeviceHealth, type DeviceId } from '../machine/types.js';
import type { Outbox, OutboxStats } from '../si-client/outbox.js';
import { SiError, type SiPort } from '../si-client/port.js';
import type { TerminalHooks, TerminalObserver } from '../terminal/hooks.js';
import type { Output } from '../terminal/outputs.js';
import type { Terminal } from '../terminal/terminal.js';
import type { Action } from '../vision/port.js';
import {
  ACTION_RESULTS,
  CAPTURE_FAILURES,
  RECEIPT_RESULTS,
  SESSION_OUTCOMES,
  SessionTally,
  oneOf,
  type ActionResult,
  type CaptureFailureLabel,
  type ReceiptResult,
  type SessionOutcome,
} from './session-tally.js';

/** What a device's fault reason is reported as; any other reason is `other`. */
export const DEVICE_PROBLEMS = [
  'paper_out',
  'cover_open',
  'offline',
  'timeout',
  'error',
  'unplugged',
  'not_responding',
  'no_reader',
  'pcscd_unavailable',
  // The clock (src/drivers/time-sync) and the outbox's storage.
  'unsynchronised',
  'before_floor',
  'outbox_full',
  'disk_full',
  'read_only',
  'store_failed',
  'other',
] as const;
export type DeviceProblem = (typeof DEVICE_PROBLEMS)[number];

export const SI_OPS = ['lookup', 'resolve_token', 'history', 'submit'] as const;
export type SiOpLabel = (typeof SI_OPS)[number];
/** `ok`, or the SiError kind the call failed with. */
export const SI_RESULTS = ['ok', 'unreachable', 'timeout', 'server', 'bad_answer', 'storage', 'other'] as const;
export type SiResult = (typeof SI_RESULTS)[number];

export function deviceProblem(reason: string): DeviceProblem {
  return oneOf(DEVICE_PROBLEMS, reason, 'other');
}

export function siResult(error: unknown): SiResult {
  return error instanceof SiError ? oneOf(SI_RESULTS, error.kind, 'other') : 'other';
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface TerminalMetricsOptions {
  profile: 'sim' | 'hardware';
  /** The configured liveness actions: their counters start at zero, so the first one counts in rate(). */
  actions: readonly Action[];
  /** Node's process metrics (prom-client's defaults); off where many registries live in one process (tests). */
  processMetrics?: boolean;
}

/** Read once per scrape, shared by the gauges. */
interface ScrapeState {
  devices: Record<DeviceId, DeviceHealth> | null;
  outbox: OutboxStats | null;
  /** Deliveries fail on the TLS handshake (Outbox.siLink). */
  siTls: boolean;
  now: number;
}

export class TerminalMetrics implements TerminalObserver {
  readonly registry = new Registry<OpenMetricsContentType>();
  readonly hooks: TerminalHooks;
  private parts: { terminal: Terminal; outbox: Outbox; clock: Clock } | null = null;
  private readonly tally: SessionTally;
  private scrape: ScrapeState = { devices: null, outbox: null, siTls: false, now: 0 };

  private readonly sessions: Counter<'outcome'>;
  private readonly sessionSeconds: Histogram;
  private readonly captureSeconds: Histogram;
  private readonly captureFailures: Counter<'reason'>;
  private readonly actions: Counter<'action' | 'result'>;
  private readonly receipts: Counter<'result'>;
  private readonly siSeconds: Histogram<'op' | 'result'>;
  private readonly visionFrameSeconds: Histogram;
  private readonly promptErrors: Counter;
  private readonly scrapes: Counter;
  private readonly scrapeCpu: Counter;

  constructor(options: TerminalMetricsOptions) {
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });

    new Gauge({ name: 'lifecheck_build_info', help: 'The running lifecheck: version and profile (always 1)', labelNames: ['version', 'profile'], registers }).set(
      { version: VERSION, profile: options.profile },
      1,
    );
    const uptime: Gauge = new Gauge({ name: 'lifecheck_uptime_seconds', help: 'Seconds since the daemon started', registers, collect: () => uptime.set(process.uptime()) });

    const deviceUp: Gauge<'device'> = new Gauge({
      name: 'lifecheck_device_up',
      help: 'Whether the device works as the terminal sees it (1) or reports a fault (0)',
      labelNames: ['device'],
      registers,
      collect: () => {
        const devices = this.scrape.devices;
        if (devices) for (const d of DEVICE_IDS) deviceUp.set({ device: d }, devices[d].ok ? 1 : 0);
      },
    });
    const problems: Gauge<'device' | 'problem'> = new Gauge({
      name: 'lifecheck_device_problem',
      help: 'A device fault that holds now, by kind (1; absent when the device is fine)',
      labelNames: ['device', 'problem'],
      registers,
      collect: () => {
        problems.reset();
        const devices = this.scrape.devices;
        if (!devices) return;
        for (const d of DEVICE_IDS) {
          const health = devices[d];
          if (!health.ok) problems.set({ device: d, problem: deviceProblem(health.reason) }, 1);
        }
      },
    });

    const outboxGauge = (name: string, help: string, value: (s: OutboxStats, now: number) => number) => {
      const gauge: Gauge = new Gauge({
        name,
        help,
        registers,
        collect: () => {
          const stats = this.scrape.outbox;
          if (stats) gauge.set(value(stats, this.scrape.now));
        },
      });
    };
    outboxGauge('lifecheck_outbox_pending', 'Verifications waiting in the outbox for delivery to the SI', (s) => s.pending);
    outboxGauge('lifecheck_outbox_failed', 'Verifications set aside (refused by the SI as such, or unreadable): lifecheck outbox retry', (s) => s.failed);
    outboxGauge('lifecheck_outbox_oldest_age_seconds', 'Age of the oldest undelivered verification (0 when none waits)', (s, now) =>
      s.oldestPendingAt === null ? 0 : Math.max(0, (now - s.oldestPendingAt) / 1000),
    );
    const tls: Gauge = new Gauge({
      name: 'lifecheck_si_tls_failing',
      help: "1 while deliveries fail on the TLS handshake with the SI (its certificate, ours, or this terminal's clock); resending will not mend it",
      registers,
      collect: () => {
        if (this.scrape.outbox) tls.set(this.scrape.siTls ? 1 : 0);
      },
    });

    this.sessions = new Counter({ name: 'lifecheck_sessions_total', help: 'Sessions ended, by outcome', labelNames: ['outcome'], registers });
    for (const outcome of SESSION_OUTCOMES) this.sessions.inc({ outcome }, 0);
    this.sessionSeconds = new Histogram({
      name: 'lifecheck_session_duration_seconds',
      help: 'From the session start to its end (back home)',
      buckets: [15, 30, 60, 90, 120, 180, 300, 600, 1200],
      registers,
    });
    this.captureSeconds = new Histogram({
      name: 'lifecheck_capture_duration_seconds',
      help: 'From the capture screen to the photo taken (attempts that got a photo)',
      buckets: [5, 10, 15, 20, 30, 45, 60, 90, 120, 300],
      registers,
    });
    this.captureFailures = new Counter({ name: 'lifecheck_capture_failures_total', help: 'Capture attempts that ended without a photo, by reason', labelNames: ['reason'], registers });
    for (const reason of CAPTURE_FAILURES) this.captureFailures.inc({ reason }, 0);
    this.actions = new Counter({ name: 'lifecheck_actions_total', help: 'Liveness actions asked for, by action and result', labelNames: ['action', 'result'], registers });
    for (const action of options.actions) for (const result of ACTION_RESULTS) this.actions.inc({ action, result }, 0);
    this.receipts = new Counter({ name: 'lifecheck_receipts_total', help: 'Receipts printed, or why not', labelNames: ['result'], registers });
    for (const result of RECEIPT_RESULTS) this.receipts.inc({ result }, 0);
    this.siSeconds = new Histogram({
      name: 'lifecheck_si_request_duration_seconds',
      help: 'SI calls (with the client\'s own retries), by operation and result (ok or the error kind)',
      labelNames: ['op', 'result'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30],
      registers,
    });
    this.visionFrameSeconds = new Histogram({
      name: 'lifecheck_vision_frame_seconds',
      help: 'Time the face pipeline spent on one camera frame',
      buckets: [0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.2, 0.5],
      registers,
    });
    this.promptErrors = new Counter({ name: 'lifecheck_prompt_errors_total', help: 'Voice prompts that could not be played', registers });
    this.scrapes = new Counter({ name: 'lifecheck_scrapes_total', help: 'Times /metrics was served', registers });
    this.scrapeCpu = new Counter({ name: 'lifecheck_scrape_cpu_seconds_total', help: 'CPU time the daemon spent serving /metrics', registers });

    this.tally = new SessionTally(
      {
        session: (outcome: SessionOutcome, seconds: number) => {
          this.sessions.inc({ outcome });
          this.sessionSeconds.observe(seconds);
        },
        captured: (seconds: number) => this.captureSeconds.observe(seconds),
        captureFailed: (reason: CaptureFailureLabel) => this.captureFailures.inc({ reason }),
        action: (action: Action, result: ActionResult) => this.actions.inc({ action, result }),
        receipt: (result: ReceiptResult) => this.receipts.inc({ result }),
      },
      () => this.now(),
    );
    this.hooks = {
      si: (port) => this.timedSi(port),
      visionFrame: (seconds) => this.visionFrameSeconds.observe(seconds),
      promptError: () => this.promptErrors.inc(),
    };
  }

  attach(parts: { terminal: Terminal; outbox: Outbox; clock: Clock }): void {
    this.parts = parts;
    this.tally.reset();
  }

  output(output: Output): void {
    this.tally.output(output);
  }

  /** The exposition, OpenMetrics text; device health and the outbox are read now. */
  async exposition(): Promise<string> {
    this.scrape = this.readState();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts one serving of /metrics and the CPU it took. */
  served(cpuSeconds: number): void {
    this.scrapes.inc();
    this.scrapeCpu.inc(cpuSeconds);
  }

  private readState(): ScrapeState {
    const parts = this.parts;
    if (!parts) return { devices: null, outbox: null, siTls: false, now: Date.now() };
    let devices: ScrapeState['devices'] = null;
    let outbox: OutboxStats | null = null;
    try {
      devices = parts.terminal.machineActor.getSnapshot().context.devices;
    } catch {
      // Not started yet (or no longer): no device gauges rather than made-up ones.
    }
    try {
      outbox = parts.outbox.stats();
    } catch {
      // The outbox cannot be read this time (closed on the way out): its gauges keep their last value.
    }
    return { devices, outbox, siTls: parts.outbox.siLink()?.problem === 'tls', now: parts.clock.now() };
  }

  /** For durations (sessions, captures, SI calls): the terminal's monotonic time, which an NTP step does not move. */
  private now(): number {
    return this.parts?.clock.monotonic() ?? performance.now();
  }

  /** The SI port with each call timed on the terminal's clock, by operation and result. */
  private timedSi(port: SiPort): SiPort {
    const timed = async <T>(op: SiOpLabel, call: () => Promise<T>): Promise<T> => {
      const started = this.now();
      let result: SiResult = 'ok';
      try {
        return await call();
      } catch (e) {
        result = siResult(e);
        throw e;
      } finally {
        this.siSeconds.observe({ op, result }, Math.max(0, this.now() - started) / 1000);
      }
    };
    return {
      lookupPerson: (idNumber, signal) => timed('lookup', () => port.lookupPerson(idNumber, signal)),
      resolveToken: (token, signal) => timed('resolve_token', () => port.resolveToken(token, signal)),
      history: (idNumber, signal) => timed('history', () => port.history(idNumber, signal)),
      submit: (request, signal) => timed('submit', () => port.submit(request, signal)),
    };
  }
}
