/**
 * 2nd-generation resident ID card reader (GA/T 467 "SAM" over serial). The driver decodes frames
 * and text; the port speaks only machine events: a decoded card, a read error, reader health.
 */
import type { DeviceEvent, IdCardRead, ReadError } from '../../machine/types.js';
import type { InputPort } from '../emitter.js';

export type IdReaderEvent = IdCardRead | ReadError | DeviceEvent;
export type IdReaderPort = InputPort<IdReaderEvent>;
