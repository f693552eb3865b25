/**
 * Types the terminal machine speaks: its context, the events it accepts, the events it emits.
 * Devices and services turn their raw status into these events at their ports.
 */
import type { Identity } from '../domain/identity.js';
import type { PromptId } from '../audio/prompts.js';
import type { Eligibility, HistoryRecord, SubmitOutcome } from '../si-client/port.js';
import type { Action, Hint, VisionEvent } from '../vision/port.js';

export const DEVICE_IDS = [
  'idReader',
  'sscReader',
  'barcode',
  'camera',
  'touch',
  'display',
  'speaker',
  'printer',
  /** The wall clock: trusted (synchronised, not before the release date) or not. */
  'clock',
  /** Where the outbox keeps submissions: room on the disk and in the outbox, writable. */
  'storage',
] as const;
export type DeviceId = (typeof DEVICE_IDS)[number];

export function isDeviceId(value: unknown): value is DeviceId {
  return typeof value === 'string' && (DEVICE_IDS as readonly string[]).includes(value);
}

export type DeviceHealth = { ok: true } | { ok: false; reason: string };

/** Every touchable button on any screen. A touch becomes the event `ui.<id>`. */
export const BUTTON_IDS = [
  'start',
  'instructions',
  'scanBarcode',
  'enter',
  'apply',
  'history',
  'agree',
  'decline',
  'retake',
  'submit',
  'retry',
  'exit',
  'back',
  'home',
  'help',
  'qr',
  'closeOverlay',
] as const;
export type ButtonId = (typeof BUTTON_IDS)[number];

export function isButtonId(value: unknown): value is ButtonId {
  return typeof value === 'string' && (BUTTON_IDS as readonly string[]).includes(value);
}

export type UiEvent = { [B in ButtonId]: { type: `ui.${B}` } }[ButtonId];

/** ID card as read by the GA/T 467 reader, decoded. `at` is the read time (epoch ms). */
export interface IdCardRead {
  type: 'identify.idCard';
  identity: Identity;
  at: number;
}
export interface SscRead {
  type: 'identify.ssc';
  identity: Identity;
  at: number;
}
export interface BarcodeScan {
  type: 'identify.barcode';
  token: string;
}
export type ReadErrorReason = 'unreadable' | 'removed-too-soon' | 'unsupported-card';
export interface ReadError {
  type: 'identify.readError';
  device: 'idReader' | 'sscReader' | 'barcode';
  reason: ReadErrorReason;
}
export type IdentifyEvent = IdCardRead | SscRead | BarcodeScan | ReadError;

export type DeviceEvent =
  | { type: 'device.fault'; device: DeviceId; reason: string }
  | { type: 'device.ok'; device: DeviceId };

export type InternalEvent =
  /** Raised when a new screen is entered: restarts the countdown, closes overlays. */
  | { type: 'screen.changed' }
  /** Raised on activity that keeps the screen (overlay open/close): restarts the countdown. */
  | { type: 'activity' }
  | { type: 'countdown.expired' };

export type MachineEvent = UiEvent | IdentifyEvent | DeviceEvent | VisionEvent | InternalEvent;

/** Events the machine emits for the composition root to act on (speech, session bookkeeping). */
export type EmittedEvent =
  | { type: 'speak'; prompt: PromptId }
  /** The footer countdown (re)started with this many seconds; the display counts it down. */
  | { type: 'countdown.restarted'; seconds: number }
  | { type: 'session.started' }
  | { type: 'session.ended'; reason: 'home' | 'timeout' | 'finished' }
  /** One capture attempt was started for the identified person (counts toward the daily limit). */
  | { type: 'attempt.used' }
  /** A different person's card replaced the one on screen: drop whatever the terminal holds of the first. */
  | { type: 'person.changed' };

export interface TerminalSettings {
  terminalNumber: string;
  /** The footer countdown starts here on every screen (seed: 300 → 「剩余299秒」 after a second). */
  countdownSeconds: number;
  /** Say the countdown warning when this many seconds are left. */
  countdownWarnAt: number;
  /** Actions a challenge may ask for. */
  actions: Action[];
  /** How many actions one challenge asks for (N). */
  actionCount: number;
  /** Action timeouts allowed in one capture attempt before it fails (K). */
  maxActionFailures: number;
  /** Capture attempts in one session (retake and retry both start a new one). */
  maxCaptureAttempts: number;
  /** Capture attempts per person per day, across sessions. */
  maxAttemptsPerDay: number;
  /** Local time zone as a fixed offset; China is UTC+8 without DST. */
  utcOffsetMinutes: number;
}

export interface MachineInput {
  settings: TerminalSettings;
  /** Seed for the challenge's random action order (fixed in traces, random in production). */
  seed: number;
}

export type IdentifyProblem =
  | 'read-error'
  | 'bad-id-number'
  | 'expired'
  | 'unknown-token'
  | 'unsupported-card'
  | 'si-unavailable';

/** Why an attempt failed: no face found, an action or the photo ran out of time, or faces kept coming and going. */
export type CaptureFailure = 'no-face' | 'action-timeout' | 'photo-timeout' | 'unsteady';

/** Transient message on the capture screen. */
export type CaptureNotice = 'try-again' | 'face-lost' | 'multiple-faces';

/**
 * The capture screen's voice, kept so that prompts never talk over each other: a new prompt cuts
 * off the one playing, so a hint waits until the step prompt has been said.
 */
export interface CaptureVoice {
  /** The last capture prompt started (how long it plays follows from its length). */
  prompt: PromptId | null;
  /** Step prompts said since the step began: a repeat of an action is said slower and more explicitly. */
  said: number;
  /** The held hint was said since the step prompt last was. */
  hintSaid: boolean;
  /** The step prompt's repeat came due while a hint was playing: it follows the hint. */
  repeatDue: boolean;
}

export type PrinterProblem = 'paper-out' | 'cover-open' | 'offline' | 'timeout' | 'error';

export interface Challenge {
  actions: Action[];
  /** Index of the action being asked for; equals actions.length once all passed. */
  index: number;
  failures: number;
  restarts: number;
}

export type SubmitResult = SubmitOutcome | { outcome: 'failed'; reason: string };

export type ReceiptState = { printed: true } | { printed: false; problem: PrinterProblem };

/** Everything about the person at the terminal. Dropped entirely on return home. */
export interface Session {
  identity: Identity | null;
  problem: IdentifyProblem | null;
  eligibility: Eligibility | null;
  /** Date (YYYY-MM-DD) a verification of this person waits in this terminal's outbox, if one does. */
  queuedOn: string | null;
  /** Capture attempts this person used today before this session (the limit adds captureAttempts). */
  attemptsToday: number;
  history: HistoryRecord[] | null;
  /** ID number of the person this session's counts belong to (dropped with the session). */
  personKey: string | null;
  challenge: Challenge;
  captureAttempts: number;
  captureFailure: CaptureFailure | null;
  notice: CaptureNotice | null;
  /** What vision last said the person should fix (too far, too dark…), until it says it is fixed. */
  hint: Hint | null;
  /** The capture screen's voice (see the capture states in machine.ts). */
  voice: CaptureVoice;
  photo: { ref: string; quality: number } | null;
  result: SubmitResult | null;
  receipt: ReceiptState | null;
}

export interface TerminalContext {
  settings: TerminalSettings;
  /** PRNG state (mulberry32); advanced each time a challenge is drawn. */
  rng: number;
  devices: Record<DeviceId, DeviceHealth>;
  session: Session;
}

/** What the print actor needs; it adds time and terminal number itself. */
export interface ReceiptRequest {
  identity: Identity;
  result: SubmitOutcome;
}
