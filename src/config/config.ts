/**
 * Configuration: schema with defaults, then config/default.json, then the terminal's file
 * (/etc/lifecheck/config.json or --config), then LIFECHECK_* environment variables. Validated at
 * start: a bad value is reported with its key and the process exits with EX_CONFIG (78), which the
 * systemd unit excludes from restarts.
 */
import convict from 'convict';
import { existsSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VoiceLanguage } from '../audio/catalogue.js';
import { isDelayName, resolveDelays, type DelayName } from '../machine/delays.js';
import type { TerminalSettings } from '../machine/types.js';
import { ACTIONS, isAction, type Action } from '../vision/port.js';
import type { PixelFormat } from '../drivers/display/pixels.js';
import type { AxisCalibration } from '../drivers/touch/evdev.js';
import { DEFAULT_FONTS, type FontFiles } from '../screens/fonts.js';

export const EX_CONFIG = 78;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

convict.addFormat({
  name: 'action-list',
  validate(value: unknown) {
    if (!Array.isArray(value) || value.length === 0) throw new Error('must be a non-empty list of actions');
    for (const a of value) if (!isAction(a)) throw new Error(`unknown action '${String(a)}' (known: ${ACTIONS.join(', ')})`);
    if (new Set(value).size !== value.length) throw new Error('lists an action twice');
  },
});

convict.addFormat({
  name: 'delay-overrides',
  validate(value: unknown) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('must be an object of delay names to milliseconds');
    for (const [name, ms] of Object.entries(value)) {
      if (!isDelayName(name)) throw new Error(`unknown delay '${name}'`);
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms <= 0) throw new Error(`delay '${name}' must be a positive integer of milliseconds`);
    }
  },
  coerce: (v: string) => JSON.parse(v) as unknown,
});

convict.addFormat({
  name: 'terminal-number',
  validate(value: unknown) {
    if (typeof value !== 'string' || !/^[0-9A-Za-z-]{1,16}$/.test(value)) throw new Error('must be 1-16 letters, digits or dashes');
  },
});

convict.addFormat({
  name: 'url',
  validate(value: unknown) {
    if (typeof value !== 'string' || !URL.canParse(value)) throw new Error('must be an absolute URL');
  },
});

/** Where a listener binds: an IP address (IPv6 in brackets) or localhost, a colon, a port. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Reads `host:port` (`127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`); throws with what is wrong.
 * Names other than localhost are refused: a metrics port binds to one interface of this box, and a
 * name could resolve to another.
 */
export function parseListenAddress(value: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  if (!m) throw new Error('must be host:port (e.g. 127.0.0.1:9464 or [::1]:9464), or empty for off');
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined ? !isIPv6(host) : !(isIPv4(host) || host === 'localhost')) {
    throw new Error(`host '${host}' must be an IPv4 address, an IPv6 address in brackets, or localhost`);
  }
  const port = Number(m[3]);
  if (port < 1 || port > 65_535) throw new Error(`port ${m[3]} must be from 1 to 65535`);
  return { host, port };
}

convict.addFormat({
  name: 'listen-address',
  validate(value: unknown) {
    if (typeof value !== 'string') throw new Error('must be a string host:port');
    if (value !== '') parseListenAddress(value);
  },
});

const schema = {
  profile: { doc: 'sim: simulated devices and SI; hardware: real drivers', format: ['sim', 'hardware'], default: 'sim', env: 'LIFECHECK_PROFILE' },
  terminal: {
    number: { doc: 'Terminal number shown in the footer and on receipts', format: 'terminal-number', default: '0000', env: 'LIFECHECK_TERMINAL_NUMBER' },
    utcOffsetMinutes: { doc: 'Local time as a fixed offset from UTC (China: 480)', format: 'int', default: 480 },
    qrUrl: { doc: 'URL the 扫描二维码 overlay encodes (mobile channel)', format: 'url', default: 'https://example.invalid/lifecheck/mobile' },
    receiptLookupUrl: { doc: 'Receipt QR look-up URL with {receiptNo}; empty: the QR holds the number', format: String, default: '' },
  },
  session: {
    countdownSeconds: { doc: 'Countdown on every screen (seed: 300)', format: 'nat', default: 300 },
    countdownWarnAt: { doc: 'Spoken warning when this many seconds remain', format: 'nat', default: 30 },
    maxCaptureAttempts: { doc: 'Capture attempts in one session', format: 'nat', default: 3 },
    maxAttemptsPerDay: { doc: 'Capture attempts per person per day', format: 'nat', default: 5 },
  },
  liveness: {
    actions: { doc: 'Actions a challenge may ask for', format: 'action-list', default: ['raise_head', 'lower_head', 'turn_left', 'turn_right', 'blink', 'open_mouth'] as string[] },
    count: { doc: 'Actions per challenge (N)', format: 'nat', default: 2 },
    maxFailures: { doc: 'Action timeouts allowed per attempt (K)', format: 'nat', default: 3 },
  },
  vision: {
    kind: { doc: 'cooperative: a simulated person (sim demo); scripted: results injected (traces, REPL); opencv: the face pipeline on camera frames', format: ['cooperative', 'scripted', 'opencv'], default: 'cooperative', env: 'LIFECHECK_VISION' },
    modelPath: { doc: "dlib-format 68-point landmark model (Debian libdlib-data; trained on iBUG 300-W: non-commercial terms, see README)", format: String, default: '/usr/share/dlib/shape_predictor_68_face_landmarks.dat', env: 'LIFECHECK_VISION_MODEL' },
    modelCache: { doc: 'Fast-loading converted copy of the model, made on first start; empty: none', format: String, default: '/var/cache/lifecheck/vision/landmarks-68.bin', env: 'LIFECHECK_VISION_MODEL_CACHE' },
    cascadePath: { doc: 'OpenCV face detector (opencv-data)', format: String, default: '/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml' },
    focalFactor: { doc: 'Camera focal length as a multiple of the frame width (uncalibrated webcam: about 1.0)', format: Number, default: 1.0 },
    detectWidth: { doc: 'Faces are searched on a copy of the frame this wide (pixels)', format: 'nat', default: 240 },
  },
  delays: { doc: 'Overrides of src/machine/delays.ts, in ms', format: 'delay-overrides', default: {} as Record<string, number>, env: 'LIFECHECK_DELAYS' },
  devices: {
    // Identity devices: kind sim = simulated twin; emulator = the real driver against our emulator
    // (sim profile: pty pair / private pcscd + vpcd / FIFO); device = the real driver on the real device.
    idReader: {
      kind: { doc: 'sim, emulator or device (GA/T 467 driver on `port`)', format: ['sim', 'emulator', 'device'], default: 'sim', env: 'LIFECHECK_ID_READER' },
      port: { doc: 'Serial port of the GA/T 467 ID card reader', format: String, default: '/dev/lifecheck-idreader' },
      baudRate: { doc: 'Serial speed of the ID card reader', format: 'nat', default: 115_200 },
      pollMs: { doc: 'Find card is asked this often', format: 'nat', default: 300 },
    },
    sscReader: {
      kind: { doc: 'sim, emulator or device (PC/SC through pcscd)', format: ['sim', 'emulator', 'device'], default: 'sim', env: 'LIFECHECK_SSC_READER' },
      reader: { doc: 'PC/SC reader name (substring); empty: the first reader', format: String, default: '' },
    },
    barcode: {
      kind: { doc: 'sim, emulator or device (scanner on `device`)', format: ['sim', 'emulator', 'device'], default: 'sim', env: 'LIFECHECK_BARCODE' },
      mode: { doc: 'serial or hid (keyboard wedge over evdev)', format: ['serial', 'hid'], default: 'serial' },
      device: { doc: 'Serial port or /dev/input/event* of the scanner', format: String, default: '/dev/lifecheck-scanner' },
      baudRate: { doc: 'Serial speed of the scanner (serial mode)', format: 'nat', default: 9_600 },
      terminator: { doc: 'What ends a scan: CR, LF, CRLF or TAB (HID: Enter for CR/LF/CRLF)', format: ['CR', 'LF', 'CRLF', 'TAB'], default: 'CR' },
    },
    clock: {
      kind: {
        doc: 'sim: the wall clock is trusted unless a trace or the REPL says otherwise; timedatectl: systemd says whether NTP has synchronised it (and the floor is checked)',
        format: ['sim', 'timedatectl'],
        default: 'sim',
        env: 'LIFECHECK_CLOCK',
      },
      floor: { doc: "No wall time before this date (YYYY-MM-DD, UTC) can be right: this release's date", format: String, default: '2026-12-01' },
      pollMs: { doc: 'How often the clock check is repeated', format: 'nat', default: 10_000 },
    },
    camera: {
      kind: {
        doc: 'sim: frames pushed by traces, the REPL or tests; synth: a person synthesised from `portrait` who does what the terminal asks (make start); clip: a video file or image folder played as the camera (looped); device: V4L2 through OpenCV',
        format: ['sim', 'synth', 'clip', 'device'],
        default: 'sim',
        env: 'LIFECHECK_CAMERA',
      },
      portrait: { doc: 'Frontal face photo the synth camera animates; empty: the bundled public-domain portrait (assets/faces/astronaut.jpg)', format: String, default: '' },
      device: { doc: 'V4L2 camera device', format: String, default: '/dev/video0' },
      clip: { doc: 'Video file or image folder for kind clip', format: String, default: '', env: 'LIFECHECK_CAMERA_CLIP' },
      width: { doc: 'Capture width in pixels', format: 'nat', default: 640 },
      height: { doc: 'Capture height in pixels', format: 'nat', default: 480 },
      fps: { doc: 'Frames per second asked of the camera (and the pace of an image folder)', format: 'nat', default: 15 },
      fourcc: { doc: 'Pixel format asked of the camera: MJPG (most USB webcams at 640x480 and up) or YUYV', format: ['MJPG', 'YUYV'], default: 'MJPG' },
    },
    touch: {
      device: { doc: 'evdev touchscreen device', format: String, default: '/dev/input/event0' },
      // The panel's raw range (evtest shows it as ABS_X / ABS_Y min and max) and how it is mounted.
      calibration: {
        minX: { doc: 'Raw X at the left edge of the screen', format: 'int', default: 0 },
        maxX: { doc: 'Raw X at the right edge of the screen', format: 'int', default: 4095 },
        minY: { doc: 'Raw Y at the top edge of the screen', format: 'int', default: 0 },
        maxY: { doc: 'Raw Y at the bottom edge of the screen', format: 'int', default: 4095 },
        swapXY: { doc: "Panel mounted turned by 90°: its X runs along the screen's Y", format: Boolean, default: false },
        invertX: { doc: 'Raw X grows leftwards', format: Boolean, default: false },
        invertY: { doc: 'Raw Y grows upwards', format: Boolean, default: false },
      },
    },
    display: {
      framebuffer: { doc: 'Framebuffer device', format: String, default: '/dev/fb0' },
      width: { doc: 'Screen width in pixels (sim profile; hardware: read from sysfs unless geometry is config)', format: 'nat', default: 1280 },
      height: { doc: 'Screen height in pixels (sim profile; hardware: read from sysfs unless geometry is config)', format: 'nat', default: 800 },
      geometry: { doc: "sysfs: size, depth and stride come from the framebuffer's sysfs folder; config: from width, height, stride and format here", format: ['sysfs', 'config'], default: 'sysfs' },
      sysfsDir: { doc: "The framebuffer's sysfs folder; empty: /sys/class/graphics/<name of the device>", format: String, default: '' },
      stride: { doc: 'Bytes from one row to the next (geometry config); 0: width times the bytes of a pixel', format: 'nat', default: 0 },
      format: { doc: 'Pixel layout in memory (geometry config; at 32 bpp sysfs cannot tell the channel order)', format: ['xrgb8888', 'rgb565'], default: 'xrgb8888' },
      cursorBlink: { doc: "The console cursor's blink switch, turned off over the kiosk; empty: leave it", format: String, default: '/sys/class/graphics/fbcon/cursor_blink' },
      mirrorPreview: { doc: 'Show the camera picture mirrored, as people expect to see themselves', format: Boolean, default: true },
      fonts: {
        regular: { doc: 'Regular text font (fonts-noto-cjk)', format: String, default: DEFAULT_FONTS.regular },
        bold: { doc: 'Bold text font (fonts-noto-cjk)', format: String, default: DEFAULT_FONTS.bold },
        fallback: { doc: 'Font with CJK Extension B for rare characters in names (fonts-hanazono)', format: String, default: DEFAULT_FONTS.fallback },
      },
    },
    speaker: {
      alsaDevice: { doc: 'ALSA playback device', format: String, default: 'default' },
      volume: { doc: 'Prompt volume in percent of full scale (0-100); the amplifier sets the rest', format: 'int', default: 100 },
    },
    printer: {
      device: { doc: 'Receipt printer device (usblp)', format: String, default: '/dev/usb/lp0' },
      paperWidth: { doc: 'Paper width in mm', format: [58, 80], default: 80 },
      qr: { doc: 'native: the printer draws the QR code (GS ( k); image: sent as a raster picture', format: ['native', 'image'], default: 'native' },
      statusQuery: { doc: 'Ask the printer its status (DLE EOT) before printing; off for printers that cannot answer', format: Boolean, default: true },
      statusTimeoutMs: { doc: 'Longest wait for a status answer; no answer means offline', format: 'nat', default: 1_000 },
      timeoutMs: { doc: 'Longest wait for the printer to take a receipt', format: 'nat', default: 10_000 },
      pollMs: { doc: 'Printer health is asked this often while idle', format: 'nat', default: 5_000 },
    },
  },
  si: {
    kind: { doc: "sim: the simulated SI in the process; https: the SI service at si.url (docs/si-api.md)", format: ['sim', 'https'], default: 'sim', env: 'LIFECHECK_SI_KIND' },
    url: { doc: 'Base URL of the SI service', format: 'url', default: 'https://127.0.0.1:8443', env: 'LIFECHECK_SI_URL' },
    timeoutMs: { doc: 'Per-request timeout', format: 'nat', default: 10_000 },
    readAttempts: { doc: 'Tries of a look-up, token or history call (with backoff and jitter)', format: 'nat', default: 3 },
    retryBaseMs: { doc: 'First delay between tries of one call', format: 'nat', default: 300 },
    caFile: { doc: "The SI's CA certificate (PEM); the only CA trusted for the SI", format: String, default: '', env: 'LIFECHECK_SI_CA_FILE' },
    certFile: { doc: "This terminal's client certificate (PEM)", format: String, default: '', env: 'LIFECHECK_SI_CERT_FILE' },
    keyFile: { doc: "This terminal's client key (PEM)", format: String, default: '', env: 'LIFECHECK_SI_KEY_FILE' },
  },
  outbox: {
    answerWithinMs: { doc: 'Longest wait for the SI answer before telling the person "queued"', format: 'nat', default: 10_000 },
    requestTimeoutMs: { doc: 'One delivery attempt is abandoned after this', format: 'nat', default: 20_000 },
    retryBaseMs: { doc: 'First retry delay', format: 'nat', default: 5_000 },
    retryMaxMs: { doc: 'Longest retry delay', format: 'nat', default: 600_000 },
    maxPending: { doc: 'Undelivered submissions kept at most; when full, new ones are refused with a clear message', format: 'nat', default: 500 },
    store: { doc: 'memory (lost on restart: replays, tests) or sqlite (durable, encrypted: docs/outbox.md)', format: ['memory', 'sqlite'], default: 'memory', env: 'LIFECHECK_OUTBOX_STORE' },
    path: { doc: 'SQLite file of the outbox', format: String, default: '/var/lib/lifecheck/outbox.sqlite', env: 'LIFECHECK_OUTBOX_PATH' },
    keyFile: { doc: 'AES-256 key of the outbox (32 bytes or 64 hex digits, not readable by others)', format: String, default: '/etc/lifecheck/outbox.key', env: 'LIFECHECK_OUTBOX_KEY_FILE' },
    maxBytes: { doc: 'Largest outbox file; past it new submissions are refused as "storage full"', format: 'nat', default: 512 * 1024 * 1024 },
    pollMs: { doc: 'An idle outbox looks for entries made due from outside (lifecheck outbox retry) this often', format: 'nat', default: 30_000 },
    keepDeliveredDays: { doc: 'Delivered entries (no personal data left) are listed this many days', format: 'nat', default: 30 },
    minFreeBytes: { doc: 'Below this much free disk (where the outbox file is) the terminal takes no submissions: out of service before one fails', format: 'nat', default: 64 * 1024 * 1024 },
    reportFailedAfterDays: { doc: 'An entry set aside (the SI refused it, or it cannot be decrypted) longer than this is reported in the log once a day and in STATUS=', format: 'nat', default: 7 },
  },
  log: { level: { doc: 'pino log level', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', env: 'LIFECHECK_LOG_LEVEL' } },
  voice: {
    language: { doc: 'Language of the voice prompts: cmn (Mandarin) or yue (Cantonese)', format: ['cmn', 'yue'], default: 'cmn', env: 'LIFECHECK_VOICE_LANGUAGE' },
    rate: { doc: 'Synthetic speech rate in words per minute (espeak-ng default 175; slower for elderly listeners)', format: 'nat', default: 150 },
    cacheDir: { doc: 'Prerendered prompts (WAV, keyed by text, voice and rate)', format: String, default: '/var/cache/lifecheck/voice' },
    recordingsDir: { doc: 'Recorded prompts <dir>/<language>/<prompt id>.wav replace the synthetic voice; empty: none', format: String, default: '/var/lib/lifecheck/voice' },
  },
  privacy: {
    recordPersonalData: { doc: 'Test devices only: keep names, ID numbers and photos in recorded traces', format: Boolean, default: false },
  },
  ops: {
    replSocket: { doc: 'Debug REPL socket; empty: $RUNTIME_DIRECTORY/repl.sock (systemd), else /run/lifecheck (hardware) or var/run (sim)', format: String, default: '', env: 'LIFECHECK_REPL_SOCKET' },
    replSocketMode: { doc: 'Socket file mode: 0600 owner only, 0660 also the maintainer group', format: ['0600', '0660'], default: '0600' },
    allowInjection: { doc: 'REPL may inject cards, barcodes and frames: auto = on for sim, off for hardware', format: ['auto', 'on', 'off'], default: 'auto' },
    history: { doc: 'Transitions kept for the REPL history command', format: 'nat', default: 200 },
    metrics: {
      listen: {
        doc: 'Prometheus /metrics (OpenMetrics) on host:port, e.g. 127.0.0.1:9464 or this terminal\'s management LAN address; empty: off (docs/operations.md)',
        format: 'listen-address',
        default: '',
        env: 'LIFECHECK_METRICS_LISTEN',
      },
    },
    panel: {
      listen: {
        doc: 'The browser panel (docs/panel.md) on host:port: the screen, touches and, on the sim profile, the simulated devices; config/default.json serves it on 127.0.0.1:8470, the hardware preset turns it off; empty: off',
        format: 'listen-address',
        default: '',
        env: 'LIFECHECK_PANEL_LISTEN',
      },
      siAdmin: {
        doc: 'Loopback admin URL of the reference SI service (lifecheck si-dev) whose faults the panel switches when si.kind is https; empty: SI faults only on the simulated SI',
        format: String,
        default: '',
        env: 'LIFECHECK_PANEL_SI_ADMIN',
      },
    },
  },
};

/** How an identity device is provided: simulated twin, real driver + our emulator, real driver + real device. */
export type IdentityDeviceKind = 'sim' | 'emulator' | 'device';

/** The validated configuration, as the rest of the code sees it. */
export interface LifecheckConfig {
  profile: 'sim' | 'hardware';
  terminal: { number: string; utcOffsetMinutes: number; qrUrl: string; receiptLookupUrl: string };
  session: { countdownSeconds: number; countdownWarnAt: number; maxCaptureAttempts: number; maxAttemptsPerDay: number };
  liveness: { actions: Action[]; count: number; maxFailures: number };
  vision: { kind: 'cooperative' | 'scripted' | 'opencv'; modelPath: string; modelCache: string; cascadePath: string; focalFactor: number; detectWidth: number };
  delays: Partial<Record<DelayName, number>>;
  devices: {
    idReader: { kind: IdentityDeviceKind; port: string; baudRate: number; pollMs: number };
    sscReader: { kind: IdentityDeviceKind; reader: string };
    barcode: { kind: IdentityDeviceKind; mode: 'serial' | 'hid'; device: string; baudRate: number; terminator: 'CR' | 'LF' | 'CRLF' | 'TAB' };
    clock: { kind: 'sim' | 'timedatectl'; floor: string; pollMs: number };
    camera: { kind: 'sim' | 'synth' | 'clip' | 'device'; portrait: string; device: string; clip: string; width: number; height: number; fps: number; fourcc: 'MJPG' | 'YUYV' };
    touch: { device: string; calibration: AxisCalibration };
    display: {
      framebuffer: string;
      width: number;
      height: number;
      geometry: 'sysfs' | 'config';
      sysfsDir: string;
      stride: number;
      format: PixelFormat;
      cursorBlink: string;
      mirrorPreview: boolean;
      fonts: FontFiles;
    };
    speaker: { alsaDevice: string; volume: number };
    printer: { device: string; paperWidth: 58 | 80; qr: 'native' | 'image'; statusQuery: boolean; statusTimeoutMs: number; timeoutMs: number; pollMs: number };
  };
  si: { kind: 'sim' | 'https'; url: string; timeoutMs: number; readAttempts: number; retryBaseMs: number; caFile: string; certFile: string; keyFile: string };
  outbox: {
    answerWithinMs: number;
    requestTimeoutMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    maxPending: number;
    store: 'memory' | 'sqlite';
    path: string;
    keyFile: string;
    maxBytes: number;
    pollMs: number;
    keepDeliveredDays: number;
    reportFailedAfterDays: number;
    minFreeBytes: number;
  };
  log: { level: string };
  voice: { language: VoiceLanguage; rate: number; cacheDir: string; recordingsDir: string };
  privacy: { recordPersonalData: boolean };
  ops: { replSocket: string; replSocketMode: '0600' | '0660'; allowInjection: 'auto' | 'on' | 'off'; history: number; metrics: { listen: string }; panel: { listen: string; siAdmin: string } };
}

const here = dirname(fileURLToPath(import.meta.url));
/** config/default.json of the installed package (src/config → ../../config, dist/config alike). */
export const DEFAULT_CONFIG_FILE = join(here, '..', '..', 'config', 'default.json');
export const SYSTEM_CONFIG_FILE = '/etc/lifecheck/config.json';
/** The portrait the synth camera animates when `devices.camera.portrait` is empty. */
export const DEFAULT_PORTRAIT = join(here, '..', '..', 'assets', 'faces', 'astronaut.jpg');

/** The hardware profile's defaults, read after default.json when the profile is hardware. */
export const HARDWARE_PRESET_FILE = join(here, '..', '..', 'config', 'hardware.json');

export interface LoadOptions {
  /** Explicit file (--config); must exist. Without it /etc/lifecheck/config.json is read if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values applied last (tests, traces). */
  overrides?: Record<string, unknown>;
  /** Skip /etc/lifecheck/config.json (tests, replay). */
  ignoreSystemFile?: boolean;
  /**
   * Check what the profile can run with (default true). Off for the maintainer's tools
   * (`lifecheck devices`), which must work while the configuration is still being put right.
   */
  profileChecks?: boolean;
}

export function loadConfig(options: LoadOptions = {}): LifecheckConfig {
  const files = [DEFAULT_CONFIG_FILE];
  if (options.file) {
    if (!existsSync(options.file)) throw new ConfigError(`config file ${options.file} does not exist`);
    files.push(options.file);
  } else if (!options.ignoreSystemFile && existsSync(SYSTEM_CONFIG_FILE)) {
    files.push(SYSTEM_CONFIG_FILE);
  }
  let props = build(files, options);
  // The profile is known once every layer is read; the hardware one brings its own defaults (real
  // devices, the face pipeline, the SI over HTTPS, the durable outbox), under the terminal's file.
  if (props.profile === 'hardware') props = build([DEFAULT_CONFIG_FILE, HARDWARE_PRESET_FILE, ...files.slice(1)], options);
  crossCheck(props, options.profileChecks ?? true);
  return props;
}

function build(files: string[], options: LoadOptions): LifecheckConfig {
  const config = convict<LifecheckConfig>(schema as unknown as convict.Schema<LifecheckConfig>, {
    env: options.env ?? process.env,
    args: [],
  });
  for (const file of files) {
    try {
      config.loadFile(file);
    } catch (e) {
      throw new ConfigError(`config file ${file} cannot be read: ${(e as Error).message}`);
    }
  }
  if (options.overrides) config.load(options.overrides as Partial<LifecheckConfig>);
  try {
    config.validate({ allowed: 'strict' });
  } catch (e) {
    throw new ConfigError(`invalid configuration:\n${(e as Error).message}`);
  }
  return config.getProperties();
}

function crossCheck(c: LifecheckConfig, profileChecks: boolean): void {
  const problems: string[] = [];
  if (c.liveness.count < 1) problems.push('liveness.count: must be at least 1');
  if (c.liveness.count > c.liveness.actions.length) {
    problems.push(`liveness.count: asks for ${c.liveness.count} actions but liveness.actions lists only ${c.liveness.actions.length}`);
  }
  if (c.liveness.maxFailures < 1) problems.push('liveness.maxFailures: must be at least 1');
  if (c.session.countdownSeconds < 10) problems.push('session.countdownSeconds: must be at least 10');
  if (c.session.countdownWarnAt >= c.session.countdownSeconds) problems.push('session.countdownWarnAt: must be below session.countdownSeconds');
  if (c.session.maxCaptureAttempts < 1) problems.push('session.maxCaptureAttempts: must be at least 1');
  if (c.devices.speaker.volume < 0 || c.devices.speaker.volume > 100) problems.push('devices.speaker.volume: must be from 0 to 100');
  if (c.devices.idReader.pollMs < 20) problems.push('devices.idReader.pollMs: must be at least 20 (the reader is asked this often)');
  if (!(c.vision.focalFactor >= 0.3 && c.vision.focalFactor <= 5)) problems.push('vision.focalFactor: must be from 0.3 to 5 (focal length over frame width)');
  if (c.vision.detectWidth < 80 || c.vision.detectWidth > 1920) problems.push('vision.detectWidth: must be from 80 to 1920 pixels');
  if (c.devices.camera.kind === 'synth' && c.devices.camera.portrait && !existsSync(c.devices.camera.portrait)) problems.push(`devices.camera.portrait: no such file: ${c.devices.camera.portrait}`);
  if (c.devices.camera.kind === 'clip' && !c.devices.camera.clip) problems.push('devices.camera.clip: kind clip needs the path of a video file or image folder');
  if (c.devices.camera.fps < 1 || c.devices.camera.fps > 120) problems.push('devices.camera.fps: must be from 1 to 120');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(c.devices.clock.floor) || Number.isNaN(Date.parse(c.devices.clock.floor))) {
    problems.push(`devices.clock.floor: must be a date YYYY-MM-DD (got '${c.devices.clock.floor}')`);
  }
  if (c.devices.clock.pollMs < 1_000) problems.push('devices.clock.pollMs: must be at least 1000');
  if (c.ops.panel.siAdmin && !isLoopbackUrl(c.ops.panel.siAdmin)) problems.push(`ops.panel.siAdmin: must be an http(s) URL on 127.0.0.1, [::1] or localhost (got '${c.ops.panel.siAdmin}')`);
  if (c.profile === 'hardware' && profileChecks) problems.push(...hardwareProblems(c));
  if (c.voice.rate < 80 || c.voice.rate > 450) problems.push('voice.rate: must be from 80 to 450 words per minute (espeak-ng)');
  if (problems.length) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

function isLoopbackUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

/** What the hardware profile cannot run with: simulated parts that would pretend to serve people. */
function hardwareProblems(c: LifecheckConfig): string[] {
  const problems: string[] = [];
  for (const name of ['idReader', 'sscReader', 'barcode'] as const) {
    if (c.devices[name].kind === 'sim') problems.push(`devices.${name}.kind: sim is a simulated device, which only the sim profile has (hardware: device, or emulator on a bench)`);
  }
  if (c.devices.clock.kind === 'sim') problems.push('devices.clock.kind: sim trusts any clock; the hardware profile asks systemd (timedatectl)');
  if (c.devices.camera.kind === 'sim') problems.push('devices.camera.kind: sim has no frames on the hardware profile (device; clip or synth on a bench)');
  if (c.vision.kind !== 'opencv') problems.push(`vision.kind: ${c.vision.kind} does not look at the person; the hardware profile judges faces with the pipeline (opencv)`);
  if (c.si.kind !== 'https') problems.push('si.kind: sim is the simulated SI; the hardware profile submits to the SI service over HTTPS');
  if (c.outbox.store !== 'sqlite') problems.push('outbox.store: memory loses submissions on a restart; the hardware profile keeps them in sqlite');
  for (const [role, path] of Object.entries(c.devices.display.fonts)) {
    if (!existsSync(path)) problems.push(`devices.display.fonts.${role}: no such file: ${path} (fonts-noto-cjk, fonts-hanazono)`);
  }
  const cal = c.devices.touch.calibration;
  if (cal.maxX <= cal.minX) problems.push('devices.touch.calibration.maxX: must be above minX');
  if (cal.maxY <= cal.minY) problems.push('devices.touch.calibration.maxY: must be above minY');
  return problems;
}

export function settingsOf(c: LifecheckConfig): TerminalSettings {
  return {
    terminalNumber: c.terminal.number,
    countdownSeconds: c.session.countdownSeconds,
    countdownWarnAt: c.session.countdownWarnAt,
    actions: c.liveness.actions,
    actionCount: c.liveness.count,
    maxActionFailures: c.liveness.maxFailures,
    maxCaptureAttempts: c.session.maxCaptureAttempts,
    maxAttemptsPerDay: c.session.maxAttemptsPerDay,
    utcOffsetMinutes: c.terminal.utcOffsetMinutes,
  };
}

export function delaysOf(c: LifecheckConfig): Record<DelayName, number> {
  return resolveDelays(c.delays);
}

/** Where the debug REPL listens: configured, else systemd's runtime directory, else a default per profile. */
export function replSocketPath(c: LifecheckConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (c.ops.replSocket) return c.ops.replSocket;
  const runtime = env.RUNTIME_DIRECTORY?.split(':')[0];
  if (runtime) return `${runtime}/repl.sock`;
  return c.profile === 'hardware' ? '/run/lifecheck/repl.sock' : 'var/run/repl.sock';
}

export function injectionAllowed(c: LifecheckConfig): boolean {
  return c.ops.allowInjection === 'on' || (c.ops.allowInjection === 'auto' && c.profile === 'sim');
}
