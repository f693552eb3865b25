/**
 * Fault injection for the reference SI service, switchable while it runs (admin API, CLI, tests):
 * latency, HTTP errors, dropped connections before or after the SI has acted, malformed answers,
 * a black hole (the request is taken and never answered), an answer that stalls mid-body, a server
 * certificate from the wrong CA or an expired one, and the service going down altogether. Which request a
 * fault hits is drawn from a seeded generator, so a drill with the same seed hits the same ones.
 */
import { z } from 'zod';
import { nextRandom } from '../machine/challenge.js';

export const API_OPS = ['health', 'lookup', 'resolveToken', 'history', 'submit'] as const;
export type ApiOp = (typeof API_OPS)[number];

export const Fault = z
  .object({
    kind: z.enum(['latency', 'error', 'drop', 'drop-after', 'malformed', 'blackhole', 'stall', 'wrong-cert', 'expired-cert', 'down']),
    /** Share of matching requests hit (0-1). */
    rate: z.number().min(0).max(1).default(1),
    /** Only these operations; absent: every operation. */
    ops: z.array(z.enum(API_OPS)).optional(),
    /** Hit this many requests, then the fault expires; absent: until cleared. */
    count: z.number().int().positive().optional(),
    /** latency: added before the answer is written (after the SI has acted on a submit). */
    latencyMs: z.number().int().min(0).max(600_000).default(1_000),
    /** error: the HTTP status answered. */
    status: z.number().int().min(400).max(599).default(503),
    /** malformed: what is sent instead of a valid answer. */
    body: z.enum(['truncated', 'wrong-shape', 'html']).default('truncated'),
  })
  .strict();
export type Fault = z.infer<typeof Fault>;
export type FaultInput = z.input<typeof Fault>;
export const FaultList = z.array(Fault).max(20);

/** What one request gets. */
export interface Drawn {
  latencyMs: number;
  status: number | null;
  drop: 'before' | 'after' | null;
  malformed: Fault['body'] | null;
  /** The request is read and never answered; the SI does not act on it. */
  blackhole: boolean;
  /** The SI acts, then sends the headers and half the answer, and nothing more. */
  stall: boolean;
}

/** Faults of the whole service: they change the listener, not a request. */
type ServiceFault = 'wrong-cert' | 'expired-cert' | 'down';
const SERVICE_FAULTS: ReadonlySet<string> = new Set<ServiceFault>(['wrong-cert', 'expired-cert', 'down']);

export class FaultPlan {
  private faults: Fault[] = [];
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  set(faults: FaultInput[]): Fault[] {
    this.faults = FaultList.parse(faults);
    return this.list();
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Service-wide faults: they change the listener, not a request. */
  has(kind: ServiceFault): boolean {
    return this.faults.some((f) => f.kind === kind);
  }

  draw(op: ApiOp): Drawn {
    const drawn: Drawn = { latencyMs: 0, status: null, drop: null, malformed: null, blackhole: false, stall: false };
    for (const f of this.faults) {
      if (SERVICE_FAULTS.has(f.kind)) continue;
      if (f.ops && !f.ops.includes(op)) continue;
      if (f.count !== undefined && f.count <= 0) continue;
      if (f.rate < 1 && this.random() >= f.rate) continue;
      if (f.count !== undefined) f.count--;
      if (f.kind === 'latency') drawn.latencyMs += f.latencyMs;
      else if (f.kind === 'error') drawn.status ??= f.status;
      else if (f.kind === 'drop') drawn.drop ??= 'before';
      else if (f.kind === 'drop-after') drawn.drop ??= 'after';
      else if (f.kind === 'malformed') drawn.malformed ??= f.body;
      else if (f.kind === 'blackhole') drawn.blackhole = true;
      else if (f.kind === 'stall') drawn.stall = true;
    }
    return drawn;
  }

  private random(): number {
    const r = nextRandom(this.state);
    this.state = r.state;
    return r.value;
  }
}
