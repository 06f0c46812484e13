import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BINS,
  colourMask,
  histogramOf,
  maskedShare,
  parseHexColour,
  similarity,
  torsoHistogram,
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
});
