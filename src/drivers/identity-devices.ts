/**
 * The identity devices (ID card reader, social security card reader, barcode scanner) as the
 * configuration asks for them, per device `kind`:
 *   sim      the simulated twin (traces, most tests);
 *   emulator the real driver against our emulator (socat pty / private pcscd + vpcd / FIFO);
 *   device   the real driver on the configured device.
 * createIdentityTwins serves both profiles: the sim profile's traces, demo and REPL put cards in
 * through the twins; on the hardware profile kind device wraps the real driver.
 */
import type { Clock } from '../clock/clock.js';
import type { LifecheckConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { InputPort } from './emitter.js';
import { EmulatedBarcode } from './barcode/emulated.js';
import { HidScanner } from './barcode/hid-scanner.js';
import type { BarcodePort } from './barcode/port.js';
import { SerialScanner } from './barcode/serial-scanner.js';
import { SimBarcode } from './barcode/sim.js';
import type { BarcodeTwin } from './barcode/twin.js';
import { EmulatedIdReader } from './id-reader/emulated.js';
import { GAT467_DEFAULTS, Gat467Reader } from './id-reader/gat467-reader.js';
import { SimIdReader } from './id-reader/sim.js';
import type { IdReaderTwin } from './id-reader/twin.js';
import { EmulatedSscReader } from './ssc-reader/emulated.js';
import { PCSC_DEFAULTS, PcscSscReader } from './ssc-reader/pcsc-reader.js';
import { SimSscReader } from './ssc-reader/sim.js';
import type { SscReaderTwin } from './ssc-reader/twin.js';
import { defaultRecordSize } from './touch/evdev.js';

type Devices = LifecheckConfig['devices'];

export function idReaderDriver(d: Devices, clock: Clock, logger: Logger): Gat467Reader {
  return new Gat467Reader({ ...GAT467_DEFAULTS, port: d.idReader.port, baudRate: d.idReader.baudRate, pollMs: d.idReader.pollMs, clock, logger });
}

export function sscReaderDriver(d: Devices, clock: Clock, logger: Logger): PcscSscReader {
  return new PcscSscReader({ ...PCSC_DEFAULTS, reader: d.sscReader.reader, clock, logger });
}

export function barcodeDriver(d: Devices, clock: Clock, logger: Logger): BarcodePort {
  const common = { terminator: d.barcode.terminator, reopenMs: 1_000, partialTimeoutMs: 500, clock, logger };
  return d.barcode.mode === 'serial'
    ? new SerialScanner({ ...common, port: d.barcode.device, baudRate: d.barcode.baudRate })
    : new HidScanner({ ...common, device: d.barcode.device, recordSize: defaultRecordSize() });
}

/**
 * A real device in the sim profile (a reader on the developer's desk): cards come from the
 * hardware, so simulated inputs are refused (false: "not delivered"), as by an unplugged twin.
 */
function deviceTwin<E>(driver: InputPort<E>) {
  const refuse = () => false;
  return {
    onEvent: (listener: (event: E) => void) => driver.onEvent(listener),
    start: () => driver.start(),
    stop: () => driver.stop(),
    tap: refuse,
    insert: refuse,
    scan: refuse,
    fail: refuse,
    unplug() {},
    replug() {},
  };
}

export function createIdentityTwins(d: Devices, clock: Clock, logger: Logger): { idReader: IdReaderTwin; sscReader: SscReaderTwin; barcode: BarcodeTwin } {
  const idReader: IdReaderTwin =
    d.idReader.kind === 'emulator'
      ? new EmulatedIdReader({ clock, logger, pollMs: d.idReader.pollMs })
      : d.idReader.kind === 'device'
        ? deviceTwin(idReaderDriver(d, clock, logger))
        : new SimIdReader(clock);
  const sscReader: SscReaderTwin =
    d.sscReader.kind === 'emulator'
      ? new EmulatedSscReader({ clock, logger })
      : d.sscReader.kind === 'device'
        ? deviceTwin(sscReaderDriver(d, clock, logger))
        : new SimSscReader(clock);
  const barcode: BarcodeTwin =
    d.barcode.kind === 'emulator'
      ? new EmulatedBarcode({ mode: d.barcode.mode, terminator: d.barcode.terminator, clock, logger })
      : d.barcode.kind === 'device'
        ? deviceTwin(barcodeDriver(d, clock, logger))
        : new SimBarcode();
  return { idReader, sscReader, barcode };
}
