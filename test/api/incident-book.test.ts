import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncidentBook, type IncidentState, type VerdictRow } from '../../api/incident-book.js';
import type { IncidentQuery, IncidentStatus, IncidentSummary } from '../../api/store.js';
import { seededRandom } from '../../events/generate.js';
import { STANDARDS } from '../../events/schema.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

function state(incidentId: string, salonId: string, startedKey: number, version: number, rest: Partial<IncidentState> = {}): IncidentState {
  return {
    incidentId,
    salonId,
    cameraId: `${salonId}-cam`,
    standard: 'greeting',
    startedKey,
    endedKey: 0,
    summary: `v${version}`,
    measured: 40,
    threshold: 30,
    evidence: [],
    version,
    ...rest,
  };
}

const everything: IncidentQuery = { salonIds: null, statuses: null, limit: 1000 };
const ids = (items: readonly IncidentSummary[]) => items.map((i) => i.incidentId);

void test('newest first; a newer version replaces an older one, an older one arriving late changes nothing', () => {
  const book = new IncidentBook(T0);
  book.applyStates([state('a', 's1', T0 + 1000, 1), state('b', 's1', T0 + 2000, 1), state('c', 's2', T0 + 2000, 1)]);
  book.applyStates([state('a', 's1', T0 + 1000, 3, { endedKey: T0 + 9000 }), state('b', 's1', T0 + 2000, 0)]);
  book.applyStates([state('a', 's1', T0 + 1000, 2)]);
  const { items, complete } = book.page(everything);
  assert.deepEqual(ids(items), ['c', 'b', 'a']);
  const [, b, a] = items;
  assert.ok(a !== undefined && b !== undefined);
  assert.equal(a.summary, 'v3');
  assert.equal(a.endedAt, new Date(T0 + 9000).toISOString());
  assert.equal(b.endedAt, null);
  // No lower bound: incidents before the book's window may exist, so the caller must look.
  assert.equal(complete, false);
  assert.equal(book.page({ ...everything, from: new Date(T0).toISOString() }).complete, true);
});

void test('the latest review decides the status; a review may come before its incident', () => {
  const book = new IncidentBook(T0);
  book.applyVerdicts([{ incidentId: 'a', verdict: 'dismiss', reviewedKey: T0 + 50 }]);
  book.applyStates([state('a', 's1', T0 + 10, 1), state('b', 's1', T0 + 20, 1)]);
  book.applyVerdicts([{ incidentId: 'a', verdict: 'confirm', reviewedKey: T0 + 40 }]);
  const statuses = (s: IncidentStatus) => ids(book.page({ ...everything, statuses: [s] }).items);
  assert.deepEqual(statuses('dismissed'), ['a']);
  assert.deepEqual(statuses('pending'), ['b']);
  book.applyVerdicts([{ incidentId: 'a', verdict: 'confirm', reviewedKey: T0 + 60 }]);
  assert.deepEqual(statuses('confirmed'), ['a']);
});

void test('incidents that started before the window are not kept; a full page needs nothing older', () => {
  const book = new IncidentBook(T0);
  book.applyStates([state('old', 's1', T0 - 1, 1), state('new', 's1', T0, 1)]);
  assert.equal(book.size, 1);
  assert.deepEqual(book.page({ ...everything, limit: 1 }), { items: book.page(everything).items, complete: true });
});

void test('a newer report that moves the start or the salon moves the incident in both orders', () => {
  const book = new IncidentBook(T0);
  book.applyStates([state('a', 's1', T0 + 10, 1), state('b', 's1', T0 + 20, 1)]);
  book.applyStates([state('a', 's2', T0 + 30, 2)]);
  assert.deepEqual(ids(book.page(everything).items), ['a', 'b']);
  assert.deepEqual(ids(book.page({ ...everything, salonIds: ['s1'] }).items), ['b']);
  assert.deepEqual(ids(book.page({ ...everything, salonIds: ['s2'] }).items), ['a']);
});

/** What the book must answer: every state's newest version, filtered, sorted, cut. */
function reference(states: readonly IncidentState[], verdicts: readonly VerdictRow[], query: IncidentQuery, fromKey: number): IncidentSummary[] {
  const newest = new Map<string, IncidentState>();
  for (const s of states) {
    const seen = newest.get(s.incidentId);
    if (seen === undefined || s.version > seen.version) newest.set(s.incidentId, s);
  }
  const verdictOf = new Map<string, VerdictRow>();
  for (const v of verdicts) {
    const seen = verdictOf.get(v.incidentId);
    if (seen === undefined || v.reviewedKey >= seen.reviewedKey) verdictOf.set(v.incidentId, v);
  }
  const statusOf = (id: string): IncidentStatus => {
    const v = verdictOf.get(id)?.verdict;
    return v === 'confirm' ? 'confirmed' : v === 'dismiss' ? 'dismissed' : 'pending';
  };
  const from = query.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(query.from);
  const to = query.to === undefined ? Number.POSITIVE_INFINITY : Date.parse(query.to);
  const after = query.after;
  return [...newest.values()]
    .filter((s) => s.startedKey >= fromKey && s.startedKey >= from && s.startedKey < to)
    .filter((s) => after === undefined || s.startedKey < Date.parse(after.startedAt) || (s.startedKey === Date.parse(after.startedAt) && s.incidentId < after.incidentId))
    .filter((s) => query.salonIds === null || query.salonIds.includes(s.salonId))
    .filter((s) => query.standard === undefined || s.standard === query.standard)
    .filter((s) => query.statuses === null || query.statuses.includes(statusOf(s.incidentId)))
    .sort((a, b) => b.startedKey - a.startedKey || (a.incidentId < b.incidentId ? 1 : -1))
    .slice(0, query.limit)
    .map((s) => ({
      incidentId: s.incidentId,
      salonId: s.salonId,
      cameraId: s.cameraId,
      standard: s.standard,
      startedAt: new Date(s.startedKey).toISOString(),
      endedAt: s.endedKey === 0 ? null : new Date(s.endedKey).toISOString(),
      summary: s.summary,
      measured: s.measured,
      threshold: s.threshold,
      status: statusOf(s.incidentId),
      evidence: s.evidence,
    }));
}

void test('random incidents, versions, reviews and queries: pages match a reference, and cursor paging walks the same list', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const random = seededRandom(seed);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const salons = ['s1', 's2', 's3', 's4', 's5'];
    const fromKey = T0 + 2 * DAY;
    const states: IncidentState[] = [];
    const verdicts: VerdictRow[] = [];
    for (let i = 0; i < 900; i++) {
      const id = `inc-${Math.floor(random() * 600)}`;
      // Starts on a coarse grid, so that ties in startedKey are common and the id decides.
      const started = T0 + Math.floor(random() * 10 * 24) * 3_600_000;
      const first = states.find((s) => s.incidentId === id);
      states.push(
        state(id, first?.salonId ?? pick(salons), first?.startedKey ?? started, Math.floor(random() * 5), {
          standard: first?.standard ?? pick(STANDARDS),
          endedKey: random() < 0.5 ? 0 : started + 60_000,
        }),
      );
      if (random() < 0.4) verdicts.push({ incidentId: id, verdict: pick(['confirm', 'dismiss'] as const), reviewedKey: T0 + Math.floor(random() * 1000) });
    }
    const book = new IncidentBook(fromKey);
    // In random order and in chunks both above and below the bulk threshold.
    for (let i = 0; i < states.length; ) {
      const n = random() < 0.3 ? 400 : 1 + Math.floor(random() * 20);
      book.applyStates(states.slice(i, i + n));
      book.applyVerdicts(verdicts.slice(Math.floor((i / states.length) * verdicts.length), Math.floor(((i + n) / states.length) * verdicts.length)));
      i += n;
    }
    for (let q = 0; q < 200; q++) {
      const lo = T0 + Math.floor(random() * 12) * DAY;
      const query: IncidentQuery = {
        salonIds: random() < 0.4 ? null : salons.filter(() => random() < 0.4),
        statuses: random() < 0.5 ? null : (['pending', 'confirmed', 'dismissed'] as const).filter(() => random() < 0.5),
        limit: 1 + Math.floor(random() * 60),
        ...(random() < 0.3 ? { standard: pick(STANDARDS) } : {}),
        ...(random() < 0.5 ? { from: new Date(lo).toISOString() } : {}),
        ...(random() < 0.3 ? { to: new Date(lo + Math.floor(random() * 5) * DAY).toISOString() } : {}),
      };
      const label = `seed ${seed}, ${JSON.stringify(query)}`;
      const page = book.page(query);
      const inBook = reference(states, verdicts, query, fromKey);
      assert.deepEqual(page.items, inBook, label);
      if (page.complete) assert.deepEqual(page.items, reference(states, verdicts, query, Number.NEGATIVE_INFINITY), label);
      else assert.ok(page.items.length < query.limit && (query.from === undefined || Date.parse(query.from) < fromKey), label);

      // Cursor paging in pages of `limit` walks the whole list once.
      const walked: IncidentSummary[] = [];
      let cursor = book.page(query);
      for (;;) {
        walked.push(...cursor.items);
        const last = cursor.items.at(-1);
        if (last === undefined || cursor.items.length < query.limit) break;
        cursor = book.page({ ...query, after: { startedAt: last.startedAt, incidentId: last.incidentId } });
      }
      assert.deepEqual(walked, reference(states, verdicts, { ...query, limit: 100_000 }, fromKey), label);
    }
  }
});
