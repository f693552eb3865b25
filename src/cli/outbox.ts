/**
 * `lifecheck outbox status|list|retry|keygen`: the durable outbox for maintainers. Reads the
 * database only (no key needed, no personal data shown: keys, states, receipt numbers, error codes).
 * `retry` makes entries due now; a running terminal picks them up within outbox.pollMs.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { createOutboxKey, loadOutboxKey } from '../si-client/outbox-crypto.js';
import { countRows, failedTooLong, listRows, openOutboxDb, outboxFileBytes, retryRows, type OutboxCounts, type RowState } from '../si-client/outbox-db.js';

const USAGE = `Usage: lifecheck outbox status [--config FILE] [--json]
       lifecheck outbox list [--config FILE] [--state pending|failed|delivered] [--limit N] [--json]
       lifecheck outbox retry [--config FILE] (KEY... | --all)
       lifecheck outbox keygen [--config FILE] [--key FILE]
`;

class OutboxUsageError extends Error {}

export async function outboxCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr, now = Date.now()): Promise<number> {
  try {
    return run(args, out, now);
  } catch (e) {
    if (!(e instanceof OutboxUsageError)) throw e;
    err.write(`lifecheck: ${e.message}\n\n${USAGE}`);
    return 2;
  }
}

function run(args: string[], out: NodeJS.WritableStream, now: number): number {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { config: { type: 'string' }, json: { type: 'boolean' }, state: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' }, key: { type: 'string' } },
    });
  } catch (e) {
    throw new OutboxUsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const config = loadConfig(values.config ? { file: values.config } : {});
  const path = config.outbox.path;
  switch (sub) {
    case 'status': {
      const db = openOutboxDb(path, { readonly: true });
      try {
        const counts = countRows(db);
        const errors = db.prepare("SELECT last_error AS code, count(*) AS n FROM submissions WHERE state != 'delivered' AND last_error IS NOT NULL GROUP BY last_error").all() as Array<{ code: string; n: number }>;
        const bytes = outboxFileBytes(path);
        if (values.json) {
          const ageOf = (at: number | null) => (at === null ? null : now - at);
          const advice = adviceFor(counts, errors, now, config.outbox.reportFailedAfterDays);
          out.write(JSON.stringify({ path, bytes, ...counts, oldestPendingAgeMs: ageOf(counts.oldestPendingAt), oldestFailedAgeMs: ageOf(counts.oldestFailedAt), errors, advice }) + '\n');
        } else {
          out.write(`outbox ${path} (${(bytes / 1024).toFixed(0)} KiB)\n`);
          const age = counts.oldestPendingAt === null ? '' : ` (oldest ${describeAge(now - counts.oldestPendingAt)})`;
          const failedAge = counts.oldestFailedAt === null ? '' : ` (oldest ${describeAge(now - counts.oldestFailedAt)})`;
          out.write(`pending ${counts.pending}${age}, failed ${counts.failed}${failedAge}, delivered ${counts.delivered}\n`);
          if (errors.length) out.write(`last errors: ${errors.map((e) => `${e.code} ×${e.n}`).join(', ')}\n`);
          for (const advice of adviceFor(counts, errors, now, config.outbox.reportFailedAfterDays)) out.write(`${advice}\n`);
        }
      } finally {
        db.close();
      }
      return 0;
    }
    case 'list': {
      const states: RowState[] = values.state ? [parseState(values.state)] : ['pending', 'failed', 'delivered'];
      const limit = values.limit ? Number(values.limit) : 1000;
      if (!Number.isInteger(limit) || limit < 1) throw new OutboxUsageError('--limit must be a positive integer');
      const db = openOutboxDb(path, { readonly: true });
      try {
        const rows = listRows(db, states, limit);
        if (values.json) {
          for (const r of rows) out.write(JSON.stringify(r) + '\n');
        } else {
          out.write('seq  key                                          state      tries  committed            next try             error          answer\n');
          for (const r of rows) {
            const answer = r.outcome ? describeOutcome(r.outcome) : `queued as ${r.localReceiptNo}`;
            out.write(
              `${String(r.seq).padEnd(4)} ${r.key.padEnd(44)} ${r.state.padEnd(10)} ${String(r.attempts).padEnd(6)} ${iso(r.committedAt)} ${r.state === 'pending' ? iso(r.nextAttemptAt) : '-'.padEnd(20)} ${(r.lastError ?? '-').padEnd(14)} ${answer}\n`,
            );
          }
        }
      } finally {
        db.close();
      }
      return 0;
    }
    case 'retry': {
      if (!values.all && positionals.length === 0) throw new OutboxUsageError('retry needs entry keys (see `lifecheck outbox list`) or --all');
      const db = openOutboxDb(path);
      try {
        const n = retryRows(db, now, values.all ? 'all' : positionals);
        out.write(`${n} entr${n === 1 ? 'y' : 'ies'} due now; a running terminal sends ${n === 1 ? 'it' : 'them'} within ${Math.round(config.outbox.pollMs / 1000)} s\n`);
      } finally {
        db.close();
      }
      return 0;
    }
    case 'keygen': {
      const file = values.key ?? config.outbox.keyFile;
      const created = createOutboxKey(file);
      loadOutboxKey(file); // the same checks the terminal makes at start
      out.write(created ? `${file}: new outbox key (mode 0600)\n` : `${file}: key exists and is usable; left as it is\n`);
      return 0;
    }
    default:
      throw new OutboxUsageError(sub ? `unknown outbox command '${sub}'` : 'outbox needs a command');
  }
}

/** What a maintainer should do about what the counts show (nothing when all is well). */
function adviceFor(counts: OutboxCounts, errors: Array<{ code: string; n: number }>, now: number, reportFailedAfterDays: number): string[] {
  const advice: string[] = [];
  if (errors.some((e) => e.code === 'tls')) {
    advice.push("the SI's TLS handshake fails: check the SI's CA (si.caFile), this terminal's certificate (si.certFile) and the clock (timedatectl); entries stay pending and go once it is mended");
  }
  if (failedTooLong(counts.oldestFailedAt, now, reportFailedAfterDays)) {
    advice.push(`entries set aside for more than ${reportFailedAfterDays} days: see \`lifecheck outbox list --state failed\`, then retry them or take them to the SI by hand`);
  }
  return advice;
}

function parseState(s: string): RowState {
  if (s === 'pending' || s === 'failed' || s === 'delivered') return s;
  throw new OutboxUsageError(`--state must be pending, failed or delivered (got '${s}')`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

export function describeAge(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) return `${Math.floor(ms / 1000)} s`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

function describeOutcome(json: string): string {
  try {
    const o = JSON.parse(json) as { outcome: string; receiptNo?: string; reason?: string; verifiedOn?: string };
    return [o.outcome, o.receiptNo ?? o.reason ?? o.verifiedOn].filter(Boolean).join(' ');
  } catch {
    return '(unreadable)';
  }
}
