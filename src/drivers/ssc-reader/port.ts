/** Social security card (社会保障卡) reader over PC/SC: card basic info as an identify event. */
import type { DeviceEvent, ReadError, SscRead } from '../../machine/types.js';
import type { InputPort } from '../emitter.js';

export type SscReaderEvent = SscRead | ReadError | DeviceEvent;
export type SscReaderPort = InputPort<SscReaderEvent>;
