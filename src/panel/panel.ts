/**
 * The browser panel as the daemon runs it: the screen mirror the sim profile draws on beside its
 * simulated display, and the page's server once the terminal is built. Everything the panel adds
 * to the daemon is here, so `lifecheck run` only asks for it.
 */
import type { LifecheckConfig, ListenAddress } from '../config/config.js';
import type { CameraPort } from '../drivers/camera/port.js';
import type { DisplayPort } from '../drivers/display/port.js';
import type { Logger } from '../log/logger.js';
import type { CommandContext } from '../ops/commands.js';
import { showPreview } from '../terminal/hardware-profile.js';
import type { Output } from '../terminal/outputs.js';
import type { PhotoStore } from '../terminal/photo-store.js';
import type { SimDevices } from '../terminal/sim-profile.js';
import type { Terminal } from '../terminal/terminal.js';
import { PromptSounds } from '../audio/prompt-sounds.js';
import { EspeakTts } from '../audio/tts.js';
import { encodeWav } from '../audio/wav.js';
import { PanelActions } from './actions.js';
import { MirrorFramebuffer, TeeDisplay } from './screen.js';
import { PanelServer } from './server.js';

export interface PanelOptions {
  config: LifecheckConfig;
  logger: Logger;
  listen: ListenAddress;
  /** SVG of the 扫描二维码 overlay's QR code, as the framebuffer draws it. */
  qrSvg: string;
  retryMs?: number;
}

export class Panel {
  private mirror: MirrorFramebuffer | null = null;
  private server: PanelServer | null = null;
  private off: Array<() => void> = [];

  constructor(private readonly options: PanelOptions) {}

  /**
   * The profile's display, shown on the mirror too (the profiles' `screen` option): the simulated
   * display on the sim profile, the framebuffer on the hardware one (the page then only watches).
   */
  readonly screen = (parts: { main: DisplayPort; photos: PhotoStore; camera: CameraPort }): DisplayPort => {
    const { config, logger, qrSvg } = this.options;
    const mirror = new MirrorFramebuffer({
      size: parts.main.size,
      fonts: config.devices.display.fonts,
      logger,
      photo: (ref) => parts.photos.get(ref),
      qrSvg,
    });
    this.mirror = mirror;
    // The live camera picture, drawn into the preview area as on the real panel.
    showPreview(parts.camera, mirror, config.devices.display.mirrorPreview, logger);
    return new TeeDisplay(parts.main, mirror, logger);
  };

  /** Serves the page, once the terminal runs; without the simulated devices (hardware) it only shows the screen. */
  async start(parts: { terminal: Terminal; devices: SimDevices | null; camera: CameraPort | null; commands: CommandContext }): Promise<void> {
    const mirror = this.mirror;
    const { config, logger, listen } = this.options;
    if (!mirror) throw new Error('panel: the profile was built without the panel\'s screen');
    const actions = parts.devices && parts.camera ? new PanelActions({ devices: parts.devices, camera: parts.camera, commands: parts.commands, size: mirror.size, siAdmin: config.ops.panel.siAdmin }) : null;
    const sounds = new PromptSounds({ language: config.voice.language, rate: config.voice.rate, cacheDir: config.voice.cacheDir, recordingsDir: config.voice.recordingsDir, tts: new EspeakTts(), logger });
    const server = new PanelServer({
      listen,
      logger,
      mirror,
      actions,
      paper: config.devices.printer.paperWidth,
      voice: async (id) => encodeWav((await sounds.sound(id)).wav),
      ...(this.options.retryMs !== undefined ? { retryMs: this.options.retryMs } : {}),
    });
    this.server = server;
    this.off.push(mirror.onView((view) => server.view(view)));
    if (parts.terminal.view) server.view(parts.terminal.view);
    const actor = parts.terminal.machineActor;
    server.devices(actor.getSnapshot().context.devices);
    const sub = actor.subscribe((s) => server.devices(s.context.devices));
    this.off.push(() => sub.unsubscribe());
    await server.start();
  }

  output(o: Output, elapsedMs: number): void {
    this.server?.output(o, elapsedMs);
  }

  get url(): string | null {
    return this.server?.url ?? null;
  }

  get problem(): string | null {
    return this.server?.problem ?? null;
  }

  async stop(): Promise<void> {
    for (const off of this.off.splice(0)) off();
    await this.server?.stop();
  }
}
