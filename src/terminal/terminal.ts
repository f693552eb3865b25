/**
 * The composition root: the one place where the pure machine meets devices, vision, SI, printer
 * and clock. `lifecheck run`, the demo, trace replay and the tests all build a terminal here, with
 * real or simulated ports; nothing else wires the machine.
 */
import { createActor, fromCallback, fromPromise, type Actor, type InspectionEvent } from 'xstate';
import { localDate, type Clock } from '../clock/clock.js';
import { maskIdNumber } from '../domain/identity.js';
import type { BarcodePort } from '../drivers/barcode/port.js';
import type { CameraPort } from '../drivers/camera/port.js';
import type { DisplayPort } from '../drivers/display/port.js';
import type { IdReaderPort } from '../drivers/id-reader/port.js';
import type { PrinterPort } from '../drivers/printer/port.js';
import type { SpeakerPort } from '../drivers/speaker/port.js';
import type { SscReaderPort } from '../drivers/ssc-reader/port.js';
import type { TimeSyncPort } from '../drivers/time-sync/port.js';
import type { TouchEvent, TouchPort } from '../drivers/touch/port.js';
import type { Logger } from '../log/logger.js';
import type { DelayName } from '../machine/delays.js';
import { terminalMachine, type PersonLookup, type TerminalMachine } from '../machine/machine.js';
import type { ButtonId, MachineEvent, ReceiptRequest, TerminalSettings } from '../machine/types.js';
import type { PromptId } from '../audio/prompts.js';
import { hitTest } from '../screens/layout.js';
import { ViewTracker, type ScreenView } from '../screens/view.js';
import type { Outbox } from '../si-client/outbox.js';
import { SiError, type HistoryRecord, type Submission, type SiPort, type SubmitOutcome } from '../si-client/port.js';
import type { VisionCommand, VisionEvent, VisionPort, VisionSession } from '../vision/port.js';
import type { Identity } from '../domain/identity.js';
import { AttemptLedger } from './attempt-ledger.js';
import type { Output } from './outputs.js';
import type { PhotoStore } from './photo-store.js';
import { buildReceipt, type ReceiptSettings } from './receipt.js';

export interface TerminalPorts {
  idReader: IdReaderPort;
  /** Watched for health only; frames go to the vision port. */
  camera: CameraPort;
  sscReader: SscReaderPort;
  barcode: BarcodePort;
  touch: TouchPort;
  display: DisplayPort;
  speaker: SpeakerPort;
  printer: PrinterPort;
  /** Whether the wall clock can be trusted; reported as the device `clock`. */
  timeSync: TimeSyncPort;
  vision: VisionPort;
  si: SiPort;
}

export interface TerminalOptions {
  ports: TerminalPorts;
  clock: Clock;
  settings: TerminalSettings;
  delays: Record<DelayName, number>;
  receipt: ReceiptSettings;
  outbox: Outbox;
  photos: PhotoStore;
  logger: Logger;
  /** Seed of the challenge order; production passes a random one. */
  seed: number;
  onOutput?: (output: Output) => void;
  /** Extra inspection (model coverage). */
  inspect?: (event: InspectionEvent) => void;
  /** Keep the last N transitions for the debug REPL (also when transitions are not logged). */
  history?: number;
}

export type TerminalActor = Actor<TerminalMachine>;

/** A device or SI input as a trace line (see docs/traces.md), for live recording. */
export interface RecordedInput {
  at: number;
  line: Record<string, unknown>;
}

/** The trace line of a device event (the machine event a port produced). */
function inputLine(event: MachineEvent): Record<string, unknown> | null {
  switch (event.type) {
    case 'identify.idCard':
    case 'identify.ssc': {
      const { source: _source, ...person } = event.identity;
      return { in: event.type === 'identify.idCard' ? 'id-card' : 'ssc', person };
    }
    case 'identify.barcode':
      return { in: 'barcode', token: event.token };
    case 'identify.readError':
      return { in: 'read-error', device: event.device, reason: event.reason };
    case 'device.fault':
    case 'device.ok':
      if (event.device === 'printer') return { in: 'printer', status: event.type === 'device.ok' ? 'ok' : event.reason };
      if (event.device === 'clock') return { in: 'clock', status: event.type === 'device.ok' ? 'trusted' : event.reason };
      if (event.device === 'storage') return { in: 'storage', status: event.type === 'device.ok' ? 'ok' : event.reason };
      if (event.device === 'display' || event.device === 'speaker') return null;
      return { in: 'device', device: event.device, status: event.type === 'device.ok' ? 'replugged' : 'unplugged' };
    default:
      if (event.type.startsWith('vision.')) {
        const { type, ...rest } = event as { type: string } & Record<string, unknown>;
        const { photoRef: _ref, ...fields } = rest;
        return { in: 'vision', event: type.slice('vision.'.length), ...fields };
      }
      return null;
  }
}

/** Which terminal runs in which actor system: the machine's actors find their ports through it. */
const terminals = new WeakMap<object, Terminal>();

function terminalOf(system: object): Terminal {
  const terminal = terminals.get(system);
  if (!terminal) throw new Error('no terminal is bound to this actor system');
  return terminal;
}

/**
 * The machine with its actors bound to "the terminal of this actor system" and the given delays.
 * Built once per set of delays and shared: building state nodes is the costliest part of starting
 * an actor, and replays start thousands.
 */
const bound = new Map<string, TerminalMachine>();
function boundMachine(delays: Record<DelayName, number>): TerminalMachine {
  const key = JSON.stringify(delays);
  let machine = bound.get(key);
  if (!machine) {
    machine = terminalMachine.provide({
      delays,
      actors: {
        lookupPerson: fromPromise<PersonLookup, { idNumber: string }>(({ input, signal, system }) => terminalOf(system).lookupPerson(input.idNumber, signal)),
        resolveToken: fromPromise<Identity | null, { token: string }>(({ input, signal, system }) => terminalOf(system).resolveToken(input.token, signal)),
        loadHistory: fromPromise<HistoryRecord[], { idNumber: string }>(({ input, signal, system }) => terminalOf(system).loadHistory(input.idNumber, signal)),
        submitVerification: fromPromise<SubmitOutcome, Submission>(({ input, system }) => terminalOf(system).submitVerification(input)),
        printReceipt: fromPromise<void, ReceiptRequest>(({ input, signal, system }) => terminalOf(system).printReceipt(input, signal)),
        camera: fromCallback<VisionCommand>(({ sendBack, receive, system }) => {
          const session = terminalOf(system).openCamera((event) => sendBack(event));
          receive((command) => session.command(command));
          return () => session.stop();
        }),
      },
    });
    bound.set(key, machine);
  }
  return machine;
}

export class Terminal {
  private actor: TerminalActor | null = null;
  private lastView: ScreenView | null = null;
  private readonly views = new ViewTracker();
  /** The view last handed to draw(), before the countdown was filled in. */
  private lastDrawn: ScreenView | null = null;
  private countdown: { deadline: number; timer: unknown } | null = null;
  private pressedButton: ButtonId | null = null;
  private screenChangedAt = -Infinity;
  private readonly ledger = new AttemptLedger();
  private readonly unsubscribe: Array<() => void> = [];
  /** Live recording hook (src/ops/recorder.ts): every device and SI input, as it happens. */
  tap: ((input: RecordedInput) => void) | null = null;

  constructor(private readonly options: TerminalOptions) {}

  // The machine's actors, as this terminal performs them with its ports.

  /** Runs an SI call and, when recording, notes its answer (or failure, or silence) as a trace input. */
  private async tapSi<T>(op: string, signal: AbortSignal | null, call: () => Promise<T>, reply: (value: T) => unknown = (v) => v): Promise<T> {
    const { clock } = this.options;
    const at = clock.now();
    const started = clock.monotonic();
    const note = (line: Record<string, unknown>) => this.tap?.({ at, line: { in: 'si', op, ...line } });
    try {
      const value = await call();
      note({ reply: reply(value), latencyMs: clock.monotonic() - started });
      return value;
    } catch (e) {
      if (signal?.aborted) note({ hang: true });
      else note({ fail: e instanceof SiError ? e.kind : 'server', latencyMs: clock.monotonic() - started });
      throw e;
    }
  }

  /**
   * A verification still waiting in our outbox counts as done: never let the person submit twice.
   * The outbox is asked before and after the SI: when it delivered this person's verification while
   * the look-up was on the wire, the SI's answer may predate it, so the SI is asked once more.
   */
  async lookupPerson(idNumber: string, signal: AbortSignal): Promise<PersonLookup> {
    const { clock, settings, outbox } = this.options;
    const waitingBefore = outbox.pendingSince(idNumber);
    let eligibility = await this.askEligibility(idNumber, signal);
    let waiting = outbox.pendingSince(idNumber);
    if (waitingBefore !== null && waiting === null) {
      this.options.logger.info('a waiting verification was delivered during the look-up: asking the SI again');
      eligibility = await this.askEligibility(idNumber, signal);
      waiting = outbox.pendingSince(idNumber);
    }
    return {
      eligibility,
      queuedOn: waiting === null ? null : localDate(waiting, settings.utcOffsetMinutes),
      attemptsToday: this.ledger.count(idNumber, localDate(clock.now(), settings.utcOffsetMinutes)),
    };
  }

  private askEligibility(idNumber: string, signal: AbortSignal) {
    this.out({ kind: 'si', op: 'lookup', fields: { idNumber: maskIdNumber(idNumber) } });
    return this.tapSi('lookup', signal, () => this.options.ports.si.lookupPerson(idNumber, signal));
  }

  resolveToken(token: string, signal: AbortSignal): Promise<Identity | null> {
    this.out({ kind: 'si', op: 'resolveToken', fields: {} });
    return this.tapSi('resolveToken', signal, () => this.options.ports.si.resolveToken(token, signal));
  }

  loadHistory(idNumber: string, signal: AbortSignal): Promise<HistoryRecord[]> {
    this.out({ kind: 'si', op: 'history', fields: { idNumber: maskIdNumber(idNumber) } });
    return this.tapSi('history', signal, () => this.options.ports.si.history(idNumber, signal));
  }

  submitVerification(submission: Submission): Promise<SubmitOutcome> {
    const { photos, outbox, settings, clock } = this.options;
    const photo = photos.get(submission.photoRef);
    this.out({
      kind: 'si',
      op: 'submit',
      fields: { idNumber: maskIdNumber(submission.idNumber), actions: submission.liveness.actions, hasPhoto: photo !== undefined },
    });
    if (!photo) {
      // Never an empty submission left for the SI to refuse: the attempt fails here, honestly
      // (「提交没有成功，请到服务窗口办理。」), and nothing is stored or sent.
      this.options.logger.error('the photo of this attempt is no longer in memory: submission refused');
      return Promise.reject(new SiError('storage', 'the photo of this attempt is gone', 'photo-missing', false));
    }
    // The outbox owns delivery from here: leaving the screen does not cancel it. For a recording,
    // "queued" replays as an SI that failed at that moment; the SI's own answers as themselves.
    const at = clock.now();
    const started = clock.monotonic();
    const submitted = outbox.submit({
      idNumber: submission.idNumber,
      name: submission.name,
      photo: Buffer.from(photo),
      liveness: submission.liveness,
      terminalNumber: settings.terminalNumber,
      at: clock.now(),
    });
    void submitted.then((outcome) => {
      const latencyMs = clock.monotonic() - started;
      this.tap?.({ at, line: outcome.outcome === 'queued' ? { in: 'si', op: 'submit', fail: 'unreachable', latencyMs } : { in: 'si', op: 'submit', reply: outcome, latencyMs } });
    }, () => {});
    return submitted;
  }

  async printReceipt(request: ReceiptRequest, signal: AbortSignal): Promise<void> {
    const receipt = buildReceipt(request, this.options.clock.now(), this.options.receipt);
    this.out({ kind: 'receipt', fields: { ...receipt } });
    await this.options.ports.printer.print(receipt, signal);
  }

  openCamera(emit: (event: VisionEvent) => void): VisionSession {
    return this.options.ports.vision.open((event) => {
      this.record(event);
      emit(event);
    });
  }

  private record(event: MachineEvent): void {
    if (!this.tap) return;
    const line = inputLine(event);
    if (line) this.tap({ at: this.options.clock.now(), line });
  }

  private out(output: Output): void {
    this.options.onOutput?.(output);
  }

  async start(): Promise<void> {
    const { ports, clock, logger } = this.options;
    const actor = createActor(boundMachine(this.options.delays), {
      input: { settings: this.options.settings, seed: this.options.seed },
      clock,
      // Inspection costs on every event: attach it only when transitions are logged or watched.
      ...(logger.isLevelEnabled('info') || this.options.inspect || this.options.history
        ? {
            inspect: (event: InspectionEvent) => {
              if (event.type === '@xstate.snapshot' && event.actorRef === this.actor) this.logTransition(event);
              this.options.inspect?.(event);
            },
          }
        : {}),
    });
    this.actor = actor;
    terminals.set(actor.system, this);
    const out = (o: Output) => this.out(o);

    // Prompts asked for in the machine step being taken now (cleared once the step is shown): a
    // session that ends in the same step as its last words (「操作超时，已返回首页。」) keeps them.
    let spokenThisStep: PromptId[] = [];
    actor.on('speak', (e) => {
      out({ kind: 'prompt', id: e.prompt });
      spokenThisStep.push(e.prompt);
      ports.speaker.play(e.prompt);
    });
    actor.on('session.started', () => out({ kind: 'session', event: 'started' }));
    actor.on('countdown.restarted', (e) => this.restartCountdown(e.seconds));
    actor.on('session.ended', (e) => {
      // Everything personal of this session goes now: photos in memory, voice in flight.
      this.options.photos.clear();
      this.stopCountdown();
      ports.speaker.silence();
      for (const prompt of spokenThisStep) ports.speaker.play(prompt);
      logger.info({ reason: e.reason }, 'session ended');
      out({ kind: 'session', event: 'ended', reason: e.reason });
    });
    actor.on('person.changed', () => this.options.photos.clear());
    actor.on('attempt.used', () => {
      const id = actor.getSnapshot().context.session.identity?.idNumber;
      if (id) this.ledger.record(id, localDate(clock.now(), this.options.settings.utcOffsetMinutes));
    });
    const sub = actor.subscribe({
      next: (snapshot) => {
        spokenThisStep = [];
        this.show(snapshot);
      },
      error: (err) => logger.error({ err }, 'terminal machine stopped on an error'),
    });
    this.unsubscribe.push(() => sub.unsubscribe());

    // Device faults are logged once, by the driver that saw them (with the detail only it knows).
    const send = (event: MachineEvent) => {
      this.record(event);
      actor.send(event);
    };
    this.unsubscribe.push(ports.idReader.onEvent(send), ports.sscReader.onEvent(send), ports.barcode.onEvent(send));
    this.unsubscribe.push(ports.camera.onStatus(send), ports.printer.onStatus(send), ports.timeSync.onStatus(send));
    const storage = this.options.outbox.onStatus?.(send);
    if (storage) this.unsubscribe.push(storage);
    this.unsubscribe.push(ports.touch.onEvent((e) => this.onTouch(e)));

    await ports.display.start();
    await ports.speaker.start();
    await ports.printer.start();
    // Judged before anybody is served: a terminal that boots with a wrong clock opens out of service.
    await ports.timeSync.start();
    await Promise.all([ports.idReader.start(), ports.sscReader.start(), ports.barcode.start(), ports.touch.start()]);
    // The camera streams on the capture screen only; between, it is watched for coming and going.
    ports.camera.watch?.();
    actor.start();
    logger.info({ screen: this.lastView?.screen }, 'terminal started');
  }

  async stop(): Promise<void> {
    const { ports } = this.options;
    for (const off of this.unsubscribe.splice(0)) off();
    this.stopCountdown();
    this.actor?.stop();
    ports.camera.unwatch?.();
    this.options.outbox.stop();
    this.options.photos.clear();
    await Promise.all([ports.idReader.stop(), ports.sscReader.stop(), ports.barcode.stop(), ports.touch.stop()]);
    await Promise.all([ports.printer.stop(), ports.speaker.stop(), ports.display.stop(), ports.timeSync.stop()]);
  }

  /** Resolves once no submission or print is in flight (for a clean shutdown). */
  drain(): Promise<void> {
    const busy = () => {
      const s = this.actor?.getSnapshot();
      return !!s && (s.matches({ session: { flow: 'submitting' } }) || s.matches({ session: { flow: 'printing' } }));
    };
    if (!busy()) return Promise.resolve();
    return new Promise((resolve) => {
      const sub = this.actor!.subscribe(() => {
        if (!busy()) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
  }

  /** The running actor (REPL, tests). */
  get machineActor(): TerminalActor {
    if (!this.actor) throw new Error('terminal not started');
    return this.actor;
  }

  get view(): ScreenView | null {
    return this.lastView;
  }

  /** Sends an event as if a device had produced it (REPL injection, tests). */
  send(event: MachineEvent): void {
    this.machineActor.send(event);
  }

  private show(snapshot: ReturnType<TerminalActor['getSnapshot']>): void {
    const { view, changed } = this.views.update(snapshot);
    if (changed) {
      this.screenChangedAt = this.options.clock.monotonic();
      this.pressedButton = null;
      this.options.onOutput?.({ kind: 'screen', screen: view.screen, mode: view.mode, overlay: view.overlay, fields: view.fields });
    }
    this.draw(view);
  }

  /** Draws a view with the countdown as it stands now; skips redraws that would change nothing. */
  private draw(view: ScreenView): void {
    const secondsLeft = view.screen === 'home' ? null : this.secondsLeft();
    const pressed = this.pressedButton;
    const shown = secondsLeft === view.secondsLeft && pressed === view.pressed ? view : { ...view, secondsLeft, pressed };
    const last = this.lastView;
    this.lastView = shown;
    if (last && last.secondsLeft === shown.secondsLeft && last.pressed === shown.pressed && this.lastDrawn === view) return;
    this.lastDrawn = view;
    this.options.ports.display.show(shown);
  }

  // The footer countdown: the machine decides when it restarts and when it expires; the display
  // counts the seconds down on the same clock, once per second, without waking the machine.

  private restartCountdown(seconds: number): void {
    const { clock } = this.options;
    this.stopCountdown();
    // On the monotonic timeline: an NTP step must not make the countdown jump.
    this.countdown = { deadline: clock.monotonic() + seconds * 1000, timer: null };
    this.scheduleCountdownTick();
  }

  private stopCountdown(): void {
    if (this.countdown?.timer != null) this.options.clock.clearTimeout(this.countdown.timer);
    this.countdown = null;
  }

  private scheduleCountdownTick(): void {
    const countdown = this.countdown;
    if (!countdown) return;
    const remaining = countdown.deadline - this.options.clock.monotonic();
    if (remaining <= 0) return;
    const untilNextSecond = remaining % 1000 || 1000;
    countdown.timer = this.options.clock.setTimeout(() => {
      countdown.timer = null;
      if (this.lastDrawn) this.draw(this.lastDrawn);
      this.scheduleCountdownTick();
    }, untilNextSecond);
  }

  private secondsLeft(): number | null {
    if (!this.countdown) return null;
    return Math.max(0, Math.ceil((this.countdown.deadline - this.options.clock.monotonic()) / 1000));
  }

  /**
   * A touch counts only on an enabled button of the screen shown now, as on the real panel: the
   * finger must lift over the button it came down on, and touches right after a screen change are
   * ignored (the finger that pressed the last button must not press the next one).
   */
  private onTouch(event: TouchEvent): void {
    const { logger, ports, clock } = this.options;
    if (event.type === 'device.fault' || event.type === 'device.ok') {
      this.record(event);
      this.send(event);
      return;
    }
    if (this.tap && event.type !== 'touch.down') {
      const { type: _type, ...where } = event;
      this.tap({ at: clock.now(), line: { in: 'touch', ...where } });
    }
    const view = this.lastView;
    if (!view) return;
    // Any touch shows someone is there: it restarts the countdown, as the warning promises.
    if (view.screen !== 'home' && event.type !== 'touch.down') this.send({ type: 'activity' });
    const size = ports.display.size;
    if (event.type === 'touch.button') {
      const button = view.buttons.find((b) => b.id === event.button && b.enabled)?.id ?? null;
      if (button) this.send({ type: `ui.${button}` } as MachineEvent);
      else logger.debug({ screen: view.screen, touch: event.button }, 'touch on no enabled button');
      return;
    }
    const guarded = clock.monotonic() - this.screenChangedAt < this.options.delays.TOUCH_GUARD;
    if (event.type === 'touch.down') {
      this.press(guarded ? null : hitTest(view, size, event.x, event.y));
      return;
    }
    const pressed = this.pressedButton;
    this.press(null);
    const button = hitTest(view, size, event.x, event.y);
    const downOn = event.downX !== undefined && event.downY !== undefined ? hitTest(view, size, event.downX, event.downY) : button;
    if (!button || button !== downOn || guarded || (pressed === null && event.downX !== undefined)) {
      logger.debug({ screen: view.screen, touch: 'tap', hit: button !== null, same: button === downOn, guarded }, 'touch ignored');
      return;
    }
    this.send({ type: `ui.${button}` } as MachineEvent);
  }

  /** Draws a button as pressed (or none) while a finger is on it. */
  private press(button: ButtonId | null): void {
    if (button === this.pressedButton) return;
    this.pressedButton = button;
    if (this.lastDrawn) this.draw(this.lastDrawn);
  }

  /** The last transitions (state values and event types only), newest last, for the REPL. */
  readonly transitions: Array<{ at: number; from: unknown; to: unknown; event: string }> = [];

  private lastValue = '';
  private logTransition(event: InspectionEvent & { type: '@xstate.snapshot' }): void {
    const snapshot = event.snapshot as ReturnType<TerminalActor['getSnapshot']>;
    const value = JSON.stringify(snapshot.value);
    if (value === this.lastValue) return;
    const from = this.lastValue ? (JSON.parse(this.lastValue) as unknown) : null;
    this.lastValue = value;
    // State values and event types only: never context, never event payloads.
    this.options.logger.info({ from, to: snapshot.value, event: event.event.type }, 'transition');
    const keep = this.options.history ?? 0;
    if (keep > 0) {
      this.transitions.push({ at: this.options.clock.now(), from, to: snapshot.value, event: event.event.type });
      if (this.transitions.length > keep) this.transitions.shift();
    }
  }
}
