/**
 * The Terminal as the configuration describes it (settings, delays, receipt), on the ports a
 * profile made: the one place both profiles build it, so they cannot drift apart.
 */
import type { InspectionEvent } from 'xstate';
import type { Clock } from '../clock/clock.js';
import { delaysOf, settingsOf, type LifecheckConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { DelayName } from '../machine/delays.js';
import type { Outbox } from '../si-client/outbox.js';
import type { Output } from './outputs.js';
import type { PhotoStore } from './photo-store.js';
import { Terminal, type TerminalPorts } from './terminal.js';

export interface ConfiguredParts {
  config: LifecheckConfig;
  ports: TerminalPorts;
  clock: Clock;
  logger: Logger;
  outbox: Outbox;
  photos: PhotoStore;
  seed: number;
  /** Overrides on top of the configured delays (tests). */
  delays?: Partial<Record<DelayName, number>>;
  onOutput?: (output: Output) => void;
  inspect?: (event: InspectionEvent) => void;
  history?: number;
}

export function configuredTerminal(parts: ConfiguredParts): Terminal {
  const { config } = parts;
  const settings = settingsOf(config);
  return new Terminal({
    ports: parts.ports,
    clock: parts.clock,
    settings,
    delays: { ...delaysOf(config), ...parts.delays },
    receipt: { terminalNumber: settings.terminalNumber, utcOffsetMinutes: settings.utcOffsetMinutes, lookupUrl: config.terminal.receiptLookupUrl },
    outbox: parts.outbox,
    photos: parts.photos,
    logger: parts.logger,
    seed: parts.seed,
    ...(parts.onOutput ? { onOutput: parts.onOutput } : {}),
    ...(parts.inspect ? { inspect: parts.inspect } : {}),
    ...(parts.history ? { history: parts.history } : {}),
  });
}
