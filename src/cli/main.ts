/**
 * `lifecheck` command line. Subcommands: run, repl, replay, config, screenshot, receipt, outbox,
 * si-dev, devices, vision (README, "Command line"). Exit codes: 0 ok, 1 failure (e.g. a trace
 * mismatch), 2 usage error, 78 configuration error (systemd does not restart on it).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, EX_CONFIG, loadConfig, replSocketPath, type LifecheckConfig } from '../config/config.js';
import { createLogger, type Logger } from '../log/logger.js';
import { runDaemon } from '../ops/daemon.js';
import { runRepl } from '../ops/repl-client.js';
import { TraceError } from '../trace/format.js';
import { screenshot, ScreenshotUsageError } from './screenshot.js';
import { receipt } from './receipt.js';
import { devices } from './devices.js';
import { analyze, check, engineFor, parseActions, VisionUsageError } from './vision.js';
import { ClipError } from '../vision/clip.js';
import { ModelFormatError } from '../vision/landmarks/dlib-model.js';
import { OpenCvUnavailable } from '../vision/cv.js';
import { outboxCommand } from './outbox.js';
import { siDevCommand } from './si-dev.js';
import { loadTrace, replay, withExpectations } from '../trace/replay.js';
import { CoverageRecorder, describeCoverage } from '../trace/coverage.js';
import { terminalMachine } from '../machine/machine.js';
import { OperationalError } from '../lib/errors.js';

const HELP = `lifecheck — retiree proof-of-life terminal (离退休人员生存验证)

Usage:
  lifecheck run [--config FILE] [--demo] [--transcript] [--speed N] [--vision cooperative|scripted|opencv]
      Run the terminal. The sim profile uses simulated devices and SI; the hardware profile the real
      drivers (framebuffer, evdev touch, ALSA, usblp, V4L2, identity devices, SI over HTTPS).
      Opens the debug REPL socket, and /metrics (OpenMetrics, for Prometheus) on ops.metrics.listen
      when it is set (LIFECHECK_METRICS_LISTEN=127.0.0.1:9464; docs/operations.md). On the sim
      profile it serves the browser panel on ops.panel.listen (default http://127.0.0.1:8470/;
      LIFECHECK_PANEL_LISTEN, empty for off; docs/panel.md): the screen, touches and the devices.
      --demo     a simulated person walks through one whole session, then the terminal exits
      --transcript  print every screen, prompt and SI call as it happens (as --demo does)
      --speed N  run the clock N times faster (demo only)
      --vision   cooperative: a simulated person does every action; scripted: the REPL injects them;
                 opencv: the face pipeline judges the camera's frames (default: config vision.kind)
  lifecheck repl [--config FILE] [--socket PATH]
      Attach to a running terminal: state, send, wait, pause/step/resume, screen, inject, record,
      history. From a pipe: one command a line, one JSON answer a line; wait SCREEN lets a script
      drive a whole session (docs/repl.md).
  lifecheck replay FILE... [--quiet] [--update] [--coverage]
      Replay device traces with a simulated clock; print outputs as JSON lines; exit 1 with a diff
      on the first mismatch.
      --quiet    print only the verdict per trace
      --update   rewrite each trace's expectations from what the terminal produced
      --coverage list the machine's states and transitions no given trace reaches
  lifecheck config [--config FILE]
      Validate the configuration and print it as JSON.
  lifecheck screenshot SCREEN [--fixture NAME] [--size WxH] --out FILE.png | --list
      Render any screen with sample data (a fictional person) to PNG.
  lifecheck receipt [--fixture NAME] [--paper 58|80] [--qr native|image] --out FILE.bin|.png|.svg
      Write a sample receipt as the printer's ESC/POS bytes or as a picture (--list: fixtures).
  lifecheck outbox status|list|retry|keygen [--config FILE]
      The durable outbox: counts and oldest age, entries (no personal data), make entries due now.
  lifecheck si-dev [serve|certs|fault KIND|stats] [--dir DIR] [--port N]
      The reference SI service on 127.0.0.1 (HTTPS, client certificates, faults switched at run time).
  lifecheck devices [read-id [--port PATH] | read-ssc [--reader NAME]] [--timeout S]
  lifecheck devices calibrate-touch [--device PATH] [--timeout S]
      List serial ports and PC/SC readers; read one ID card or social security card (masked JSON);
      touch the screen's four corners to get devices.touch.calibration (JSON on stdout).
  lifecheck vision analyze PATH [--fps N] [--landmarks] [--config FILE]
      Face pipeline on an image, a folder of images or a video: one JSON line per frame
      ({"frame", "at", "faces": [{"box", "yaw", "pitch", "roll", "ear", "mar", "quality"}]}).
  lifecheck vision check CLIP --actions raise,blink [--budget S] [--tries N] [--json]
      Run a liveness challenge on a clip: pass/fail and time per action; exit 1 if any failed.
  lifecheck --help | --version

Configuration: config/default.json, then /etc/lifecheck/config.json (or --config), then
LIFECHECK_* environment variables. See README.md.
`;

class UsageError extends Error {}

/** The commands `lifecheck` has; each answers `--help` with its own part of HELP. */
export const COMMANDS = ['run', 'repl', 'replay', 'config', 'screenshot', 'receipt', 'outbox', 'si-dev', 'devices', 'vision'] as const;

/** What each command's exit code means (besides 2: a usage error, and 78: the configuration must change). */
export const EXIT_CODES: Record<(typeof COMMANDS)[number], string> = {
  run: '0 stopped (SIGTERM, Ctrl-C); 1 a device it cannot start without is missing, or a fatal error',
  repl: '0 every command answered ok; 1 a command failed, or no terminal at the socket',
  replay: '0 every trace matched; 1 a trace did not match (the first difference is printed)',
  config: '0 valid (printed)',
  screenshot: '0 written',
  receipt: '0 written',
  outbox: '0 done (status, list and retry also when entries are failing: read them)',
  'si-dev': '0 served until stopped, or done; 1 it could not start',
  devices: '0 read or found; 1 nothing read within the wait, the device is missing, or the read failed',
  vision: '0 analysed, or every action of check passed; 1 an action of check failed',
};

/** HELP's lines about one command: its usage lines and their explanations (one source for both). */
export function helpFor(command: string): string {
  const lines: string[] = [];
  let inside = false;
  for (const line of HELP.split('\n')) {
    const usage = /^ {2}lifecheck (\S+)/.exec(line);
    if (usage) inside = usage[1] === command;
    else if (!line.startsWith('    ')) inside = false;
    if (inside) lines.push(line);
  }
  const exit = EXIT_CODES[command as (typeof COMMANDS)[number]];
  return `Usage:\n${lines.join('\n')}\n\nExit codes: ${exit}; 2 a usage error; 78 the configuration must change (the message names the key).\n`;
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function cmdConfig(args: string[]): Promise<number> {
  const { values } = parse(args, { config: { type: 'string' } });
  const config = loadConfig(values.config ? { file: String(values.config) } : {});
  process.stdout.write(JSON.stringify(config, null, 2) + '\n');
  return 0;
}

async function cmdReplay(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { quiet: { type: 'boolean' }, update: { type: 'boolean' }, coverage: { type: 'boolean' } });
  if (positionals.length === 0) throw new UsageError('replay needs at least one trace file');
  let failed = 0;
  const coverage = new CoverageRecorder();
  for (const file of positionals) {
    const trace = await loadTrace(file);
    const result = await replay(trace, { inspect: coverage.inspect });
    if (values.update) {
      await writeFile(file, withExpectations(await readFile(file, 'utf8'), result.outputs));
      process.stdout.write(`updated ${file} (${result.outputs.length} outputs)\n`);
      continue;
    }
    if (!values.quiet) for (const o of result.outputs) process.stdout.write(JSON.stringify(o) + '\n');
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    if (result.mismatch) {
      failed++;
      process.stdout.write(`FAIL ${file}\n${result.report}\n`);
    } else {
      process.stdout.write(`ok ${file} (${trace.expects.length} expectations, ${(result.simulatedMs / 1000).toFixed(1)} s simulated)\n`);
    }
  }
  if (positionals.length > 1 && !values.update) process.stdout.write(`${positionals.length - failed} passed, ${failed} failed\n`);
  if (values.coverage) process.stdout.write(describeCoverage(coverage.report(terminalMachine)) + '\n');
  return failed ? 1 : 0;
}

async function cmdRun(args: string[]): Promise<number> {
  const { values } = parse(args, { config: { type: 'string' }, demo: { type: 'boolean' }, transcript: { type: 'boolean' }, speed: { type: 'string' }, vision: { type: 'string' } });
  const config: LifecheckConfig = loadConfig(values.config ? { file: String(values.config) } : {});
  const speed = values.speed ? Number(values.speed) : 1;
  if (!(speed > 0)) throw new UsageError('--speed must be a positive number');
  const vision = values.vision ?? config.vision.kind;
  if (vision !== 'cooperative' && vision !== 'scripted' && vision !== 'opencv') throw new UsageError('--vision must be cooperative, scripted or opencv');
  // In the demo the console shows the session; logs keep to warnings so the two do not mix.
  const logger: Logger = createLogger(values.demo || values.transcript ? 'warn' : config.log.level);
  if (config.profile === 'hardware') {
    // A real terminal serves real people: no simulated person, and faces are judged by the pipeline.
    if (values.demo) throw new UsageError('--demo needs the sim profile (a simulated person walks through it)');
    if (speed !== 1) throw new UsageError('--speed needs the sim profile (real people use the hardware one, on real time)');
    if (vision !== 'opencv') throw new UsageError(`--vision ${vision}: the hardware profile judges faces with the pipeline (opencv)`);
  }
  return runDaemon({ config, logger, demo: values.demo === true, transcript: values.transcript === true, speed, vision, out: process.stdout });
}

async function cmdVision(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    config: { type: 'string' },
    fps: { type: 'string' },
    landmarks: { type: 'boolean' },
    actions: { type: 'string' },
    budget: { type: 'string' },
    tries: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (sub !== 'analyze' && sub !== 'check') throw new UsageError('vision needs analyze or check');
  if (positionals.length !== 1) throw new UsageError(`vision ${sub} needs one PATH`);
  const number = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0)) throw new UsageError(`--${name} must be a positive number`);
    return n;
  };
  const fps = number('fps', values.fps);
  const config = loadConfig(values.config ? { file: String(values.config) } : {});
  const io = { out: (l: string) => process.stdout.write(l + '\n'), err: (l: string) => process.stderr.write(l + '\n') };
  try {
    const path = positionals[0]!;
    if (sub === 'analyze') return analyze(engineFor(config), path, { ...(fps ? { fps } : {}), landmarks: values.landmarks === true }, io);
    if (!values.actions) throw new UsageError('vision check needs --actions (e.g. raise,blink)');
    const actions = parseActions(values.actions);
    const budget = number('budget', values.budget);
    const tries = number('tries', values.tries);
    return check(engineFor(config), path, actions, { ...(budget ? { budgetMs: budget * 1000 } : {}), ...(tries ? { tries } : {}), ...(fps ? { fps } : {}), json: values.json === true }, io);
  } catch (e) {
    if (e instanceof VisionUsageError) throw new UsageError(e.message);
    if (e instanceof ClipError || e instanceof ModelFormatError || e instanceof OpenCvUnavailable) {
      process.stderr.write(`lifecheck: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

async function cmdRepl(args: string[]): Promise<number> {
  const { values } = parse(args, { config: { type: 'string' }, socket: { type: 'string' } });
  const socket = values.socket ?? replSocketPath(loadConfig(values.config ? { file: String(values.config) } : {}));
  return runRepl(socket, process.stdin, process.stdout);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `lifecheck CMD --help` (before any `--`): that command's usage, exit 0, nothing run.
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if ((COMMANDS as readonly string[]).includes(command ?? '') && (options.includes('--help') || options.includes('-h'))) {
    process.stdout.write(helpFor(command!));
    return 0;
  }
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      case '--version': {
        const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
        process.stdout.write(`${pkg.version}\n`);
        return 0;
      }
      case 'run':
        return await cmdRun(rest);
      case 'repl':
        return await cmdRepl(rest);
      case 'replay':
        return await cmdReplay(rest);
      case 'config':
        return await cmdConfig(rest);
      case 'screenshot':
        return await screenshot(rest, process.stdout);
      case 'receipt':
        return await receipt(rest, process.stdout);
      case 'outbox':
        return await outboxCommand(rest, process.stdout);
      case 'si-dev':
        return await siDevCommand(rest, process.stdout);
      case 'devices':
        return await devices(rest, process.stdout);
      case 'vision':
        return await cmdVision(rest);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`lifecheck: ${e.message}\n`);
      return EX_CONFIG;
    }
    if (e instanceof UsageError || e instanceof ScreenshotUsageError) {
      process.stderr.write(`lifecheck: ${e.message}\n\n${HELP}`);
      return 2;
    }
    if (e instanceof TraceError || e instanceof OperationalError) {
      process.stderr.write(`lifecheck: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
