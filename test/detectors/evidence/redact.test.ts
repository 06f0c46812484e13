import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJpeg, encodeJpeg } from '../../../detectors/evidence/jpeg.js';
import { headRegion, pixelate } from '../../../detectors/evidence/redact.js';

function noise(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = seed & 0xff;
  }
  return { width, height, data };
}

test('pixelate flattens a region into blocks and leaves the rest untouched', () => {
  const image = noise(64, 48);
  const original = new Uint8Array(image.data);
  pixelate(image, [{ x1: 8, y1: 8, x2: 40, y2: 40 }], 4);
  // Block = 32 / 4 = 8 px: inside each 8x8 block every pixel is equal.
  const at = (x: number, y: number) => Array.from(image.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3));
  assert.deepEqual(at(8, 8), at(15, 15));
  assert.notDeepEqual(at(8, 8), at(16, 16), 'neighbouring blocks differ on noise');
  // Outside the region nothing changed.
  for (const [x, y] of [[0, 0], [63, 47], [7, 20], [40, 20]] as const) {
    const o = (y * 64 + x) * 3;
    assert.deepEqual(at(x, y), Array.from(original.subarray(o, o + 3)));
  }
});

test('by default a region becomes one flat colour: its mean', () => {
  const image = { width: 4, height: 1, data: new Uint8Array([0, 0, 0, 100, 100, 100, 200, 200, 200, 9, 9, 9]) };
  pixelate(image, [{ x1: 0, y1: 0, x2: 3, y2: 1 }]);
  assert.deepEqual(Array.from(image.data), [100, 100, 100, 100, 100, 100, 100, 100, 100, 9, 9, 9]);
});

test('regions beyond the picture are clipped, not an error', () => {
  const image = noise(16, 16);
  pixelate(image, [{ x1: -10, y1: -10, x2: 4, y2: 4 }, { x1: 20, y1: 20, x2: 30, y2: 30 }]);
  assert.equal(image.data.length, 16 * 16 * 3);
});

test('the head region covers the top of a person box, a little wider', () => {
  const head = headRegion({ x1: 100, y1: 50, x2: 140, y2: 150 });
  assert.ok(head.x1 < 100 && head.x2 > 140);
  assert.ok(head.y1 <= 50 && head.y2 > 65 && head.y2 < 80);
});

test('JPEG round trip keeps the size and roughly the pixels', () => {
  const image = { width: 32, height: 16, data: new Uint8Array(32 * 16 * 3).fill(128) };
  const back = decodeJpeg(encodeJpeg(image));
  assert.equal(back.width, 32);
  assert.equal(back.height, 16);
  assert.ok(Math.abs((back.data[100] ?? 0) - 128) <= 3);
});
