import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogramOf, type BodyColours } from '../../../detectors/appearance.js';
import type { Detections } from '../../../detectors/detections.js';
import {
  createByteTracker,
  DEFAULT_TRACKER_CONFIG,
  usesColours,
  type Tracker,
} from '../../../detectors/tracker/byte-tracker.js';
import type { TrackedPerson } from '../../../detectors/track.js';

type Det = readonly [x1: number, y1: number, x2: number, y2: number, score: number];

function dets(list: readonly Det[]): Detections {
  return {
    count: list.length,
    boxes: Float32Array.from(list.flatMap(([x1, y1, x2, y2]) => [x1, y1, x2, y2])),
    scores: Float32Array.from(list.map((d) => d[4])),
    classIds: new Uint16Array(list.length),
  };
}

/** A 40x100 person whose left edge is at `x`, top at `y`. */
function person(x: number, y: number, score = 0.9): Det {
  return [x, y, x + 40, y + 100, score];
}

/** Feeds one frame per entry, `stepMs` apart; returns what the tracker reported per frame. */
function feed(
  tracker: Tracker,
  frames: readonly (readonly Det[])[],
  stepMs = 100,
): TrackedPerson[][] {
  return frames.map((frame, i) => tracker.update(dets(frame), i * stepMs));
}

type Rgb = readonly [number, number, number];
const RED: Rgb = [220, 10, 20];
const BLUE: Rgb = [30, 60, 160];
const GREY: Rgb = [90, 90, 90];

function outfit(shirt: Rgb, trousers: Rgb = GREY): BodyColours {
  return {
    upper: histogramOf([{ rgb: shirt, share: 1 }]),
    lower: histogramOf([{ rgb: trousers, share: 1 }]),
  };
}

/** Like `feed`, with each detection's body colours given beside it (`describe`). */
function feedDressed(
  tracker: Tracker,
  frames: readonly (readonly (readonly [Det, BodyColours])[])[],
  stepMs = 100,
): TrackedPerson[][] {
  return frames.map((frame, i) =>
    tracker.update(dets(frame.map(([d]) => d)), i * stepMs, (index) => frame[index]?.[1]),
  );
}

/** The id reported nearest to `x` on a frame (undefined when nobody is reported within 30 px). */
function idNear(tracks: readonly TrackedPerson[], x: number): number | undefined {
  const near = tracks.filter((t) => Math.abs(t.box.x1 - x) < 30);
  return near[0]?.trackId;
}

describe('ByteTrack tracker', () => {
  it('keeps one id for a person walking steadily and reports them from their second frame', () => {
    const frames = Array.from({ length: 20 }, (_, i) => [person(10 + i * 8, 50)]);
    const out = feed(createByteTracker(), frames);
    assert.equal(out[0]?.length, 0, 'birth hysteresis: not reported on the first sighting');
    const ids = new Set(out.slice(1).map((f) => f[0]?.trackId));
    assert.deepEqual([...ids], [1]);
  });

  it('never reports a detection seen on a single frame, nor one too weak to start a track', () => {
    const frames: Det[][] = [
      [person(300, 50)],
      [],
      [person(100, 50, 0.55)],
      [person(100, 50, 0.55)],
      [person(100, 50, 0.55)],
    ];
    const out = feed(createByteTracker({ newTrackScore: 0.6 }), frames);
    assert.ok(
      out.every((f) => f.length === 0),
      JSON.stringify(out),
    );
  });

  it('keeps both ids when two people cross paths', () => {
    // A walks right, B walks left, 20 px lower; their boxes overlap heavily for a few frames.
    const frames = Array.from({ length: 30 }, (_, i) => [
      person(20 + i * 10, 50),
      person(310 - i * 10, 70),
    ]);
    const out = feed(createByteTracker(), frames);
    const first = out[2];
    const last = out[29];
    assert.ok(first !== undefined && last !== undefined);
    const a = idNear(first, 40);
    const b = idNear(first, 290);
    assert.ok(a !== undefined && b !== undefined && a !== b);
    assert.equal(idNear(last, 20 + 29 * 10), a, 'A keeps its id after the crossing');
    assert.equal(idNear(last, 310 - 29 * 10), b, 'B keeps its id after the crossing');
    for (const f of out.slice(1)) assert.equal(f.length, 2, 'both people reported on every frame');
  });

  it('re-finds a person after an occlusion gap shorter than the track buffer, at the predicted place', () => {
    const frames: Det[][] = [];
    for (let i = 0; i < 30; i++) frames.push(i >= 10 && i < 16 ? [] : [person(10 + i * 10, 50)]);
    const out = feed(createByteTracker({ maxLostMs: 1000 }), frames);
    assert.equal(out[9]?.[0]?.trackId, 1);
    assert.deepEqual(
      out.slice(10, 16).map((f) => f.length),
      [0, 0, 0, 0, 0, 0],
      'not reported while hidden',
    );
    assert.equal(out[16]?.[0]?.trackId, 1, 'same id right after the gap');
    assert.equal(out[29]?.[0]?.trackId, 1);
  });

  it('gives a new id when the gap outlasts the track buffer', () => {
    const frames: Det[][] = [];
    for (let i = 0; i < 30; i++) frames.push(i >= 10 && i < 16 ? [] : [person(10 + i * 10, 50)]);
    const out = feed(createByteTracker({ maxLostMs: 300 }), frames);
    assert.equal(out[9]?.[0]?.trackId, 1);
    assert.equal(out[16]?.length, 0, 'a re-born track waits for its second hit');
    assert.equal(out[17]?.[0]?.trackId, 2);
  });

  it('holds a lost track at its predicted box for holdLostMs', () => {
    const frames: Det[][] = [];
    for (let i = 0; i < 12; i++) frames.push(i >= 8 ? [] : [person(10 + i * 10, 50)]);
    const out = feed(createByteTracker({ holdLostMs: 200 }), frames);
    assert.deepEqual(
      out.slice(8).map((f) => f.length),
      [1, 1, 0, 0],
    );
    const held = out[9]?.[0];
    assert.ok(held !== undefined);
    assert.ok(
      Math.abs(held.box.x1 - (10 + 9 * 10)) < 6,
      `predicted x1 ${held.box.x1} follows the motion`,
    );
  });

  it('follows an occluded person through low-score detections (second pass) with the same id', () => {
    const frames: Det[][] = [];
    for (let i = 0; i < 20; i++)
      frames.push([person(10 + i * 10, 50, i >= 6 && i < 14 ? 0.3 : 0.9)]);
    const byte = feed(createByteTracker({ highScore: 0.5, lowScore: 0.1 }), frames);
    assert.ok(
      byte.slice(1).every((f) => f.length === 1 && f[0]?.trackId === 1),
      JSON.stringify(byte.map((f) => f.map((t) => t.trackId))),
    );

    // Without the low-score pass the same scene loses the person while occluded.
    const highOnly = feed(createByteTracker({ highScore: 0.5, lowScore: 0.5 }), frames);
    assert.deepEqual(
      highOnly.slice(6, 14).map((f) => f.length),
      [0, 0, 0, 0, 0, 0, 0, 0],
    );
  });

  it('with birthMaxOverlap, does not start a second track on part of a tracked body', () => {
    // A person plus a confident box on their legs (lower 40% of the body) on every frame.
    const frames = Array.from({ length: 6 }, (_, i): Det[] => {
      const x = 10 + i * 5;
      return [person(x, 50), [x + 2, 110, x + 38, 150, 0.8]];
    });
    const suppressed = feed(createByteTracker({ birthMaxOverlap: 0.8 }), frames);
    assert.ok(
      suppressed.slice(1).every((f) => f.length === 1),
      JSON.stringify(suppressed),
    );
    const plain = feed(createByteTracker({ birthMaxOverlap: 1 }), frames);
    assert.equal(plain[5]?.length, 2, 'without the check the legs become a second person');
  });

  it('recovers a small lost person by distance when the motion prediction overshoots', () => {
    // A 20x50 person walks right at 10 px per frame, is hidden for 6 frames, and reappears
    // where they were last seen (they stopped behind someone): the prediction has run 60 px
    // ahead, so IoU with it is 0, but the box is within one height of the last sighting.
    const small = (x: number): Det => [x, 50, x + 20, 100, 0.9];
    const frames: Det[][] = [];
    for (let i = 0; i < 10; i++) frames.push([small(10 + i * 10)]);
    for (let i = 0; i < 6; i++) frames.push([]);
    for (let i = 0; i < 4; i++) frames.push([small(100)]);
    const recovered = feed(createByteTracker({ recoverDistance: 1 }), frames);
    assert.equal(recovered[16]?.[0]?.trackId, 1, JSON.stringify(recovered[16]));
    const plain = feed(createByteTracker({ recoverDistance: 0 }), frames);
    assert.equal(plain[17]?.[0]?.trackId, 2, 'without recovery the person is re-born');
  });

  it('does not let a low-score box start a track', () => {
    const frames = Array.from({ length: 5 }, () => [person(100, 50, 0.3)]);
    const out = feed(createByteTracker(), frames);
    assert.ok(out.every((f) => f.length === 0));
  });

  it('uses elapsed time, not frame count: the same walk at 25 fps and 10 fps keeps its id across a 0.6 s gap', () => {
    for (const fps of [10, 25]) {
      const step = 1000 / fps;
      const speed = 100; // px per second
      const frames: Det[][] = [];
      const n = Math.round(3 * fps);
      for (let i = 0; i < n; i++) {
        const t = i / fps;
        frames.push(t >= 1 && t < 1.6 ? [] : [person(10 + speed * t, 50)]);
      }
      const out = feed(createByteTracker({ maxLostMs: 1000 }), frames, step);
      const ids = new Set(out.flatMap((f) => f.map((p) => p.trackId)));
      assert.deepEqual([...ids], [1], `${fps} fps`);
    }
  });

  it('rejects time going backwards and invalid settings', () => {
    const tracker = createByteTracker();
    tracker.update(dets([]), 1000);
    assert.throws(() => tracker.update(dets([]), 900), /backwards/);
    assert.throws(() => createByteTracker({ lowScore: 0.8, highScore: 0.5 }), /lowScore/);
    assert.throws(() => createByteTracker({ minHits: 0 }), /minHits/);
  });

  it('ignores classes other than person', () => {
    const d = dets([person(10, 10), person(10, 10)]);
    const cars: Detections = { ...d, classIds: Uint16Array.from([2, 2]) };
    const tracker = createByteTracker();
    tracker.update(cars, 0);
    assert.equal(tracker.update(cars, 100).length, 0);
  });

  it('with colours, does not hand a lost track to someone else who walks into its place', () => {
    // A red-shirted person walks right and is hidden for 3 frames; a blue-shirted person then
    // appears exactly where the red one was predicted to be.
    const frames: (readonly [Det, BodyColours])[][] = [];
    for (let i = 0; i < 10; i++) frames.push([[person(10 + i * 10, 50), outfit(RED)]]);
    for (let i = 10; i < 13; i++) frames.push([]);
    for (let i = 13; i < 18; i++) frames.push([[person(10 + i * 10, 50), outfit(BLUE)]]);
    const dressed = feedDressed(createByteTracker(), frames);
    assert.equal(dressed[13]?.length, 0, 'a new person waits for their second hit');
    assert.equal(dressed[14]?.[0]?.trackId, 2, JSON.stringify(dressed[14]));
    // By motion alone (no colours passed) the blue person continues the red one's track.
    const plain = feed(
      createByteTracker(),
      frames.map((f) => f.map(([d]) => d)),
    );
    assert.equal(plain[13]?.[0]?.trackId, 1);
  });

  it('with colours, re-finds a person hidden for longer than the buffer who looks the same', () => {
    // Red walks right at 100 px/s, stops behind something for 2 s (buffer 1 s), and steps out
    // 20 px from where they were last seen; the motion prediction has run 200 px ahead.
    const frames: (readonly [Det, BodyColours])[][] = [];
    for (let i = 0; i < 10; i++) frames.push([[person(10 + i * 10, 50), outfit(RED)]]);
    for (let i = 0; i < 20; i++) frames.push([]);
    const reappear = (colours: BodyColours): (readonly [Det, BodyColours])[][] => [
      ...frames,
      ...Array.from({ length: 3 }, () => [[person(120, 50), colours] as const]),
    ];
    const same = feedDressed(createByteTracker({ maxLostMs: 1000 }), reappear(outfit(RED)));
    assert.equal(same[30]?.[0]?.trackId, 1, JSON.stringify(same[30]));
    const other = feedDressed(createByteTracker({ maxLostMs: 1000 }), reappear(outfit(BLUE)));
    assert.equal(other[30]?.length, 0);
    assert.equal(other[31]?.[0]?.trackId, 2, 'someone else is a new person');
    const plain = feed(
      createByteTracker({ maxLostMs: 1000 }),
      reappear(outfit(RED)).map((f) => f.map(([d]) => d)),
    );
    assert.equal(plain[31]?.[0]?.trackId, 2, 'by motion alone the track ended after 1 s');
  });

  it('with colours, does not extend a track with a low-score box of someone else', () => {
    // Red is followed; then only a low-score box is seen at their place: their own (red) keeps
    // the track going, a blue one (the person in front) does not.
    const run = (colours: BodyColours): TrackedPerson[][] => {
      const frames: (readonly [Det, BodyColours])[][] = [];
      for (let i = 0; i < 6; i++) frames.push([[person(10 + i * 10, 50), outfit(RED)]]);
      for (let i = 6; i < 10; i++) frames.push([[person(10 + i * 10, 50, 0.3), colours]]);
      return feedDressed(createByteTracker(), frames);
    };
    const own = run(outfit(RED));
    assert.ok(
      own.slice(6).every((f) => f[0]?.trackId === 1),
      JSON.stringify(own),
    );
    const other = run(outfit(BLUE));
    assert.deepEqual(
      other.slice(6).map((f) => f.length),
      [0, 0, 0, 0],
    );
  });

  it('with colours, keeps reporting a person hidden behind another for occludedHoldMs, not one gone in the open', () => {
    // A (red) stands at x 100; B (blue), nearer the camera, stands in front of three quarters
    // of A. From frame 6 only B is detected.
    const a: readonly [Det, BodyColours] = [person(100, 50), outfit(RED)];
    const b: readonly [Det, BodyColours] = [[110, 30, 160, 160, 0.9], outfit(BLUE)];
    const frames: (readonly [Det, BodyColours])[][] = [];
    for (let i = 0; i < 6; i++) frames.push([a, b]);
    for (let i = 6; i < 12; i++) frames.push([b]);
    const out = feedDressed(createByteTracker({ occludedHoldMs: 300 }), frames);
    assert.deepEqual(
      out.slice(5).map((f) => f.map((p) => p.trackId)),
      [[1, 2], [1, 2], [1, 2], [1, 2], [2], [2], [2]],
    );
    const held = out[7]?.[0];
    assert.ok(held !== undefined && Math.abs(held.box.x1 - 100) < 3, 'at their predicted place');
    const alone = feedDressed(
      createByteTracker({ occludedHoldMs: 300 }),
      frames.map((f) => f.filter((d) => d !== b)),
    );
    assert.equal(alone[6]?.length, 0, 'nobody in front: not held');
    // By motion alone the low-score pass keeps hidden people instead: no hold.
    const plain = feed(
      createByteTracker({ occludedHoldMs: 300 }),
      frames.map((f) => f.map(([d]) => d)),
    );
    assert.deepEqual(
      plain[6]?.map((p) => p.trackId),
      [2],
    );
  });

  it('asks for the colours of the boxes it compares or learns from only', () => {
    // One person and twenty faint boxes elsewhere (sky, benches) on every frame.
    const clutter = Array.from({ length: 20 }, (_, k): Det => [
      400 + k * 30,
      300,
      420 + k * 30,
      340,
      0.3,
    ]);
    const tracker = createByteTracker();
    const asked: number[] = [];
    for (let i = 0; i < 10; i++) {
      tracker.update(dets([person(10 + i * 10, 50), ...clutter]), i * 100, (index) => {
        asked.push(index);
        return outfit(RED);
      });
    }
    assert.ok(
      asked.every((index) => index === 0),
      `only the person: ${JSON.stringify(asked)}`,
    );
    assert.ok(asked.length <= 10, 'at most once per frame');
  });

  it('compares colours by default, and not when both similarities are 0', () => {
    assert.equal(usesColours(DEFAULT_TRACKER_CONFIG), true);
    assert.equal(
      usesColours({ ...DEFAULT_TRACKER_CONFIG, reidMinSimilarity: 0, lowMinSimilarity: 0 }),
      false,
    );
    assert.throws(() => createByteTracker({ occludedHoldMs: -1 }), /occludedHoldMs/);
    assert.throws(() => createByteTracker({ reidMinSimilarity: 1.5 }), /reidMinSimilarity/);
    assert.throws(() => createByteTracker({ reidSpeed: -1 }), /reidSpeed/);
  });
});
