import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSalonwatchError } from '../../common/errors.js';
import {
  loadFleet,
  parseFleet,
  parseOpeningHours,
  parseStreamUrl,
  polygonProblem,
} from '../../config/fleet.js';

/** A valid one-salon fleet; each test breaks exactly one thing in a copy. */
function fleet() {
  return {
    macroRegions: [{ id: 'volga', name: 'Volga' }],
    partners: [{ id: 'p1', name: 'Partner 1' }],
    salons: [
      {
        id: 's1',
        name: 'Salon 1',
        partnerId: 'p1',
        regionId: 'volga',
        timeZone: 'Europe/Moscow',
        openingHours: { mon: '09:00-21:00', sun: '10:00-18:00' },
        cameras: [
          {
            id: 'c1',
            url: 'rtsp://127.0.0.1:18554/c1',
            zones: {
              entrance: {
                polygon: [
                  [0, 0.5],
                  [0.2, 0.5],
                  [0.2, 1],
                  [0, 1],
                ],
                inward: [1, 0],
              },
              queue: {
                polygon: [
                  [0.3, 0.5],
                  [0.5, 0.5],
                  [0.5, 0.9],
                ],
              },
            },
          },
        ],
      },
    ],
  };
}

type Doc = ReturnType<typeof fleet>;
type Salon = Doc['salons'][number];
type Camera = Salon['cameras'][number] & Record<string, unknown>;

function salon(doc: Doc): Salon & Record<string, unknown> {
  const s = doc.salons[0];
  assert.ok(s);
  return s;
}
function camera(doc: Doc): Camera {
  const c = salon(doc).cameras[0];
  assert.ok(c);
  return c;
}

/** Asserts that parsing fails with CONFIG_INVALID and that one line reads exactly `line`. */
function rejects(doc: unknown, line: string) {
  try {
    parseFleet(doc, 'fleet.yaml');
  } catch (error) {
    assert.ok(isSalonwatchError(error), String(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    const lines = error.message.split('\n').map((l) => l.trim());
    assert.ok(lines.includes(line), `expected the line\n  ${line}\nin\n${error.message}`);
    return;
  }
  assert.fail(`expected "${line}"`);
}

void describe('parseFleet', () => {
  void it('accepts a valid fleet, applies defaults and freezes the result', () => {
    const result = parseFleet(fleet());
    const cam = result.cameras[0];
    assert.ok(cam);
    assert.equal(cam.fps, 1);
    assert.deepEqual(cam.frameSize, { width: 768, height: 432 });
    assert.deepEqual(cam.source, { kind: 'rtsp', url: 'rtsp://127.0.0.1:18554/c1' });
    assert.equal(cam.salonId, 's1');
    assert.deepEqual(result.salons[0]?.openingHours.mon, { open: 540, close: 1260 });
    assert.equal(result.salons[0].openingHours.tue, undefined);
    assert.ok(Object.isFrozen(cam.zones.queue?.polygon[0]));
    assert.throws(() => {
      (cam as { fps: number }).fps = 2;
    }, TypeError);
  });

  void it('samples the sub-stream when one is given', () => {
    const doc = fleet();
    camera(doc)['subStreamUrl'] = 'rtsp://127.0.0.1:18554/c1-sub';
    assert.equal(parseFleet(doc).cameras[0]?.source.url, 'rtsp://127.0.0.1:18554/c1-sub');
  });

  void it('loads the example file', async () => {
    const example = await loadFleet(
      new URL('../../config/fleet.example.yaml', import.meta.url).pathname,
    );
    assert.equal(example.cameras.length, 2);
  });

  void it('rejects an unknown key at its path', () => {
    const doc = fleet();
    camera(doc)['fpss'] = 2;
    rejects(
      doc,
      'salons[0].cameras[0].fpss: unknown key (allowed: id, url, subStreamUrl, fps, frameSize, keyframeIntervalS, zones, floor)',
    );
  });

  void it('rejects an unknown zone name', () => {
    const doc = fleet();
    (camera(doc).zones as Record<string, unknown>)['counter'] = { polygon: [] };
    rejects(
      doc,
      'salons[0].cameras[0].zones.counter: unknown key (allowed: entrance, queue, service, staffOnly)',
    );
  });

  void it('rejects a missing field', () => {
    const doc = fleet();
    delete (salon(doc) as Partial<Salon>).timeZone;
    rejects(doc, 'salons[0].timeZone: expected required property');
  });

  void it('rejects a wrong type', () => {
    const doc = fleet();
    camera(doc)['fps'] = 'fast';
    rejects(doc, 'salons[0].cameras[0].fps: expected number');
  });

  void it('rejects a point that is not a pair', () => {
    const doc = fleet();
    (camera(doc).zones.queue as { polygon: unknown[] }).polygon[1] = [0.5];
    rejects(doc, 'salons[0].cameras[0].zones.queue.polygon[1]: expected tuple to have 2 elements');
  });

  void it('rejects a polygon with fewer than 3 points', () => {
    const doc = fleet();
    (camera(doc).zones.queue as { polygon: unknown[] }).polygon = [
      [0.3, 0.5],
      [0.5, 0.5],
    ];
    rejects(doc, 'salons[0].cameras[0].zones.queue: polygon needs at least 3 points, got 2');
  });

  void it('rejects a self-intersecting polygon (a bow tie)', () => {
    const doc = fleet();
    (camera(doc).zones.queue as { polygon: unknown[] }).polygon = [
      [0.1, 0.1],
      [0.9, 0.9],
      [0.9, 0.1],
      [0.1, 0.9],
    ];
    rejects(
      doc,
      'salons[0].cameras[0].zones.queue: polygon intersects itself (edge 0-1 crosses edge 2-3)',
    );
  });

  void it('rejects coordinates outside [0, 1]', () => {
    const doc = fleet();
    (camera(doc).zones.queue as { polygon: unknown[] }).polygon[2] = [1.2, 0.4];
    rejects(
      doc,
      'salons[0].cameras[0].zones.queue: point 2 [1.2, 0.4] is outside the picture (coordinates are normalised to [0, 1])',
    );
  });

  void it('rejects repeated points and collinear polygons', () => {
    assert.equal(
      polygonProblem([
        [0, 0],
        [0.5, 0.5],
        [0.5, 0.5],
        [0, 1],
      ]),
      'points 1 and 2 are the same point',
    );
    assert.equal(
      polygonProblem([
        [0, 0],
        [0.5, 0.5],
        [1, 1],
      ]),
      'polygon has no area (all points on a line)',
    );
    assert.equal(
      polygonProblem([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ]),
      undefined,
    );
    // A concave but simple ring is fine; an edge touching a non-adjacent edge is not.
    assert.equal(
      polygonProblem([
        [0, 0],
        [1, 0],
        [0.5, 0.5],
        [1, 1],
        [0, 1],
      ]),
      undefined,
    );
    assert.match(
      polygonProblem([
        [0, 0],
        [1, 0],
        [0, 0.5],
        [0.5, 0.5],
        [0, 1],
      ]) ?? '',
      /intersects itself/,
    );
  });

  void it('rejects a zero inward direction', () => {
    const doc = fleet();
    (camera(doc).zones.entrance as { inward: number[] }).inward = [0, 0];
    rejects(
      doc,
      'salons[0].cameras[0].zones.entrance.inward: inward direction must be a non-zero vector',
    );
  });

  void it('checks the floor calibration quadrilateral', () => {
    const doc = fleet();
    camera(doc)['floor'] = {
      image: [
        [0.1, 0.9],
        [0.9, 0.9],
        [0.1, 0.4],
        [0.9, 0.4],
      ],
      world: [
        [0, 0],
        [6, 0],
        [6, 8],
        [0, 8],
      ],
    };
    rejects(
      doc,
      'salons[0].cameras[0].floor.image: polygon intersects itself (edge 1-2 crosses edge 3-0)',
    );
    camera(doc)['floor'] = {
      image: [
        [0.1, 0.9],
        [0.9, 0.9],
        [0.9, 0.4],
      ],
      world: [
        [0, 0],
        [6, 0],
        [6, 8],
        [0, 8],
      ],
    };
    rejects(doc, 'salons[0].cameras[0].floor.image: expected tuple to have 4 elements');
  });

  void it('rejects duplicate camera ids across salons', () => {
    const doc = fleet();
    const second = structuredClone(salon(doc));
    second.id = 's2';
    doc.salons.push(second);
    rejects(
      doc,
      'salons[1].cameras[0].id: duplicate camera id "c1" (first used at salons[0].cameras[0])',
    );
  });

  void it('rejects duplicate salon, partner and region ids', () => {
    const doc = fleet();
    doc.salons.push({ ...structuredClone(salon(doc)), cameras: [] });
    rejects(doc, 'salons[1].id: duplicate salon id "s1" (first used at salons[0])');
    const doc2 = fleet();
    doc2.partners.push({ id: 'p1', name: 'again' });
    doc2.macroRegions.push({ id: 'volga', name: 'again' });
    rejects(doc2, 'partners[1].id: duplicate partner id "p1" (first used at partners[0])');
    rejects(
      doc2,
      'macroRegions[1].id: duplicate macro-region id "volga" (first used at macroRegions[0])',
    );
  });

  void it('rejects references to unknown partners and regions', () => {
    const doc = fleet();
    salon(doc).partnerId = 'p9';
    salon(doc).regionId = 'ural';
    rejects(doc, 'salons[0].partnerId: unknown partner "p9"');
    rejects(doc, 'salons[0].regionId: unknown macro-region "ural"');
  });

  void it('rejects a time zone that is not IANA', () => {
    const doc = fleet();
    salon(doc).timeZone = 'Moscow/Standard';
    rejects(
      doc,
      'salons[0].timeZone: "Moscow/Standard" is not an IANA time zone (e.g. Europe/Moscow)',
    );
    salon(doc).timeZone = '+03:00';
    rejects(doc, 'salons[0].timeZone: "+03:00" is not an IANA time zone (e.g. Europe/Moscow)');
  });

  void it('rejects opening hours that do not parse', () => {
    const doc = fleet();
    salon(doc).openingHours.mon = '9-21';
    rejects(doc, `salons[0].openingHours.mon: "9-21" is not 'HH:MM-HH:MM'`);
    salon(doc).openingHours.mon = '21:00-09:00';
    rejects(
      doc,
      'salons[0].openingHours.mon: "21:00-09:00": closes before it opens (overnight hours are not supported)',
    );
    salon(doc).openingHours.mon = '25:00-26:00';
    rejects(doc, 'salons[0].openingHours.mon: "25:00-26:00": opening time is not a time of day');
    assert.deepEqual(parseOpeningHours('08:30-24:00'), { open: 510, close: 1440 });
  });

  void it('rejects URLs that do not parse or use an unsupported scheme', () => {
    const doc = fleet();
    camera(doc).url = 'udp://239.0.0.1:1234';
    rejects(
      doc,
      'salons[0].cameras[0].url: unsupported scheme "udp:" (expected rtsp, rtsps, http, https, file: or a file path)',
    );
    camera(doc).url = 'rtsp://exa mple/x';
    rejects(doc, 'salons[0].cameras[0].url: "rtsp://exa mple/x" is not a valid URL');
    camera(doc).url = 'rtsp://127.0.0.1:18554/c1';
    camera(doc)['subStreamUrl'] = 'http://';
    rejects(doc, 'salons[0].cameras[0].subStreamUrl: "http://" is not a valid URL');
  });

  void it('parses every supported kind of stream address', () => {
    assert.deepEqual(parseStreamUrl('rtsps://cam.local:322/live'), {
      kind: 'rtsp',
      url: 'rtsps://cam.local:322/live',
    });
    assert.deepEqual(parseStreamUrl('https://nvr/hls/index.m3u8'), {
      kind: 'http',
      url: 'https://nvr/hls/index.m3u8',
    });
    assert.deepEqual(parseStreamUrl('../shared/data/a.mp4'), {
      kind: 'file',
      url: '../shared/data/a.mp4',
    });
    assert.deepEqual(parseStreamUrl('file:///data/a%20b.mp4'), {
      kind: 'file',
      url: '/data/a b.mp4',
    });
  });

  void it('lists every problem, not only the first', () => {
    const doc = fleet();
    salon(doc).timeZone = 'Nowhere';
    camera(doc).url = 'ftp://x/y';
    assert.throws(() => parseFleet(doc, 'fleet.yaml'), /fleet\.yaml: 2 problems/);
  });
});
