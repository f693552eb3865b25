/**
 * The SI API on the wire (docs/si-api.md), as zod schemas. The terminal's client parses every
 * answer through these before using it; the reference service (si-dev) parses every request
 * through them. One definition, so the two sides cannot drift apart.
 */
import { z } from 'zod';
import { ACTIONS } from '../vision/port.js';

export const API_PREFIX = '/v1';

export const Paths = {
  health: `${API_PREFIX}/health`,
  lookup: `${API_PREFIX}/persons/lookup`,
  resolveToken: `${API_PREFIX}/tokens/resolve`,
  history: `${API_PREFIX}/persons/history`,
  submit: `${API_PREFIX}/verifications`,
} as const;

export const IDEMPOTENCY_HEADER = 'idempotency-key';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const idNumber = z.string().regex(/^\d{17}[\dX]$/, 'must be an 18-character ID number');
const sscCardNumber = z.string().regex(/^[0-9A-Z]{6,20}$/, 'must be 6-20 digits or capital letters');
const receiptNo = z.string().regex(/^[0-9A-Za-z-]{1,40}$/, 'must be 1-40 letters, digits or dashes');
const reason = z.string().min(1).max(200);
const action = z.enum(ACTIONS);

export const IdempotencyKey = z.string().regex(/^[0-9A-Za-z-]{8,80}$/, 'must be 8-80 letters, digits or dashes');

// ---- answers (SI → terminal) ----

export const Cycle = z.object({ from: isoDate, to: isoDate }).strict();

export const Eligibility = z.discriminatedUnion('status', [
  z.object({ status: z.literal('eligible'), cycle: Cycle }).strict(),
  z.object({ status: z.literal('already-verified'), cycle: Cycle, verifiedOn: isoDate }).strict(),
  z.object({ status: z.literal('not-retiree') }).strict(),
  z.object({ status: z.literal('unknown-person') }).strict(),
  z.object({ status: z.literal('refer-to-counter'), reason }).strict(),
]);

export const Person = z
  .object({
    name: z.string().min(1).max(60),
    gender: z.enum(['male', 'female', 'unknown']),
    idNumber,
    birthDate: isoDate.optional(),
    nation: z.string().max(20).optional(),
    validFrom: isoDate.optional(),
    validTo: z.union([isoDate, z.literal('long-term')]).optional(),
    sscCardNumber: sscCardNumber.optional(),
  })
  .strict();

export const LookupAnswer = z.object({ person: Person.nullable(), eligibility: Eligibility }).strict();
export const ResolveTokenAnswer = z.object({ person: Person.nullable() }).strict();

export const HistoryRecord = z
  .object({
    year: z.number().int().min(1990).max(2200),
    verifiedOn: isoDate,
    channel: z.enum(['terminal', 'counter', 'mobile', 'home-visit']),
    result: z.enum(['passed', 'review', 'rejected']),
  })
  .strict();
export const HistoryAnswer = z.object({ records: z.array(HistoryRecord).max(200) }).strict();

export const SubmitAnswer = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('accepted'), receiptNo }).strict(),
  z.object({ outcome: z.literal('review'), receiptNo }).strict(),
  z.object({ outcome: z.literal('rejected'), reason }).strict(),
  z.object({ outcome: z.literal('already-verified'), verifiedOn: isoDate }).strict(),
]);

/** What the SI answers with a non-200 status: its code is read (a short identifier); the message is not. */
export const ErrorAnswer = z.object({ error: z.object({ code: z.string().regex(/^[a-z0-9-]{1,40}$/), message: z.string() }) });

// ---- requests (terminal → SI) ----

export const LookupRequest = z.union([z.object({ idNumber }).strict(), z.object({ sscCardNumber }).strict()]);
export const ResolveTokenRequest = z.object({ token: z.string().min(1).max(512) }).strict();
export const HistoryRequest = z
  .object({ idNumber, fromYear: z.number().int().optional(), toYear: z.number().int().optional() })
  .strict();

/** The photo, base64, inside the JSON so one request carries one verification. Terminals send JPEG; PNG is accepted for the simulated camera's placeholder frame. */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
export const SubmitRequestBody = z
  .object({
    idNumber,
    name: z.string().min(1).max(60),
    terminalNumber: z.string().regex(/^[0-9A-Za-z-]{1,16}$/),
    /** When the person pressed 提交, ISO 8601 with offset. */
    at: z.string().datetime({ offset: true }),
    photo: z.object({ contentType: z.enum(['image/jpeg', 'image/png']), base64: z.string().max(Math.ceil(MAX_PHOTO_BYTES / 3) * 4) }).strict(),
    liveness: z
      .object({
        actions: z.array(action).max(8),
        failures: z.number().int().min(0),
        restarts: z.number().int().min(0),
        photoQuality: z.number().min(0).max(1),
      })
      .strict(),
  })
  .strict();

export type LookupAnswerT = z.infer<typeof LookupAnswer>;
export type PersonT = z.infer<typeof Person>;
export type SubmitRequestBodyT = z.infer<typeof SubmitRequestBody>;
export type SubmitAnswerT = z.infer<typeof SubmitAnswer>;
export type HistoryRecordT = z.infer<typeof HistoryRecord>;

/** One line naming the first problems, for logs and errors (never the offending values). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
