/**
 * Touchscreen over Linux evdev (/dev/input/event*). Reads struct input_event records — 24 bytes on
 * 64-bit kernels, 16 on 32-bit ARM — and turns single-touch (BTN_TOUCH + ABS_X/Y) or multitouch
 * type B (ABS_MT_SLOT / TRACKING_ID / POSITION_X/Y) reports into touch.down and touch.tap events in
 * screen pixels, through the configured axis ranges, swap, inversion. Only the first finger counts:
 * a resting palm or a second finger must not press anything.
 */
import type { Clock } from '../../clock/clock.js';
import type { Logger } from '../../log/logger.js';
import { Emitter } from '../emitter.js';
import { DeviceReader, probeDevice } from '../device-reader.js';
import { HealthReporter } from '../health.js';
import type { Size } from '../display/port.js';
import type { TouchEvent, TouchPort } from './port.js';

export const EV_SYN = 0;
export const EV_KEY = 1;
export const EV_ABS = 3;
export const SYN_REPORT = 0;
export const BTN_TOUCH = 0x14a;
export const ABS_X = 0;
export const ABS_Y = 1;
export const ABS_MT_SLOT = 0x2f;
export const ABS_MT_POSITION_X = 0x35;
export const ABS_MT_POSITION_Y = 0x36;
export const ABS_MT_TRACKING_ID = 0x39;

export interface InputEvent {
  type: number;
  code: number;
  value: number;
}

/** 24 on 64-bit kernels (two 8-byte timeval fields), 16 on 32-bit (two 4-byte fields). */
export function defaultRecordSize(arch: string = process.arch): 16 | 24 {
  return arch === 'arm' || arch === 'ia32' ? 16 : 24;
}

/** Splits a byte stream into input_event records; keeps a partial record for the next chunk. */
export class InputEventParser {
  private rest = Buffer.alloc(0);

  constructor(readonly recordSize: 16 | 24) {}

  push(chunk: Buffer): InputEvent[] {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const events: InputEvent[] = [];
    const timeBytes = this.recordSize - 8;
    let off = 0;
    for (; off + this.recordSize <= data.length; off += this.recordSize) {
      events.push({ type: data.readUInt16LE(off + timeBytes), code: data.readUInt16LE(off + timeBytes + 2), value: data.readInt32LE(off + timeBytes + 4) });
    }
    this.rest = Buffer.from(data.subarray(off));
    return events;
  }
}

export interface AxisCalibration {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** Panel mounted rotated by 90°: the panel's X runs along the screen's Y. */
  swapXY: boolean;
  invertX: boolean;
  invertY: boolean;
}

export function toScreen(rawX: number, rawY: number, c: AxisCalibration, size: Size): { x: number; y: number } {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  let nx = clamp((rawX - c.minX) / (c.maxX - c.minX || 1));
  let ny = clamp((rawY - c.minY) / (c.maxY - c.minY || 1));
  if (c.swapXY) [nx, ny] = [ny, nx];
  if (c.invertX) nx = 1 - nx;
  if (c.invertY) ny = 1 - ny;
  return { x: Math.min(size.width - 1, Math.round(nx * size.width)), y: Math.min(size.height - 1, Math.round(ny * size.height)) };
}

/** Where a raw panel position lands: on the screen (calibrated), or left raw (calibration). */
export type TouchPlacement = (rawX: number, rawY: number) => { x: number; y: number };

export function screenPlacement(c: AxisCalibration, size: Size): TouchPlacement {
  return (x, y) => toScreen(x, y, c, size);
}

/**
 * Whether a raw point lies clearly outside the calibrated range (by more than 5% of the span): the
 * calibration is not this panel's (a panel reporting 0-32767 under the default 0-4095, say).
 */
export function outsideCalibration(rawX: number, rawY: number, c: AxisCalibration): boolean {
  const out = (v: number, min: number, max: number) => v < min - (max - min) * 0.05 || v > max + (max - min) * 0.05;
  return out(rawX, c.minX, c.maxX) || out(rawY, c.minY, c.maxY);
}

/** Raw panel units, for `lifecheck devices calibrate-touch`. */
export const RAW_PLACEMENT: TouchPlacement = (x, y) => ({ x, y });

/**
 * The touch logic, fed one input_event at a time; emits on SYN_REPORT. Separate from the file
 * reading so that every edge (split records, MT slots) is tested on its own.
 */
export class TouchDecoder {
  private slot = 0;
  private active = false;
  private wasActive = false;
  private raw = { x: 0, y: 0 };
  private down: { x: number; y: number } | null = null;

  constructor(
    private readonly place: TouchPlacement,
    private readonly emit: (event: TouchEvent) => void,
  ) {}

  feed(e: InputEvent): void {
    if (e.type === EV_ABS) {
      if (e.code === ABS_MT_SLOT) this.slot = e.value;
      // Only slot 0, the first finger, presses buttons.
      else if (e.code === ABS_MT_TRACKING_ID && this.slot === 0) this.active = e.value >= 0;
      else if (e.code === ABS_MT_POSITION_X && this.slot === 0) this.raw.x = e.value;
      else if (e.code === ABS_MT_POSITION_Y && this.slot === 0) this.raw.y = e.value;
      else if (e.code === ABS_X) this.raw.x = e.value;
      else if (e.code === ABS_Y) this.raw.y = e.value;
    } else if (e.type === EV_KEY && e.code === BTN_TOUCH) {
      this.active = e.value !== 0;
    } else if (e.type === EV_SYN && e.code === SYN_REPORT) {
      this.report();
    }
  }

  private report(): void {
    const at = this.place(this.raw.x, this.raw.y);
    if (this.active && !this.wasActive) {
      this.down = at;
      this.emit({ type: 'touch.down', x: at.x, y: at.y });
    } else if (!this.active && this.wasActive) {
      const down = this.down ?? at;
      this.emit({ type: 'touch.tap', x: at.x, y: at.y, downX: down.x, downY: down.y });
      this.down = null;
    }
    this.wasActive = this.active;
  }
}

export interface EvdevTouchOptions {
  device: string;
  recordSize: 16 | 24;
  calibration: AxisCalibration;
  size: Size;
  clock: Clock;
  logger: Logger;
  /** How long to wait before reopening a device that went away (USB replug; default 0.5 s: a failed open is cheap, and the panel must be back within the 2 s a replug is allowed). */
  reopenMs?: number;
}

/**
 * Reads a touchscreen's input_event records (through a `cat` child, src/drivers/device-reader.ts:
 * stop() never waits for a touch) into touch events placed by `place`; the driver and
 * `lifecheck devices calibrate-touch` both read this way.
 */
export function readTouches(device: string, recordSize: 16 | 24, place: TouchPlacement, emit: (event: TouchEvent) => void, onGone: (reason: string) => void): DeviceReader {
  const parser = new InputEventParser(recordSize);
  const decoder = new TouchDecoder(place, emit);
  return new DeviceReader(
    device,
    (chunk) => {
      for (const e of parser.push(chunk)) decoder.feed(e);
    },
    onGone,
  );
}

export class EvdevTouch implements TouchPort {
  private readonly events = new Emitter<TouchEvent>();
  private reader: DeviceReader | null = null;
  private stopped = true;
  private readonly health: HealthReporter;
  private reopenTimer: unknown = null;
  private warnedRange = false;

  constructor(private readonly options: EvdevTouchOptions) {
    this.health = new HealthReporter('touch', (e) => this.events.emit(e), options.logger);
  }

  onEvent(listener: (event: TouchEvent) => void): () => void {
    return this.events.on(listener);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reopenTimer !== null) this.options.clock.clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    const reader = this.reader;
    this.reader = null;
    await reader?.stop();
  }

  /** Probes the device, then reads it (readTouches); a device that goes is reopened after reopenMs. */
  private async open(): Promise<void> {
    const missing = await probeDevice(this.options.device);
    if (this.stopped) return;
    if (missing !== null) {
      this.lost(missing);
      return;
    }
    const reader: DeviceReader = readTouches(
      this.options.device,
      this.options.recordSize,
      this.placement(),
      (e) => this.events.emit(e),
      (reason) => {
        if (this.reader !== reader || this.stopped) return;
        this.reader = null;
        this.lost(reason);
      },
    );
    this.reader = reader;
    this.health.healthy();
  }

  /** Calibrated placement that says (once) when touches fall outside the calibration. */
  private placement(): TouchPlacement {
    const { calibration, size, logger } = this.options;
    const place = screenPlacement(calibration, size);
    return (x, y) => {
      if (!this.warnedRange && outsideCalibration(x, y, calibration)) {
        this.warnedRange = true;
        logger.warn({ rawX: x, rawY: y, calibration }, 'touch outside the calibrated range: touches land in the wrong place; run lifecheck devices calibrate-touch');
      }
      return place(x, y);
    };
  }

  private lost(reason: string): void {
    // One fault an outage: the reason a reopen then fails with (ENOENT while unplugged) is not news.
    if (this.health.ok) this.health.fault(reason);
    this.reopenTimer = this.options.clock.setTimeout(() => {
      this.reopenTimer = null;
      if (!this.stopped) void this.open();
    }, this.options.reopenMs ?? 500);
  }
}
