/**
 * Whether this terminal's wall clock can be trusted. A terminal that booted with its clock years off,
 * or whose NTP never answered, must not judge a card's expiry, stamp a receipt or start a session:
 * the clock is reported as a device (`clock`) that is faulty, so home shows out-of-service with the
 * reason until it is put right. A session already under way finishes (its time was trusted when it
 * started); timers run on monotonic time and are not moved by a step of the wall clock.
 */
import type { HealthSource, Lifecycle } from '../emitter.js';

/** Why the clock is not trusted. */
export type ClockProblem =
  /** Before this release's date: the clock cannot be right (a dead RTC battery, a fresh board). */
  | 'before-floor'
  /** systemd says NTP has not synchronised the clock (timedatectl NTPSynchronized=no). */
  | 'unsynchronised';

export interface TimeSyncPort extends Lifecycle, HealthSource {}
