/**
 * Encryption at rest for the outbox: a submission (name, ID number, photo) is sealed with
 * AES-256-GCM before it touches the disk. The master key lives in its own file (outbox.keyFile),
 * never in the database; a missing or world-readable key file stops the terminal at start.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ConfigError } from '../config/config.js';
import type { LivenessSummary, SubmitRequest } from './port.js';

const FORMAT = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class OutboxKeyError extends ConfigError {}

/** Reads and checks the master key: 32 raw bytes, or 64 hex digits (a trailing newline allowed). */
export function loadOutboxKey(path: string): Buffer {
  if (!path) throw new OutboxKeyError('outbox.keyFile: not set; the outbox encrypts photos and cannot start without a key');
  if (!existsSync(path)) {
    throw new OutboxKeyError(`outbox.keyFile: ${path} does not exist; create one with \`lifecheck outbox keygen --key ${path}\``);
  }
  const fd = openSync(path, constants.O_RDONLY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new OutboxKeyError(`outbox.keyFile: ${path} is not a regular file`);
    if (st.mode & 0o007) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new OutboxKeyError(`outbox.keyFile: ${path} is readable or writable by everyone (mode ${mode}); run chmod 600 ${path}`);
    }
    const raw = readFileSync(fd);
    const text = raw.toString('latin1').trim();
    if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
    if (raw.length === 32) return raw;
    throw new OutboxKeyError(`outbox.keyFile: ${path} must hold 32 bytes or 64 hex digits (found ${raw.length} bytes)`);
  } finally {
    closeSync(fd);
  }
}

/** Writes a new random key (mode 0600) unless the file exists; returns whether it was created. */
export function createOutboxKey(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, randomBytes(32).toString('hex') + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

/** What the sealed payload holds: the whole request but its idempotency key (stored in clear). */
export interface SealedFields {
  idNumber: string;
  name: string;
  liveness: LivenessSummary;
  terminalNumber: string;
  at: number;
  photo: Buffer;
}

export class OutboxCipher {
  private readonly payloadKey: Buffer;
  private readonly personKey: Buffer;

  constructor(master: Buffer) {
    if (master.length !== 32) throw new Error('outbox master key must be 32 bytes');
    // Separate keys per use, so the person index never reuses the encryption key.
    this.payloadKey = Buffer.from(hkdfSync('sha256', master, 'lifecheck-outbox', 'payload-v1', 32));
    this.personKey = Buffer.from(hkdfSync('sha256', master, 'lifecheck-outbox', 'person-v1', 32));
  }

  /** A keyed hash of the ID number: finds a person's pending entry without storing the number. */
  personHash(idNumber: string): string {
    return createHmac('sha256', this.personKey).update(idNumber).digest('hex');
  }

  /** Seals the request; the idempotency key is bound in as associated data, so rows cannot be swapped. */
  seal(key: string, fields: SealedFields): Buffer {
    const meta = Buffer.from(
      JSON.stringify({ idNumber: fields.idNumber, name: fields.name, liveness: fields.liveness, terminalNumber: fields.terminalNumber, at: fields.at }),
    );
    const header = Buffer.alloc(4);
    header.writeUInt32BE(meta.length);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.payloadKey, nonce);
    cipher.setAAD(Buffer.from(key));
    const plain = Buffer.concat([header, meta, fields.photo]);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    plain.fill(0);
    return Buffer.concat([Buffer.from([FORMAT]), nonce, cipher.getAuthTag(), body]);
  }

  /** Opens a sealed payload; throws when it was altered, truncated or sealed with another key. */
  open(key: string, sealed: Buffer): SubmitRequest {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES + 4 || sealed[0] !== FORMAT) throw new Error('sealed payload has an unknown format');
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.payloadKey, nonce);
    decipher.setAAD(Buffer.from(key));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]);
    const metaLength = plain.readUInt32BE(0);
    const meta = JSON.parse(plain.subarray(4, 4 + metaLength).toString('utf8')) as Omit<SealedFields, 'photo'>;
    const photo = Buffer.from(plain.subarray(4 + metaLength));
    plain.fill(0);
    return { idempotencyKey: key, ...meta, photo };
  }
}
