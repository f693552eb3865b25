/**
 * The terminal: the whole flow (docs/product.md tells it screen by screen) as one XState machine.
 * Pure — no I/O, no clock reads: devices, vision, SI and printer are actors provided by the
 * composition root (src/terminal), time comes from the actor's clock, randomness from a seeded
 * state in context.
 *
 * Layout: `home`, then `session` with three parallel regions — `flow` (the screens), `overlay`
 * (help / 操作说明 / QR on top of any screen) and `countdown` (剩余N秒, restarting on every screen).
 * Screen states carry `meta.screen`; src/screens derives what is drawn from state + context.
 */
import { and, assign, emit, enqueueActions, fromCallback, fromPromise, not, or, raise, sendTo, setup, stateIn } from 'xstate';
import type { Identity } from '../domain/identity.js';
import { cardProblems, refusal } from '../domain/card-check.js';
import { checkIdNumber } from '../domain/id-number.js';
import { localDate } from '../clock/clock.js';
import type { PromptId } from '../audio/prompts.js';
import { spokenLength } from '../audio/catalogue.js';
import type { Eligibility, HistoryRecord, Submission, SubmitOutcome } from '../si-client/port.js';
import type { Hint, VisionCommand } from '../vision/port.js';
import { drawActions } from './challenge.js';
import { Delays, SPEECH_MS_PER_CHAR } from './delays.js';
import type {
  CaptureFailure,
  CaptureVoice,
  DeviceHealth,
  DeviceId,
  EmittedEvent,
  IdentifyProblem,
  MachineEvent,
  MachineInput,
  PrinterProblem,
  ReceiptRequest,
  Session,
  SubmitResult,
  TerminalContext,
} from './types.js';
import { DEVICE_IDS } from './types.js';

export interface PersonLookup {
  eligibility: Eligibility;
  /** A verification of this person already waits in this terminal's outbox (queued offline) since this date. */
  queuedOn: string | null;
  /** Capture attempts this person used today by the terminal's ledger, this session's included (kept by the terminal, not the SI). */
  attemptsToday: number;
}

export function emptySession(): Session {
  return {
    identity: null,
    problem: null,
    eligibility: null,
    queuedOn: null,
    attemptsToday: 0,
    history: null,
    personKey: null,
    challenge: { actions: [], index: 0, failures: 0, restarts: 0 },
    captureAttempts: 0,
    captureFailure: null,
    notice: null,
    hint: null,
    voice: quietVoice(),
    photo: null,
    result: null,
    receipt: null,
  };
}

function quietVoice(): CaptureVoice {
  return { prompt: null, said: 0, hintSaid: false, repeatDue: false };
}

/** What the terminal says for each hint from vision (src/vision/hints.ts). */
export const HINT_PROMPTS: Record<Hint, PromptId> = {
  'multiple-faces': 'hint.multiple_faces',
  'too-far': 'hint.too_far',
  'too-close': 'hint.too_close',
  'off-centre-left': 'hint.off_centre_left',
  'off-centre-right': 'hint.off_centre_right',
  'off-centre-up': 'hint.off_centre_up',
  'off-centre-down': 'hint.off_centre_down',
  'too-dark': 'hint.too_dark',
  'too-bright': 'hint.too_bright',
  'turned-away': 'hint.turned_away',
  'eyes-hidden': 'hint.eyes_hidden',
  blurred: 'hint.blurred',
};

/** How long a capture prompt is taken to play (Delays' SPEECH_MS_PER_CHAR). */
export function speechMs(prompt: PromptId | null): number {
  return prompt ? spokenLength(prompt) * SPEECH_MS_PER_CHAR : 0;
}

type StepName = 'positioning' | 'acting' | 'framing';

/**
 * The voice of one capture step: the step's prompt, repeated every PROMPT_REPEAT; while it plays
 * (PROMPT_PLAYING) a hint from vision is only shown, and said once the prompt has ended. A repeat
 * that comes due while a hint plays follows the hint. Each hint is said once per step prompt, so a
 * held hint is repeated no more often than the prompt.
 */
function voiceOf(step: StepName) {
  return {
    initial: 'prompting',
    states: {
      prompting: {
        id: `${step}Prompting`,
        entry: { type: 'speakStep', params: { step } },
        initial: 'playing',
        after: {
          PROMPT_REPEAT: [
            { guard: stateIn(`#${step}Hinting`), actions: 'deferRepeat' },
            { target: `#${step}Prompting`, reenter: true },
          ],
        },
        states: {
          playing: { after: { PROMPT_PLAYING: 'listening' } },
          listening: {
            always: [
              { guard: 'repeatDue', target: `#${step}Prompting`, reenter: true },
              { guard: 'hintToTell', target: 'hinting' },
            ],
          },
          hinting: {
            id: `${step}Hinting`,
            entry: 'speakHint',
            after: { PROMPT_PLAYING: 'listening' },
          },
        },
      },
    },
  } as const;
}

function allDevicesOk(): Record<DeviceId, DeviceHealth> {
  return Object.fromEntries(DEVICE_IDS.map((d) => [d, { ok: true }])) as Record<DeviceId, DeviceHealth>;
}

/** Why a card read cannot be used, judged before the confirm screen: the card checks' refusal (src/domain/card-check.ts). */
export function cardProblem(identity: Identity, at: number, utcOffsetMinutes: number): IdentifyProblem | null {
  return refusal(cardProblems(identity, localDate(at, utcOffsetMinutes)));
}

/**
 * Enough devices work to serve a person: a way to identify, the camera, the screen and touch, a
 * clock that can be trusted to judge a card's expiry and stamp the receipt, and room to keep the
 * submission (nobody does the whole capture for a submission that cannot be stored).
 */
export function canServe(context: TerminalContext): boolean {
  const d = context.devices;
  return d.camera.ok && d.display.ok && d.touch.ok && d.clock.ok && d.storage.ok && (d.idReader.ok || d.sscReader.ok || d.barcode.ok);
}

/** Another capture attempt is allowed in this session and today for this person. */
export function attemptsLeft(context: TerminalContext): boolean {
  return exhaustedLimit(context) === null;
}

/** Which attempt limit is used up, the day's first: a new session does not help against it. */
export function exhaustedLimit(context: TerminalContext): 'day' | 'session' | null {
  const s = context.session;
  if (s.attemptsToday + s.captureAttempts >= context.settings.maxAttemptsPerDay) return 'day';
  if (s.captureAttempts >= context.settings.maxCaptureAttempts) return 'session';
  return null;
}

function notProvided(name: string): never {
  throw new Error(`actor '${name}' was not provided by the composition root`);
}

/** What the terminal says (and the identify-problem screen shows) for each identify problem. */
export const PROBLEM_PROMPTS: Record<IdentifyProblem, PromptId> = {
  'read-error': 'identify.read_error',
  'bad-id-number': 'identify.bad_id_number',
  expired: 'identify.expired',
  'unknown-token': 'identify.unknown_token',
  'unsupported-card': 'identify.unsupported_card',
  'si-unavailable': 'identify.si_unavailable',
};

const resultPrompts: Record<SubmitResult['outcome'], PromptId> = {
  accepted: 'result.success',
  review: 'result.review',
  queued: 'result.queued',
  rejected: 'result.rejected',
  'already-verified': 'result.already_verified',
  failed: 'result.failed',
};

/** Outcomes that get a printed receipt: the person leaves with proof of what happened. */
function isPrintable(result: SubmitOutcome): boolean {
  return result.outcome === 'accepted' || result.outcome === 'review' || result.outcome === 'queued';
}

function printerProblemOf(error: unknown): PrinterProblem {
  const problem = (error as { problem?: unknown } | null)?.problem;
  return problem === 'paper-out' || problem === 'cover-open' || problem === 'offline' || problem === 'timeout'
    ? problem
    : 'error';
}

/** How a card or barcode read is judged, the same on every screen that accepts one. */
const ON_CARD = [
  { guard: 'cardBadNumber', target: '#identifyProblem', reenter: true, actions: { type: 'setProblem', params: { problem: 'bad-id-number' } } },
  { guard: 'cardExpired', target: '#identifyProblem', reenter: true, actions: { type: 'setProblem', params: { problem: 'expired' } } },
  { target: '#confirm', reenter: true, actions: 'assignIdentity' },
] as const;

/**
 * A lost face or a second face restarts the challenge from the neutral pose. It counts as a
 * failure, so a restless scene ends kindly in captureFailed instead of looping until the countdown.
 */
const RESTART_CHALLENGE = [
  { guard: 'lastFailure', target: '#captureFailed', actions: { type: 'failCapture', params: { failure: 'unsteady' } } },
  { target: '#capturePositioning', actions: ['restartChallenge', 'speakRestart'] },
] as const;

const IDENTIFY_HANDLERS = {
  'identify.idCard': ON_CARD,
  'identify.ssc': ON_CARD,
  'identify.barcode': { target: '#resolvingToken' },
  'identify.readError': [
    { guard: 'readUnsupported', target: '#identifyProblem', reenter: true, actions: { type: 'setProblem', params: { problem: 'unsupported-card' } } },
    { target: '#identifyProblem', reenter: true, actions: { type: 'setProblem', params: { problem: 'read-error' } } },
  ],
} as const;

export const terminalMachine = setup({
  types: {
    context: {} as TerminalContext,
    events: {} as MachineEvent,
    input: {} as MachineInput,
    emitted: {} as EmittedEvent,
  },
  actors: {
    lookupPerson: fromPromise<PersonLookup, { idNumber: string }>(async () => notProvided('lookupPerson')),
    resolveToken: fromPromise<Identity | null, { token: string }>(async () => notProvided('resolveToken')),
    loadHistory: fromPromise<HistoryRecord[], { idNumber: string }>(async () => notProvided('loadHistory')),
    submitVerification: fromPromise<SubmitOutcome, Submission>(async () => notProvided('submitVerification')),
    printReceipt: fromPromise<void, ReceiptRequest>(async () => notProvided('printReceipt')),
    camera: fromCallback<VisionCommand>(() => notProvided('camera')),
  },
  delays: {
    ...Delays,
    /** The whole countdown: back home when nothing happens on a screen for this long. */
    COUNTDOWN: ({ context }) => context.settings.countdownSeconds * 1000,
    /** When the spoken warning comes: countdownWarnAt seconds before the end. */
    COUNTDOWN_WARNING: ({ context }) => (context.settings.countdownSeconds - context.settings.countdownWarnAt) * 1000,
    /** The capture prompt last started is still playing this long after its start. */
    PROMPT_PLAYING: ({ context }) => speechMs(context.session.voice.prompt),
  },
  guards: {
    canServe: ({ context }) => canServe(context),
    busy: or([stateIn('#submitting'), stateIn('#printing')]),
    cardBadNumber: ({ context, event }) =>
      (event.type === 'identify.idCard' || event.type === 'identify.ssc') &&
      cardProblem(event.identity, event.at, context.settings.utcOffsetMinutes) === 'bad-id-number',
    cardExpired: ({ context, event }) =>
      (event.type === 'identify.idCard' || event.type === 'identify.ssc') &&
      cardProblem(event.identity, event.at, context.settings.utcOffsetMinutes) === 'expired',
    readUnsupported: ({ event }) => event.type === 'identify.readError' && event.reason === 'unsupported-card',
    cameraOk: ({ context }) => context.devices.camera.ok,
    alreadyVerified: ({ context }) =>
      context.session.eligibility?.status === 'already-verified' || context.session.queuedOn !== null,
    attemptsLeft: ({ context }) => attemptsLeft(context),
    lastFailure: ({ context }) => context.session.challenge.failures + 1 >= context.settings.maxActionFailures,
    isCurrentAction: ({ context, event }) =>
      event.type === 'vision.actionPassed' &&
      event.action === context.session.challenge.actions[context.session.challenge.index],
    hintToTell: ({ context }) => context.session.hint !== null && !context.session.voice.hintSaid,
    repeatDue: ({ context }) => context.session.voice.repeatDue,
    isLastAction: ({ context }) =>
      context.session.challenge.index + 1 >= context.session.challenge.actions.length,
  },
  actions: {
    screenEntered: raise({ type: 'screen.changed' }),
    activity: raise({ type: 'activity' }),
    speak: emit((_, params: { prompt: PromptId }) => ({ type: 'speak' as const, prompt: params.prompt })),
    clearSession: assign({ session: () => emptySession() }),
    startSession: emit({ type: 'session.started' }),
    endSession: emit((_, params: { reason: 'home' | 'timeout' | 'finished' }) => ({
      type: 'session.ended' as const,
      reason: params.reason,
    })),
    announceCountdown: emit(({ context }) => ({ type: 'countdown.restarted' as const, seconds: context.settings.countdownSeconds })),
    setDeviceHealth: assign({
      devices: ({ context, event }) => {
        if (event.type === 'device.fault') return { ...context.devices, [event.device]: { ok: false, reason: event.reason } };
        if (event.type === 'device.ok') return { ...context.devices, [event.device]: { ok: true } };
        return context.devices;
      },
    }),
    assignIdentity: enqueueActions(({ context, event, enqueue }) => {
      // From a card read, or from the SI's answer to a scanned token (the resolveToken actor's output).
      const done = event as unknown as { type: string; output?: Identity | null };
      const identity =
        event.type === 'identify.idCard' || event.type === 'identify.ssc'
          ? event.identity
          : done.type === 'xstate.done.actor.resolveToken'
            ? (done.output ?? null)
            : null;
      if (!identity) return;
      const s = context.session;
      if (s.personKey !== null && s.personKey !== identity.idNumber) {
        // Someone else now: nothing of the previous person may carry over, not even attempt counts.
        enqueue.assign({ session: { ...emptySession(), identity, personKey: identity.idNumber } });
        enqueue.emit({ type: 'person.changed' });
        return;
      }
      enqueue.assign({ session: { ...s, identity, problem: null, personKey: identity.idNumber } });
    }),
    /** Back to identify: who it was is forgotten, but not how many attempts they used (same person, same limits). */
    forgetIdentity: assign({
      session: ({ context }) => ({
        ...emptySession(),
        personKey: context.session.personKey,
        captureAttempts: context.session.captureAttempts,
      }),
    }),
    setProblem: assign({
      session: ({ context }, params: { problem: IdentifyProblem }) => ({
        ...context.session,
        identity: null,
        problem: params.problem,
      }),
    }),
    speakIdentify: enqueueActions(({ context, event, enqueue }) => {
      // A card tapped on the home page is being read already: no "please tap your card".
      if (event.type.startsWith('identify.')) return;
      const d = context.devices;
      // Ask for what works: never "tap your ID card" while the ID reader is out of order.
      const prompt: PromptId = d.idReader.ok ? 'identify.tap_card' : d.sscReader.ok ? 'identify.insert_ssc' : 'identify.scan_barcode';
      enqueue.emit({ type: 'speak', prompt });
    }),
    speakAttemptsExceeded: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'speak', prompt: exhaustedLimit(context) === 'session' ? 'attempts.exceeded_session' : 'attempts.exceeded' });
    }),
    speakCaptureFailed: enqueueActions(({ context, enqueue }) => {
      if (context.session.captureFailure === 'unsteady') enqueue.emit({ type: 'speak', prompt: 'capture.unsteady' });
      enqueue.emit({ type: 'speak', prompt: 'capture.failed' });
    }),
    speakProblem: enqueueActions(({ context, enqueue }) => {
      const problem = context.session.problem;
      if (problem) enqueue.emit({ type: 'speak', prompt: PROBLEM_PROMPTS[problem] });
    }),
    speakEligibility: enqueueActions(({ context, enqueue }) => {
      const e = context.session.eligibility;
      if (!e) return;
      const prompt: PromptId = context.session.queuedOn
        ? 'service.queued'
        : e.status === 'not-retiree'
          ? 'not_eligible.not_retiree'
          : e.status === 'unknown-person'
            ? 'not_eligible.unknown_person'
            : e.status === 'refer-to-counter'
              ? 'not_eligible.counter'
              : e.status === 'already-verified'
                ? 'service.already_verified'
                : 'service.choose';
      enqueue.emit({ type: 'speak', prompt });
    }),
    newAttempt: enqueueActions(({ context, enqueue }) => {
      const { actions, state } = drawActions(context.settings.actions, context.settings.actionCount, context.rng);
      enqueue.assign({
        rng: state,
        session: {
          ...context.session,
          captureAttempts: context.session.captureAttempts + 1,
          challenge: { actions, index: 0, failures: 0, restarts: 0 },
          captureFailure: null,
          notice: null,
          hint: null,
          voice: quietVoice(),
          photo: null,
        },
      });
      enqueue.emit({ type: 'attempt.used' });
    }),
    restartAttempt: assign({
      session: ({ context }) => ({
        ...context.session,
        challenge: { ...context.session.challenge, index: 0, failures: 0, restarts: 0 },
        captureFailure: null,
        notice: null,
        hint: null,
        voice: quietVoice(),
        photo: null,
      }),
    }),
    askBaseline: sendTo('camera', { type: 'baseline' }),
    askCurrentAction: sendTo('camera', ({ context }) => ({
      type: 'expect' as const,
      action: context.session.challenge.actions[context.session.challenge.index]!,
    })),
    askPhoto: sendTo('camera', { type: 'capture' }),
    speakStep: enqueueActions(({ context, enqueue }, params: { step: StepName }) => {
      const action = context.session.challenge.actions[context.session.challenge.index];
      const said = context.session.voice.said;
      // No progress since the action was asked: the repeat says slowly and fully what to do.
      const prompt: PromptId | null =
        params.step === 'positioning' ? 'capture.face_camera' : params.step === 'framing' ? 'capture.look_at_camera' : action ? (said > 0 ? `action_slow.${action}` : `action.${action}`) : null;
      if (prompt) enqueue.emit({ type: 'speak', prompt });
      enqueue.assign({ session: { ...context.session, voice: { prompt, said: said + 1, hintSaid: false, repeatDue: false } } });
    }),
    speakHint: enqueueActions(({ context, enqueue }) => {
      const hint = context.session.hint;
      if (!hint) return;
      enqueue.emit({ type: 'speak', prompt: HINT_PROMPTS[hint] });
      enqueue.assign({ session: { ...context.session, voice: { ...context.session.voice, prompt: HINT_PROMPTS[hint], hintSaid: true } } });
    }),
    /** A step begins: its prompt has not been said yet. */
    newStepVoice: assign({ session: ({ context }) => ({ ...context.session, voice: { ...context.session.voice, said: 0 } }) }),
    deferRepeat: assign({
      session: ({ context }) => ({ ...context.session, voice: { ...context.session.voice, repeatDue: true } }),
    }),
    /** A new hint is to be said; the same hint again (vision repeats it no sooner than PROMPT_REPEAT) too. */
    setHint: assign({
      session: ({ context, event }) =>
        event.type === 'vision.hint'
          ? { ...context.session, hint: event.hint, voice: { ...context.session.voice, hintSaid: event.hint === null ? context.session.voice.hintSaid : false } }
          : context.session,
    }),
    nextAction: assign({
      session: ({ context }) => ({
        ...context.session,
        notice: null,
        challenge: { ...context.session.challenge, index: context.session.challenge.index + 1 },
      }),
    }),
    countFailure: assign({
      session: ({ context }) => ({
        ...context.session,
        notice: 'try-again' as const,
        challenge: { ...context.session.challenge, failures: context.session.challenge.failures + 1 },
      }),
    }),
    failCapture: assign({
      session: ({ context }, params: { failure: CaptureFailure }) => ({
        ...context.session,
        captureFailure: params.failure,
        challenge: { ...context.session.challenge, failures: context.session.challenge.failures + 1 },
      }),
    }),
    restartChallenge: assign({
      session: ({ context, event }) => ({
        ...context.session,
        notice: event.type === 'vision.multipleFaces' ? ('multiple-faces' as const) : ('face-lost' as const),
        challenge: {
          ...context.session.challenge,
          index: 0,
          failures: context.session.challenge.failures + 1,
          restarts: context.session.challenge.restarts + 1,
        },
      }),
    }),
    speakRestart: enqueueActions(({ event, enqueue }) => {
      enqueue.emit({
        type: 'speak',
        prompt: event.type === 'vision.multipleFaces' ? 'capture.one_person' : 'capture.face_lost',
      });
    }),
    clearNotice: assign({ session: ({ context }) => ({ ...context.session, notice: null }) }),
    keepPhoto: assign({
      session: ({ context, event }) =>
        event.type === 'vision.photo'
          ? { ...context.session, photo: { ref: event.photoRef, quality: event.quality }, notice: null }
          : context.session,
    }),
    speakResult: enqueueActions(({ context, enqueue }) => {
      const { result, receipt } = context.session;
      if (result) enqueue.emit({ type: 'speak', prompt: resultPrompts[result.outcome] });
      if (receipt) enqueue.emit({ type: 'speak', prompt: receipt.printed ? 'receipt.take' : 'receipt.failed' });
    }),
  },
}).createMachine({
  id: 'terminal',
  context: ({ input }) => ({
    settings: input.settings,
    rng: input.seed | 0,
    devices: allDevicesOk(),
    session: emptySession(),
  }),
  initial: 'home',
  on: {
    'device.fault': { actions: 'setDeviceHealth' },
    'device.ok': { actions: 'setDeviceHealth' },
  },
  states: {
    home: {
      id: 'home',
      meta: { screen: 'home' },
      entry: 'clearSession',
      on: {
        'ui.start': { guard: 'canServe', target: 'session' },
        // Tapping a card on the home page is the same as pressing the app button, then tapping it.
        'identify.idCard': { guard: 'canServe', target: 'session', actions: raise(({ event }) => event) },
        'identify.ssc': { guard: 'canServe', target: 'session', actions: raise(({ event }) => event) },
        'identify.barcode': { guard: 'canServe', target: 'session', actions: raise(({ event }) => event) },
        // A bad read on the home page gets its answer on the problem screen, not silence.
        'identify.readError': { guard: 'canServe', target: 'session', actions: raise(({ event }) => event) },
      },
    },
    session: {
      type: 'parallel',
      entry: 'startSession',
      on: {
        'ui.home': {
          guard: not('busy'),
          target: '#home',
          actions: [{ type: 'endSession', params: { reason: 'home' } }],
        },
        'countdown.expired': {
          target: '#home',
          actions: [
            { type: 'speak', params: { prompt: 'session.timeout' } },
            { type: 'endSession', params: { reason: 'timeout' } },
          ],
        },
      },
      states: {
        countdown: {
          initial: 'running',
          states: {
            running: {
              entry: 'announceCountdown',
              on: {
                'screen.changed': { target: 'running', reenter: true },
                activity: { target: 'running', reenter: true },
              },
              after: {
                COUNTDOWN_WARNING: { guard: not('busy'), actions: { type: 'speak', params: { prompt: 'countdown.warning' } } },
                COUNTDOWN: [
                  // Submitting and printing have their own bounded timeouts; never abandon them.
                  { guard: 'busy', target: 'running', reenter: true },
                  { actions: raise({ type: 'countdown.expired' }) },
                ],
              },
            },
          },
        },
        overlay: {
          initial: 'none',
          states: {
            none: {
              on: {
                'ui.help': 'help',
                'ui.instructions': 'instructions',
                'ui.qr': 'qr',
              },
            },
            help: {
              meta: { overlay: 'help' },
              entry: ['activity', { type: 'speak', params: { prompt: 'help.open' } }],
              on: { 'ui.closeOverlay': { target: 'none', actions: 'activity' }, 'screen.changed': 'none' },
            },
            instructions: {
              meta: { overlay: 'instructions' },
              entry: 'activity',
              on: { 'ui.closeOverlay': { target: 'none', actions: 'activity' }, 'screen.changed': 'none' },
            },
            qr: {
              meta: { overlay: 'qr' },
              entry: 'activity',
              on: { 'ui.closeOverlay': { target: 'none', actions: 'activity' }, 'screen.changed': 'none' },
            },
          },
        },
        flow: {
          initial: 'identify',
          states: {
            identify: {
              id: 'identify',
              meta: { screen: 'identify' },
              entry: ['screenEntered', 'speakIdentify'],
              initial: 'waiting',
              on: IDENTIFY_HANDLERS,
              states: {
                waiting: {
                  on: {
                    'ui.scanBarcode': 'barcode',
                    'ui.back': { target: '#home', actions: [{ type: 'endSession', params: { reason: 'home' } }] },
                  },
                },
                barcode: {
                  meta: { mode: 'barcode' },
                  entry: { type: 'speak', params: { prompt: 'identify.scan_barcode' } },
                  on: { 'ui.back': 'waiting' },
                },
              },
            },
            identifyProblem: {
              id: 'identifyProblem',
              meta: { screen: 'identifyProblem' },
              entry: ['screenEntered', 'speakProblem'],
              on: {
                // A second tap of a card works straight from the problem screen.
                ...IDENTIFY_HANDLERS,
                'ui.retry': { target: 'identify', actions: 'forgetIdentity' },
                'ui.back': { target: 'identify', actions: 'forgetIdentity' },
              },
            },
            resolvingToken: {
              id: 'resolvingToken',
              meta: { screen: 'resolvingToken' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'identify.wait' } }],
              invoke: {
                id: 'resolveToken',
                src: 'resolveToken',
                input: ({ event }) => ({ token: event.type === 'identify.barcode' ? event.token : '' }),
                onDone: [
                  {
                    guard: ({ event }) => event.output === null,
                    target: 'identifyProblem',
                    actions: { type: 'setProblem', params: { problem: 'unknown-token' } },
                  },
                  {
                    guard: ({ event }) => event.output !== null && checkIdNumber(event.output.idNumber).length > 0,
                    target: 'identifyProblem',
                    actions: { type: 'setProblem', params: { problem: 'bad-id-number' } },
                  },
                  { target: 'confirm', actions: 'assignIdentity' },
                ],
                onError: { target: 'identifyProblem', actions: { type: 'setProblem', params: { problem: 'si-unavailable' } } },
              },
              after: {
                SI_ANSWER_TIMEOUT: { target: 'identifyProblem', actions: { type: 'setProblem', params: { problem: 'si-unavailable' } } },
              },
              on: { 'ui.back': 'identify' },
            },
            confirm: {
              id: 'confirm',
              meta: { screen: 'confirm' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'confirm.check_info' } }],
              on: {
                // Someone else's card (or the right one after a wrong one) replaces who is shown.
                ...IDENTIFY_HANDLERS,
                'ui.enter': 'checking',
                'ui.back': { target: 'identify', actions: 'forgetIdentity' },
              },
            },
            checking: {
              meta: { screen: 'checking' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'checking.wait' } }],
              invoke: {
                src: 'lookupPerson',
                input: ({ context }) => ({ idNumber: context.session.identity?.idNumber ?? '' }),
                onDone: [
                  {
                    guard: ({ event }) => event.output.eligibility.status === 'eligible' || event.output.eligibility.status === 'already-verified',
                    target: 'service',
                    actions: assign({
                      session: ({ context, event }) => ({
                        ...context.session,
                        eligibility: event.output.eligibility,
                        queuedOn: event.output.queuedOn,
                        // The day's ledger already holds this session's attempts (a person may go
                        // back to confirm and in again): attemptsToday is the day's before them.
                        attemptsToday: Math.max(0, event.output.attemptsToday - context.session.captureAttempts),
                      }),
                    }),
                  },
                  {
                    target: 'notEligible',
                    actions: assign({
                      session: ({ context, event }) => ({ ...context.session, eligibility: event.output.eligibility }),
                    }),
                  },
                ],
                onError: 'siProblem',
              },
              after: { SI_ANSWER_TIMEOUT: 'siProblem' },
              on: { 'ui.back': 'confirm' },
            },
            siProblem: {
              meta: { screen: 'siProblem' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'si.unavailable' } }],
              on: { 'ui.retry': 'checking', 'ui.back': 'confirm' },
            },
            notEligible: {
              meta: { screen: 'notEligible' },
              entry: ['screenEntered', 'speakEligibility'],
              on: { 'ui.back': 'confirm' },
            },
            service: {
              meta: { screen: 'service' },
              entry: ['screenEntered', 'speakEligibility'],
              on: {
                // Already verified this cycle: the button is shown disabled and the machine ignores it too.
                'ui.apply': [
                  { guard: and([not('alreadyVerified'), 'attemptsLeft']), target: 'consent' },
                  { guard: not('alreadyVerified'), target: 'attemptsExceeded' },
                ],
                'ui.history': 'history',
                'ui.back': 'confirm',
              },
            },
            attemptsExceeded: {
              meta: { screen: 'attemptsExceeded' },
              entry: ['screenEntered', 'speakAttemptsExceeded'],
              on: { 'ui.back': 'service' },
            },
            history: {
              meta: { screen: 'history' },
              entry: 'screenEntered',
              initial: 'loading',
              on: { 'ui.back': 'service' },
              states: {
                loading: {
                  invoke: {
                    src: 'loadHistory',
                    input: ({ context }) => ({ idNumber: context.session.identity?.idNumber ?? '' }),
                    onDone: {
                      target: 'shown',
                      actions: assign({ session: ({ context, event }) => ({ ...context.session, history: event.output }) }),
                    },
                    onError: 'failed',
                  },
                  after: { SI_ANSWER_TIMEOUT: 'failed' },
                },
                shown: { entry: { type: 'speak', params: { prompt: 'history.show' } } },
                failed: {
                  meta: { mode: 'failed' },
                  entry: { type: 'speak', params: { prompt: 'history.failed' } },
                  on: { 'ui.retry': 'loading' },
                },
              },
            },
            consent: {
              meta: { screen: 'consent' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'consent.ask' } }],
              on: {
                'ui.agree': [{ guard: 'attemptsLeft', target: 'capture', actions: 'newAttempt' }, { target: 'attemptsExceeded' }],
                'ui.decline': 'consentDeclined',
                'ui.back': 'service',
              },
            },
            consentDeclined: {
              meta: { screen: 'consentDeclined' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'consent.declined' } }],
              on: { 'ui.back': 'consent' },
            },
            capture: {
              id: 'capture',
              meta: { screen: 'capture' },
              entry: 'screenEntered',
              invoke: { id: 'camera', src: 'camera' },
              initial: 'positioning',
              on: {
                'vision.cameraError': 'cameraProblem',
                'vision.hint': { actions: 'setHint' },
                'ui.back': 'consent',
              },
              states: {
                positioning: {
                  id: 'capturePositioning',
                  entry: ['askBaseline', 'newStepVoice'],
                  ...voiceOf('positioning'),
                  on: { 'vision.faceReady': { target: 'acting', actions: ['clearNotice', 'activity'] } },
                  after: {
                    FACE_WAIT: { target: '#captureFailed', actions: { type: 'failCapture', params: { failure: 'no-face' } } },
                  },
                },
                acting: {
                  entry: ['askCurrentAction', 'newStepVoice'],
                  ...voiceOf('acting'),
                  on: {
                    'vision.actionPassed': [
                      { guard: and(['isCurrentAction', 'isLastAction']), target: 'framing', actions: ['nextAction', 'activity'] },
                      { guard: 'isCurrentAction', target: 'acting', reenter: true, actions: ['nextAction', 'activity'] },
                    ],
                    'vision.faceLost': RESTART_CHALLENGE,
                    'vision.multipleFaces': RESTART_CHALLENGE,
                  },
                  after: {
                    ACTION_BUDGET: [
                      { guard: 'lastFailure', target: '#captureFailed', actions: { type: 'failCapture', params: { failure: 'action-timeout' } } },
                      { target: 'acting', reenter: true, actions: ['countFailure', { type: 'speak', params: { prompt: 'capture.try_again' } }] },
                    ],
                  },
                },
                framing: {
                  entry: ['askPhoto', 'newStepVoice'],
                  ...voiceOf('framing'),
                  on: {
                    'vision.photo': { target: '#captured', actions: 'keepPhoto' },
                    'vision.faceLost': RESTART_CHALLENGE,
                    'vision.multipleFaces': RESTART_CHALLENGE,
                  },
                  after: {
                    CAPTURE_BUDGET: [
                      { guard: 'lastFailure', target: '#captureFailed', actions: { type: 'failCapture', params: { failure: 'photo-timeout' } } },
                      { target: 'framing', reenter: true, actions: ['countFailure', { type: 'speak', params: { prompt: 'capture.try_again' } }] },
                    ],
                  },
                },
              },
            },
            cameraProblem: {
              meta: { screen: 'cameraProblem' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'capture.camera_problem' } }],
              on: {
                // The terminal's fault, not the person's: the same attempt starts over.
                'ui.retry': { guard: 'cameraOk', target: 'capture', actions: 'restartAttempt' },
                'ui.back': 'consent',
              },
            },
            captureFailed: {
              id: 'captureFailed',
              meta: { screen: 'captureFailed' },
              entry: ['screenEntered', 'speakCaptureFailed'],
              on: {
                'ui.retry': { guard: 'attemptsLeft', target: 'capture', actions: 'newAttempt' },
                'ui.back': 'consent',
              },
            },
            captured: {
              id: 'captured',
              meta: { screen: 'captured' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'captured.review' } }],
              on: {
                'ui.retake': { guard: 'attemptsLeft', target: 'capture', actions: 'newAttempt' },
                'ui.submit': 'submitting',
                'ui.back': 'consent',
              },
            },
            submitting: {
              id: 'submitting',
              meta: { screen: 'submitting' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'submitting.wait' } }],
              invoke: {
                src: 'submitVerification',
                input: ({ context }) => {
                  const s = context.session;
                  return {
                    idNumber: s.identity?.idNumber ?? '',
                    name: s.identity?.name ?? '',
                    photoRef: s.photo?.ref ?? '',
                    liveness: {
                      actions: s.challenge.actions,
                      failures: s.challenge.failures,
                      restarts: s.challenge.restarts,
                      photoQuality: s.photo?.quality ?? 0,
                    },
                  };
                },
                onDone: [
                  {
                    guard: ({ event }) => isPrintable(event.output),
                    target: 'printing',
                    actions: assign({ session: ({ context, event }) => ({ ...context.session, result: event.output }) }),
                  },
                  {
                    target: 'result',
                    actions: assign({ session: ({ context, event }) => ({ ...context.session, result: event.output }) }),
                  },
                ],
                onError: {
                  target: 'result',
                  actions: assign({
                    session: ({ context }) => ({ ...context.session, result: { outcome: 'failed' as const, reason: 'storage' } }),
                  }),
                },
              },
              after: {
                // The outbox already holds it (committed before sending): say queued, honestly without a number.
                SUBMIT_TIMEOUT: {
                  target: 'printing',
                  actions: assign({
                    session: ({ context }) => ({ ...context.session, result: { outcome: 'queued' as const, receiptNo: null } }),
                  }),
                },
              },
            },
            printing: {
              id: 'printing',
              meta: { screen: 'printing' },
              entry: ['screenEntered', { type: 'speak', params: { prompt: 'printing.wait' } }],
              invoke: {
                src: 'printReceipt',
                input: ({ context }) => ({
                  identity: context.session.identity!,
                  result: context.session.result as SubmitOutcome,
                }),
                onDone: {
                  target: 'result',
                  actions: assign({ session: ({ context }) => ({ ...context.session, receipt: { printed: true as const } }) }),
                },
                onError: {
                  target: 'result',
                  actions: assign({
                    session: ({ context, event }) => ({
                      ...context.session,
                      receipt: { printed: false as const, problem: printerProblemOf(event.error) },
                    }),
                  }),
                },
              },
              after: {
                PRINT_TIMEOUT: {
                  target: 'result',
                  actions: assign({
                    session: ({ context }) => ({ ...context.session, receipt: { printed: false as const, problem: 'timeout' as const } }),
                  }),
                },
              },
            },
            result: {
              meta: { screen: 'result' },
              entry: ['screenEntered', 'speakResult'],
              on: {
                'ui.exit': { target: '#home', actions: [{ type: 'endSession', params: { reason: 'finished' } }] },
                'ui.back': { target: '#home', actions: [{ type: 'endSession', params: { reason: 'finished' } }] },
              },
              after: {
                RESULT_DISMISS: { target: '#home', actions: [{ type: 'endSession', params: { reason: 'finished' } }] },
              },
            },
          },
        },
      },
    },
  },
});

export type TerminalMachine = typeof terminalMachine;
