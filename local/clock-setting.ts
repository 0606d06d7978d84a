/** Imported first by `npm start`: the clock moves ahead, as its setting asks, before anything reads it. */
import { clockOffsetFrom, shiftClock } from './clock.js';
import { setting } from './settings.js';

shiftClock(clockOffsetFrom(setting(process.env, 'ENVELOPE_CLOCK_OFFSET_DAYS')));
