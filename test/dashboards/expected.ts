/**
 * What each panel binds to, shared by the tests that run the panels on ClickHouse 18.16 and on a
 * current release. Keys are `<dashboard uid>/<panel id>`.
 */
export type Kind = 'time' | 'number' | 'string';
const T: Kind = 'time';
const N: Kind = 'number';
const S: Kind = 'string';

/** What each panel binds to: column names in order, and what kind of value each holds. */
export const EXPECTED: Readonly<Record<string, readonly (readonly [string, Kind])[]>> = {
  'salonwatch-network/1': [
    ['rank', N], ['salon', S], ['salonId', S], ['region', S], ['partner', S], ['score', N], ['greeting', N],
    ['queue_length', N], ['waiting_time', N], ['staff_presence', N], ['camera_coverage', N], ['days', N],
  ],
  'salonwatch-network/2': [['rank', N], ['region', S], ['score', N], ['salons', N]],
  'salonwatch-network/3': [['coverage', N], ['salons', N], ['uncovered', N]],
  'salonwatch-network/4': [['time', T], ['coverage', N]],
  'salonwatch-network/5': [['time', T], ['score', N]],
  'salonwatch-network/6': [['time', T], ['greeting', N], ['queue_length', N], ['waiting_time', N], ['staff_presence', N], ['camera_coverage', N]],
  'salonwatch-salon/1': [
    ['time', T], ['score', N], ['greeting', N], ['queue_length', N], ['waiting_time', N], ['staff_presence', N], ['camera_coverage', N],
  ],
  'salonwatch-salon/2': [['time', T], ['mean_length', N], ['max_length', N], ['threshold', N]],
  'salonwatch-salon/3': [['wait', S], ['waits', N]],
  'salonwatch-salon/4': [['time', T], ['greeting_rate', N], ['greeting_latency_s', N]],
  'salonwatch-salon/5': [['time', T], ['unstaffed_min', N]],
  'salonwatch-salon/6': [['started', T], ['ended', T], ['minutes', N], ['status', S], ['incidentId', S]],
  'salonwatch-salon/7': [
    ['started', T], ['ended', T], ['standard', S], ['status', S], ['cameraId', S], ['summary', S], ['measured', N],
    ['threshold', N], ['incidentId', S], ['salonId', S],
  ],
  'salonwatch-cameras/1': [['state', S], ['cameras', N]],
  'salonwatch-cameras/2': [['time', T], ['outage_hours', N], ['salons_affected', N]],
  'salonwatch-cameras/3': [['time', T], ['offline', N], ['frozen', N], ['black', N], ['moved', N]],
  'salonwatch-cameras/4': [
    ['started', T], ['ended', T], ['cameraId', S], ['salon', S], ['state', S], ['minutes', N], ['status', S], ['incidentId', S], ['salonId', S],
  ],
};

export function kindOf(type: string): Kind | undefined {
  const inner = /^Nullable\((.*)\)$/.exec(type)?.[1] ?? type;
  if (/^DateTime\b/.test(inner)) return 'time';
  if (/^(U?Int\d+|Float\d+|Decimal)/.test(inner)) return 'number';
  if (/^(String|Enum8|Enum16|FixedString)/.test(inner)) return 'string';
  return undefined;
}

