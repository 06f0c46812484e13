import jpeg from 'jpeg-js';
import type { RgbImage } from './redact.js';

/** Encodes an RGB24 picture as JPEG (jpeg-js takes RGBA; alpha is ignored by the encoder). */
export function encodeJpeg(image: RgbImage, quality = 80): Uint8Array {
  const { width, height, data } = image;
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i] ?? 0;
    rgba[j + 1] = data[i + 1] ?? 0;
    rgba[j + 2] = data[i + 2] ?? 0;
    rgba[j + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ data: rgba, width, height }, quality).data);
}

/** Decodes a JPEG into RGB24 (for checks of what was stored). */
export function decodeJpeg(bytes: Uint8Array): RgbImage {
  const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  const { width, height } = decoded;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    data[j] = decoded.data[i] ?? 0;
    data[j + 1] = decoded.data[i + 1] ?? 0;
    data[j + 2] = decoded.data[i + 2] ?? 0;
  }
  return { width, height, data };
}
