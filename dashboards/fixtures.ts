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
 * and the `salons` dimension. Raw `events` (waits and the per-minute samples around them) are
 * generated for the first `rawSalons` salons only: the dashboards read raw events for one salon
 * at a time through the (salonId, occurredAt) primary key, so other salons' raw rows would cost
 * disk, not query time.
 */
import { Sql } from '../clickhouse/sql.js';
import type { ClickHouse } from '../clickhouse/client.js';

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

function statements(shape: FixtureShape): string[] {
  const { salons: S, days: D, incidentsPerDay: N, rawSalons: R, regions } = shape;
  const last = `toDate('${shape.lastDay}')`;
  const salon = (n: string) => `concat('salon-', toString(${n}))`;
  const rollupColumns = (n: string, hours: number) => {
    const visits = `(${hours} * 7 + ${h(1)} % (${hours} * 7))`;
    const present = `toUInt32(${visits} * (85 + ${h(2)} % 15) / 100)`;
    const greeted = `toUInt32(${present} * (70 + ${h(3)} % 30) / 100)`;
    const waits = `(${hours} * 3 + ${h(4)} % (${hours} * 3))`;
    const samples = `${hours * 60}`;
    return `
      ${visits} AS visits, ${visits} + ${h(5)} % 20 AS visitors, ${present} AS visitsStaffPresent, ${greeted} AS visitsGreeted,
      ${greeted} * (5 + ${h(6)} % 20) AS greetingLatencySum, ${visits} * (120 + ${h(7)} % 600) AS visitSeconds,
      ${waits} AS waits, ${h(8)} % 5 AS waitsAbandoned, ${waits} * (60 + ${h(9)} % 200) AS waitSeconds,
      toFloat32(120 + ${h(10)} % 600) AS waitMaxS, ${samples} AS queueSamples, ${samples} * (${h(11)} % 40) / 10 AS queueLengthSum,
      toUInt16(intDiv(${h(11)} % 40, 10) + 1 + ${h(12)} % 4) AS queueLengthMax, ${samples} AS staffSamples, ${hours * 3600} AS openSeconds,
      ${h(13)} % ${hours * 150} AS unstaffedOpenSeconds, ${hours * 3600} AS observedSeconds, ${h(14)} % 3 AS cameraHealthEvents,
      ${samples} * 2 + ${visits} + ${waits} AS events, ${n} AS _n`;
  };
  const rollupList =
    'version, events, visits, visitors, visitsStaffPresent, visitsGreeted, greetingLatencySum, visitSeconds, waits, waitsAbandoned, ' +
    'waitSeconds, waitMaxS, queueSamples, queueLengthSum, queueLengthMax, staffSamples, openSeconds, unstaffedOpenSeconds, ' +
    'observedSeconds, cameraHealthEvents';

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

  const list = [
    `INSERT INTO salons (salonId, name, partnerId, regionId, timezone, updatedAt)
     SELECT ${salon('number')}, concat('Salon ', toString(number + 1)), concat('partner-', toString(number % 40)),
            concat('region-', toString(number % ${regions})),
            '${TIMEZONE}', toDateTime('2026-01-01 00:00:00', 'UTC')
     FROM numbers(${S})`,
    `INSERT INTO rollup_daily (salonId, localDate, ${rollupList})
     SELECT ${salon(`number % ${S}`)}, ${last} - intDiv(number, ${S}), 1, ${rollupList.replace('version, ', '')}
     FROM (SELECT number, ${rollupColumns('number', OPEN_HOURS)} FROM numbers(${S * D}))`,
    `INSERT INTO rollup_hourly (salonId, hour, localDate, ${rollupList})
     SELECT ${salon(`number % ${S}`)},
            toDateTime(${last} - intDiv(number, ${S * OPEN_HOURS}), 'UTC') + (${FIRST_UTC_HOUR} + intDiv(number, ${S}) % ${OPEN_HOURS}) * 3600,
            ${last} - intDiv(number, ${S * OPEN_HOURS}), 1, ${rollupList.replace('version, ', '')}
     FROM (SELECT number, ${rollupColumns('number', 1)} FROM numbers(${S * D * OPEN_HOURS}))`,
    `INSERT INTO incidents (incidentId, eventId, salonId, cameraId, nodeId, standard, startedAt, startedMs, endedAt, endedMs, summary,
                            measured, threshold, evidenceSha256, evidenceCapturedAt, occurredAt, occurredMs, localDate, version)
     SELECT concat('inc-', toString(${inc})), concat('ev-inc-', toString(number)), ${salon(incSalon)},
            concat(${salon(incSalon)}, '-cam-', toString(cityHash64(${inc}, 23) % 3)), 'node-1', ${incStandard},
            ${incStart}, 0, if(number % 2 = 1, ${incStart} + ${incDuration}, NULL), 0,
            if(${incStandard} = 'camera_coverage',
               if(number % 2 = 0, concat('camera ', ${incKind}, ' for more than 600 s: generated'), concat('camera unusable for ', toString(${incDuration}), ' s: generated')),
               concat('generated ', ${incStandard}, ' incident')),
            ${incDuration}, 600, [lower(hex(SHA256(toString(${inc}))))], ['2026-01-01T00:00:00.000Z'],
            ${incStart} + (number % 2) * ${incDuration}, 0, ${last} - ${incDay}, toUInt64(${incStart}) * 1000 + number % 2
     FROM numbers(${S * D * N * 2})
     WHERE NOT (number % 2 = 1 AND ${stillOpen})`,
    `INSERT INTO incident_days (salonId, localDate, incidentId, standard, opened, seconds, version)
     SELECT ${salon(`number % ${S}`)}, ${last} - intDiv(number, ${S * N}), concat('inc-', toString(number)),
            ${STANDARDS}[intDiv(number, ${S}) % 5 + 1], 1, 60 + cityHash64(number, 21) % 1800, 1
     FROM numbers(${S * D * N})`,
    `INSERT INTO incident_reviews (incidentId, salonId, reviewer, reviewedAt, reviewedMs, verdict, comment)
     SELECT concat('inc-', toString(number)), ${salon(`number % ${S}`)}, 'reviewer-1',
            toDateTime(${last} - intDiv(number, ${S * N}), 'UTC') + 22 * 3600, 0,
            if(cityHash64(number, 24) % 3 = 0, 'dismiss', 'confirm'), 'generated'
     FROM numbers(${S * D * N})
     WHERE cityHash64(number, 25) % 5 = 0`,
    // Raw events for the first R salons: per open minute a queue and a staff sample, plus waits.
    `INSERT INTO events (eventId, type, salonId, cameraId, nodeId, occurredAt, occurredMs, producedAt, producedMs, localDate,
                         waitS, abandoned, queueLength, staffCount, customerCount, open, windowS, payload)
     SELECT concat('ev-', toString(number)),
            multiIf(k = 0, 'queue_sample', k = 1, 'staff_sample', 'wait'),
            ${salon(`number % ${R}`)}, concat(${salon(`number % ${R}`)}, '-cam-0'), 'node-1',
            toDateTime(${last} - intDiv(m, ${OPEN_HOURS * 60}), 'UTC') + ${FIRST_UTC_HOUR * 3600} + (m % ${OPEN_HOURS * 60}) * 60 + k * 7,
            0, toDateTime(${last}, 'UTC'), 0, ${last} - intDiv(m, ${OPEN_HOURS * 60}),
            if(k = 2, toFloat32(20 + cityHash64(number, 30) % 400 + (cityHash64(number, 31) % 10 = 0) * 300), 0),
            k = 2 AND cityHash64(number, 32) % 20 = 0, if(k = 0, toUInt16(cityHash64(number, 33) % 6), 0),
            if(k = 1, toUInt16(cityHash64(number, 34) % 4), 0), toUInt16(cityHash64(number, 35) % 8), 1, 60, '{}'
     FROM (SELECT number, intDiv(number, ${R}) % 3 AS k, intDiv(number, ${R * 3}) AS m FROM numbers(${R * 3 * D * OPEN_HOURS * 60}))
     -- a wait every 10 minutes rather than every minute
     WHERE k < 2 OR m % 10 = 0`,
  ];
  return list;
}

/** Fills the database behind `ch` (already migrated). Returns the row counts per table. */
export async function generateFixtures(ch: ClickHouse, shape: FixtureShape): Promise<void> {
  for (const statement of statements(shape)) await ch.command(new Sql(statement));
}

/** The statements, for reading what is generated (and for the unit test of the generator's shape). */
export const fixtureStatements = statements;
