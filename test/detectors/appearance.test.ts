import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BINS,
  blendBodyColours,
  bodyColours,
  bodyRegions,
  bodySimilarity,
  colourMask,
  histogramOf,
  maskedShare,
  parseHexColour,
  regionHistogram,
  similarity,
  torsoHistogram,
  torsoRegion,
} from '../../detectors/appearance.js';
import type { Frame } from '../../ingest/frame.js';

function frameWithShirt(rgb: [number, number, number]): Frame {
  const width = 200;
  const height = 200;
  const data = new Uint8Array(width * height * 3).fill(128);
  // A person box 50..150 x 20..180; the shirt covers the torso region and a bit more.
  for (let y = 40; y < 120; y++) {
    for (let x = 70; x < 130; x++) {
      const o = (y * width + x) * 3;
      data[o] = rgb[0];
      data[o + 1] = rgb[1];
      data[o + 2] = rgb[2];
    }
  }
  return { cameraId: 'c', capturedAt: 0, width, height, data };
}

describe('appearance', () => {
  const box = { x1: 50, y1: 20, x2: 150, y2: 180 };

  it('the torso histogram is the shirt colour, normalised', () => {
    const hist = torsoHistogram(frameWithShirt([220, 10, 20]), box);
    assert.ok(hist !== undefined, 'histogram');
    assert.equal(hist.length, BINS);
    const total = hist.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-5, `sums to ${total}`);
    const mask = colourMask([parseHexColour('#e30611')], 60);
    assert.ok(maskedShare(hist, mask) > 0.95, 'red shirt is uniform');
  });

  it('different shirts are dissimilar, the same shirt is similar', () => {
    const red = torsoHistogram(frameWithShirt([220, 10, 20]), box);
    const blue = torsoHistogram(frameWithShirt([30, 60, 160]), box);
    const red2 = torsoHistogram(frameWithShirt([225, 12, 18]), box);
    assert.ok(red !== undefined && blue !== undefined && red2 !== undefined, 'histograms');
    assert.ok(similarity(red, red2) > 0.95, 'same shirt');
    assert.ok(similarity(red, blue) < 0.05, 'different shirts');
  });

  it('an off-frame box has no histogram', () => {
    assert.equal(
      torsoHistogram(frameWithShirt([0, 0, 0]), { x1: 300, y1: 300, x2: 400, y2: 400 }),
      undefined,
    );
  });

  it('histogramOf and parseHexColour', () => {
    assert.deepEqual(parseHexColour('#e30611'), [227, 6, 17]);
    const h = histogramOf([
      { rgb: [0, 0, 0], share: 1 },
      { rgb: [255, 255, 255], share: 3 },
    ]);
    // Black and white sit beyond the outermost cell centres: all their weight stays in the corner cells.
    assert.ok(Math.abs((h[0] ?? 0) - 0.25) < 1e-6, `black ${h[0]}`);
    assert.ok(Math.abs((h[BINS - 1] ?? 0) - 0.75) < 1e-6, `white ${h[BINS - 1]}`);
  });

  it('regionHistogram of the torso region is the torso histogram', () => {
    const frame = frameWithShirt([220, 10, 20]);
    assert.deepEqual(regionHistogram(frame, torsoRegion(box)), torsoHistogram(frame, box));
  });
});

/** A 200x200 grey frame with a person box 50..150 x 20..180 in a shirt and trousers. */
function frameWithOutfit(
  shirt: [number, number, number],
  trousers: [number, number, number],
): Frame {
  const width = 200;
  const height = 200;
  const data = new Uint8Array(width * height * 3).fill(128);
  const paint = (y1: number, y2: number, rgb: [number, number, number]): void => {
    for (let y = y1; y < y2; y++) {
      for (let x = 60; x < 140; x++) data.set(rgb, (y * width + x) * 3);
    }
  };
  paint(40, 100, shirt);
  paint(100, 170, trousers);
  return { cameraId: 'c', capturedAt: 0, width, height, data };
}

describe('body colours', () => {
  const box = { x1: 50, y1: 20, x2: 150, y2: 180 };
  const red: [number, number, number] = [220, 10, 20];
  const blue: [number, number, number] = [30, 60, 160];
  const black: [number, number, number] = [15, 15, 15];

  it('reads the upper body and the legs as separate histograms', () => {
    const regions = bodyRegions(box);
    assert.ok(regions.upper.y2 <= regions.lower.y1, 'the regions do not overlap');
    const colours = bodyColours(frameWithOutfit(red, blue), box);
    assert.ok(colours?.lower !== undefined, 'both regions');
    const redMask = colourMask([red], 40);
    const blueMask = colourMask([blue], 40);
    assert.ok(maskedShare(colours.upper, redMask) > 0.95, 'red shirt');
    assert.ok(maskedShare(colours.lower, blueMask) > 0.95, 'blue trousers');
  });

  it('tells the same shirt over different trousers apart, which the torso alone cannot', () => {
    const a = bodyColours(frameWithOutfit(red, blue), box);
    const b = bodyColours(frameWithOutfit(red, black), box);
    const a2 = bodyColours(frameWithOutfit([224, 12, 18], [32, 58, 162]), box);
    assert.ok(a !== undefined && b !== undefined && a2 !== undefined);
    assert.ok(similarity(a.upper, b.upper) > 0.95, 'same shirt');
    assert.ok(bodySimilarity(a, b) < 0.6, `different people: ${bodySimilarity(a, b)}`);
    assert.ok(bodySimilarity(a, a2) > 0.9, `same person: ${bodySimilarity(a, a2)}`);
  });

  it('without legs in the frame compares the upper body alone; off-frame has no colours', () => {
    const frame = frameWithOutfit(red, blue);
    const cut = { x1: 50, y1: 120, x2: 150, y2: 280 }; // legs below the frame's bottom edge
    const colours = bodyColours(frame, cut);
    assert.ok(colours !== undefined && colours.lower === undefined, 'upper only');
    const whole = bodyColours(frame, box);
    assert.ok(whole !== undefined);
    assert.equal(bodySimilarity(colours, whole), similarity(colours.upper, whole.upper));
    assert.equal(bodyColours(frame, { x1: 300, y1: 300, x2: 400, y2: 400 }), undefined);
  });

  it('blends running colours by the weight of the newest sighting', () => {
    const a = { upper: histogramOf([{ rgb: red, share: 1 }]), lower: undefined };
    const b = {
      upper: histogramOf([{ rgb: blue, share: 1 }]),
      lower: histogramOf([{ rgb: black, share: 1 }]),
    };
    const mixed = blendBodyColours(a, b, 0.25);
    const redShare = maskedShare(mixed.upper, colourMask([red], 40));
    assert.ok(Math.abs(redShare - 0.75) < 1e-6, `red ${redShare}`);
    assert.equal(mixed.lower, b.lower, 'legs first seen now are taken as they are');
  });
});
