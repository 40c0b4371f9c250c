import type { ContentLine } from './icalendar-text.js';

/**
 * The VTIMEZONE of Europe/Paris (RFC 5545 §3.6.5): CET/CEST with the EU rule in force since 1996,
 * summer time from the last Sunday of March 02:00 to the last Sunday of October 03:00. Calendar
 * clients need it to read `DTSTART;TZID=Europe/Paris:…` without guessing; the rule is the zone's
 * current one, which is all a future appointment needs.
 */
export const PARIS_TIME_ZONE = 'Europe/Paris';

export const PARIS_VTIMEZONE: readonly (ContentLine | string)[] = [
  'BEGIN:VTIMEZONE',
  { name: 'TZID', value: PARIS_TIME_ZONE },
  { name: 'X-LIC-LOCATION', value: PARIS_TIME_ZONE },
  'BEGIN:DAYLIGHT',
  { name: 'TZOFFSETFROM', value: '+0100' },
  { name: 'TZOFFSETTO', value: '+0200' },
  { name: 'TZNAME', value: 'CEST' },
  { name: 'DTSTART', value: '19700329T020000' },
  { name: 'RRULE', value: 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU' },
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  { name: 'TZOFFSETFROM', value: '+0200' },
  { name: 'TZOFFSETTO', value: '+0100' },
  { name: 'TZNAME', value: 'CET' },
  { name: 'DTSTART', value: '19701025T030000' },
  { name: 'RRULE', value: 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU' },
  'END:STANDARD',
  'END:VTIMEZONE',
];
