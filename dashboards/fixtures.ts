/**
 * Generated data for the dashboards' tests and benchmark, written by ClickHouse itself
 * (`INSERT ... SELECT ... FROM numbers(n)`): a year of rollups for 1,300 salons is millions of
 * rows, which the server produces in seconds while shipping them over HTTP would take minutes.
 * Values come from hashes of the row number, so a run is reproducible and never reads the clock:
 * the last day is passed in.
 *
 * What is generated, per salon and day, mirrors what the sink writes (clickhouse/migrations):
 * one `rollup_daily` row, 12 opening hours of `rollup_hourly`, incidents of every standard
 * (reported when opened and again when closed, except a few still open on the last day) with
 * their `incident_days` share, reviews for one incident in five (a third of them dismissals),
 * the `incident_daily` totals net of those dismissals, and the `salons` dimension. Raw `events` (waits and the per-minute samples around them) are
 * generated for the first `rawSalons` salons only: the dashboards read raw events for one salon
 * at a time through the (salonId, occurredAt) primary key, so other salons' raw rows would cost
 * disk, not query time.
 */
import { Type } from '@sinclair/typebox';
import { Sql, sql } from '../clickhouse/sql.js';
import type { ClickHouse } from '../clickhouse/client.js';
import { incidentDailyRebuildSql } from '../clickhouse/rollups.js';
import { SalonwatchError } from '../common/errors.js';

export interface FixtureShape {
  readonly salons: number;
  readonly days: number;
  /** The last generated day, `YYYY-MM-DD` (UTC). */
  readonly lastDay: string;
  readonly incidentsPerDay: number;
  readonly rawSalons: number;
  readonly regions: number;
}

export const TIMEZONE = 'Europe/Moscow';
export const salonId = (i: number) => `salon-${i}`;
export const regionId = (i: number) => `region-${i}`;

/** Salon-local opening hours as UTC hours for Moscow (UTC+3): 10:00-22:00 local. */
const FIRST_UTC_HOUR = 7;
const OPEN_HOURS = 12;
const CAMERA_KINDS = "['offline', 'frozen', 'black', 'moved']";
const STANDARDS = "['greeting', 'queue_length', 'waiting_time', 'staff_presence', 'camera_coverage']";

/** `h(n, k)`: a deterministic pseudo-random UInt64 for row n and purpose k. */
const h = (k: number) => `cityHash64(number, ${k})`;

export interface Fill {
  readonly table: string;
  /** [column, SQL expression over `number`] */
  readonly columns: readonly (readonly [string, string])[];
  readonly from: string;
}

export function fills(shape: FixtureShape): Fill[] {
  const { salons: S, days: D, incidentsPerDay: N, rawSalons: R, regions } = shape;
  const last = `toDate('${shape.lastDay}')`;
  const salon = (n: string) => `concat('salon-', toString(${n}))`;
  const rollupColumns = (hours: number): [string, string][] => {
    const visits = `(${hours} * 7 + ${h(1)} % (${hours} * 7))`;
    const present = `toUInt32(${visits} * (85 + ${h(2)} % 15) / 100)`;
    const greeted = `toUInt32(${present} * (70 + ${h(3)} % 30) / 100)`;
    const waits = `(${hours} * 3 + ${h(4)} % (${hours} * 3))`;
    const samples = `${hours * 60}`;
    return [
      ['version', '1'],
      ['events', `${samples} * 2 + ${visits} + ${waits}`],
      ['visits', visits],
      ['visitors', `${visits} + ${h(5)} % 20`],
      ['visitsStaffPresent', present],
      ['visitsGreeted', greeted],
      ['greetingLatencySum', `${greeted} * (5 + ${h(6)} % 20)`],
      ['visitSeconds', `${visits} * (120 + ${h(7)} % 600)`],
      ['waits', waits],
      ['waitsAbandoned', `${h(8)} % 5`],
      ['waitSeconds', `${waits} * (60 + ${h(9)} % 200)`],
      ['waitMaxS', `toFloat32(120 + ${h(10)} % 600)`],
      ['queueSamples', samples],
      ['queueLengthSum', `${samples} * (${h(11)} % 40) / 10`],
      ['queueLengthMax', `toUInt16(intDiv(${h(11)} % 40, 10) + 1 + ${h(12)} % 4)`],
      ['staffSamples', samples],
      ['openSeconds', `${hours * 3600}`],
      ['unstaffedOpenSeconds', `${h(13)} % ${hours * 150}`],
      ['observedSeconds', `${hours * 3600}`],
      ['cameraHealthEvents', `${h(14)} % 3`],
    ];
  };

  // Incident i: salon i % S, day intDiv(i, S * N); each is written twice (open, close): row = 2i + closed.
  const inc = 'intDiv(number, 2)';
  const incSalon = `${inc} % ${S}`;
  const incDay = `intDiv(${inc}, ${S * N})`;
  const incStart = `toDateTime(${last} - ${incDay}, 'UTC') + ${FIRST_UTC_HOUR * 3600} + cityHash64(${inc}, 20) % ${(OPEN_HOURS - 1) * 3600}`;
  const incDuration = `(60 + cityHash64(${inc}, 21) % 1800)`;
  const incStandard = `${STANDARDS}[intDiv(${inc}, ${S}) % 5 + 1]`;
  const incKind = `${CAMERA_KINDS}[cityHash64(${inc}, 22) % 4 + 1]`;
  // On the last day, the camera incident (the fifth of the day) of every third salon is still open:
  // no closing report, so coverage "now" is below 100%.
  const stillOpen = `(${incDay} = 0 AND intDiv(${inc}, ${S}) = 4 AND ${incSalon} % 3 = 0)`;
  // Raw events: per open minute m of salon r a queue sample (k = 0), a staff sample (k = 1) and every
  // tenth minute a wait (k = 2).
  const minute = `toDateTime(${last} - intDiv(m, ${OPEN_HOURS * 60}), 'UTC') + ${FIRST_UTC_HOUR * 3600} + (m % ${OPEN_HOURS * 60}) * 60`;

  return [
    {
      table: 'salons',
      columns: [
        ['salonId', salon('number')],
        ['name', `concat('Salon ', toString(number + 1))`],
        ['partnerId', `concat('partner-', toString(number % 40))`],
        ['regionId', `concat('region-', toString(number % ${regions}))`],
        ['timezone', `'${TIMEZONE}'`],
        ['updatedAt', `toDateTime('2026-01-01 00:00:00', 'UTC')`],
      ],
      from: `numbers(${S})`,
    },
    {
      table: 'rollup_daily',
      columns: [['salonId', salon(`number % ${S}`)], ['localDate', `${last} - intDiv(number, ${S})`], ...rollupColumns(OPEN_HOURS)],
      from: `numbers(${S * D})`,
    },
    {
      table: 'rollup_hourly',
      columns: [
        ['salonId', salon(`number % ${S}`)],
        ['hour', `toDateTime(${last} - intDiv(number, ${S * OPEN_HOURS}), 'UTC') + (${FIRST_UTC_HOUR} + intDiv(number, ${S}) % ${OPEN_HOURS}) * 3600`],
        ['localDate', `${last} - intDiv(number, ${S * OPEN_HOURS})`],
        ...rollupColumns(1),
      ],
      from: `numbers(${S * D * OPEN_HOURS})`,
    },
    {
      table: 'incidents',
      columns: [
        ['incidentId', `concat('inc-', toString(${inc}))`],
        ['eventId', `concat('ev-inc-', toString(number))`],
        ['salonId', salon(incSalon)],
        ['cameraId', `concat(${salon(incSalon)}, '-cam-', toString(cityHash64(${inc}, 23) % 3))`],
        ['nodeId', `'node-1'`],
        ['standard', incStandard],
        ['startedAt', incStart],
        ['startedMs', '0'],
        ['endedAt', `if(number % 2 = 1, ${incStart} + ${incDuration}, NULL)`],
        ['endedMs', '0'],
        // The opening summary names the state, as detectors/rules/health.ts writes it.
        [
          'summary',
          `if(${incStandard} = 'camera_coverage',
              if(number % 2 = 0, concat('camera ', ${incKind}, ' for more than 600 s: generated'),
                 concat('camera unusable for ', toString(${incDuration}), ' s: generated')),
              concat('generated ', ${incStandard}, ' incident'))`,
        ],
        ['measured', incDuration],
        ['threshold', '600'],
        ['evidenceSha256', `[lower(hex(SHA256(toString(${inc}))))]`],
        ['evidenceCapturedAt', `['2026-01-01T00:00:00.000Z']`],
        ['occurredAt', `${incStart} + (number % 2) * ${incDuration}`],
        ['occurredMs', '0'],
        ['localDate', `${last} - ${incDay}`],
        ['version', `toUInt64(${incStart}) * 1000 + number % 2`],
      ],
      from: `numbers(${S * D * N * 2}) WHERE NOT (number % 2 = 1 AND ${stillOpen})`,
    },
    {
      table: 'incident_days',
      // Written from each report, as the sink does: the open one with the seconds so far, the closing
      // one with the whole duration and a higher version, so readers must deduplicate.
      columns: [
        ['salonId', salon(incSalon)],
        ['localDate', `${last} - ${incDay}`],
        ['incidentId', `concat('inc-', toString(${inc}))`],
        ['standard', incStandard],
        ['opened', '1'],
        ['seconds', `if(number % 2 = 1, ${incDuration}, least(${incDuration}, 600))`],
        ['version', `toUInt64(${incStart}) * 1000 + number % 2`],
      ],
      from: `numbers(${S * D * N * 2}) WHERE NOT (number % 2 = 1 AND ${stillOpen})`,
    },
    {
      table: 'incident_reviews',
      columns: [
        ['incidentId', `concat('inc-', toString(number))`],
        ['salonId', salon(`number % ${S}`)],
        ['reviewer', `'reviewer-1'`],
        ['reviewedAt', `toDateTime(${last} - intDiv(number, ${S * N}), 'UTC') + 22 * 3600`],
        ['reviewedMs', '0'],
        ['verdict', `if(cityHash64(number, 24) % 3 = 0, 'dismiss', 'confirm')`],
        ['comment', `'generated'`],
      ],
      from: `numbers(${S * D * N}) WHERE cityHash64(number, 25) % 5 = 0`,
    },
    {
      table: 'events',
      columns: [
        ['eventId', `concat('ev-', toString(number))`],
        ['type', `multiIf(k = 0, 'queue_sample', k = 1, 'staff_sample', 'wait')`],
        ['salonId', salon(`number % ${R}`)],
        ['cameraId', `concat(${salon(`number % ${R}`)}, '-cam-0')`],
        ['nodeId', `'node-1'`],
        ['occurredAt', `${minute} + k * 7`],
        ['occurredMs', '0'],
        ['producedAt', `${minute} + k * 7 + 1`],
        ['producedMs', '0'],
        ['localDate', `${last} - intDiv(m, ${OPEN_HOURS * 60})`],
        ['waitS', `if(k = 2, toFloat32(20 + cityHash64(number, 30) % 400 + (cityHash64(number, 31) % 10 = 0) * 300), 0)`],
        ['abandoned', `k = 2 AND cityHash64(number, 32) % 20 = 0`],
        ['queueLength', `if(k = 0, toUInt16(cityHash64(number, 33) % 6), 0)`],
        ['staffCount', `if(k = 1, toUInt16(cityHash64(number, 34) % 4), 0)`],
        ['customerCount', `toUInt16(cityHash64(number, 35) % 8)`],
        ['open', '1'],
        ['windowS', '60'],
        ['payload', `'{}'`],
      ],
      from: `(SELECT number, intDiv(number, ${R}) % 3 AS k, intDiv(number, ${R * 3}) AS m FROM numbers(${R * 3 * D * OPEN_HOURS * 60}))
             WHERE k < 2 OR m % 10 = 0`,
    },
  ];
}

/**
 * The INSERT for one table, limited to the columns the migrated schema has: a column renamed in
 * a migration is then simply not generated, and the dashboards' queries that still name it fail
 * in the test, which is the point of the test.
 */
export function fillStatement(fill: Fill, existing: ReadonlySet<string>): string {
  const kept = fill.columns.filter(([column]) => existing.has(column));
  return `INSERT INTO ${fill.table} (${kept.map(([c]) => c).join(', ')})\nSELECT ${kept.map(([, e]) => e).join(',\n       ')}\nFROM ${fill.from}`;
}

const ColumnRow = Type.Object({ table: Type.String(), name: Type.String() });

/** Fills the (already migrated) database behind `ch`. */
export async function generateFixtures(ch: ClickHouse, shape: FixtureShape): Promise<void> {
  const rows = await ch.query(sql`SELECT table, name FROM system.columns WHERE database = ${ch.database}`, ColumnRow);
  const columns = new Map<string, Set<string>>();
  for (const { table, name } of rows) columns.set(table, (columns.get(table) ?? new Set()).add(name));
  for (const fill of fills(shape)) {
    const existing = columns.get(fill.table);
    if (existing === undefined) throw new SalonwatchError('CONFIG_INVALID', `table ${fill.table} missing in ${ch.database}: migrations not applied?`);
    await ch.command(new Sql(fillStatement(fill, existing)));
  }
  if (columns.has('incident_daily')) for (const statement of derivedStatements()) await ch.command(statement);
}

/** After the fills: the daily incident totals net of the generated reviews, as the sink and the review store keep them. */
export function derivedStatements(): Sql[] {
  return [incidentDailyRebuildSql(1)];
}

