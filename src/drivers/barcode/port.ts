/** Barcode / QR scanner (serial or HID keyboard wedge): one scanned payload becomes one event. */
import type { BarcodeScan, DeviceEvent, ReadError } from '../../machine/types.js';
import type { InputPort } from '../emitter.js';

export type BarcodeEvent = BarcodeScan | ReadError | DeviceEvent;
export type BarcodePort = InputPort<BarcodeEvent>;
