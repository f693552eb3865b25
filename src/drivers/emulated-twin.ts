/**
 * What the emulated twins share (a real driver against our emulator, driven by the sim profile:
 * id-reader, ssc-reader and barcode emulated.ts): the driver's events passed on, the emulator set
 * up before the driver starts and taken down after it stops, and unplug/replug run in order after
 * the work queued before them (a card being taken out must finish before the cable goes).
 */
import { Emitter, type InputPort } from './emitter.js';

export abstract class EmulatedTwin<E, D extends InputPort<E>> {
  private readonly events = new Emitter<E>();
  /** The real driver, between start() and stop(). */
  protected driver: D | null = null;
  /** Cards, scans, unplug and replug take turns. */
  protected work: Promise<void> = Promise.resolve();
  protected plugged = true;

  onEvent(listener: (event: E) => void): () => void {
    return this.events.on(listener);
  }

  async start(): Promise<void> {
    if (this.driver) return;
    await this.setUp();
    const driver = this.createDriver();
    this.driver = driver;
    driver.onEvent((e) => this.events.emit(e));
    await driver.start();
  }

  async stop(): Promise<void> {
    await this.work;
    await this.beforeDriverStops();
    await this.driver?.stop();
    this.driver = null;
    await this.tearDown();
  }

  unplug(): void {
    this.plugged = false;
    this.work = this.work.then(() => this.pullOut());
  }

  replug(): void {
    this.plugged = true;
    this.work = this.work.then(() => this.plugIn());
  }

  /** Starts the emulator (and plugs the device in). */
  protected abstract setUp(): Promise<void>;
  /** The real driver on the emulated device. */
  protected abstract createDriver(): D;
  /** Takes the emulator down after the driver stopped. */
  protected abstract tearDown(): Promise<void>;
  protected abstract plugIn(): Promise<void>;
  protected abstract pullOut(): Promise<void>;
  /** Leaves the device as a person would before it is switched off (a card taken out). */
  protected async beforeDriverStops(): Promise<void> {}
}
