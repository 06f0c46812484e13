/**
 * `salonwatch bench letterbox`: the letterbox kernel (WebAssembly SIMD) against the TypeScript
 * `letterboxInto` it replaces, on real frames, for the model inputs the detectors use. The two
 * run interleaved, frame by frame, so a noisy machine weighs on both alike.
 */
import { performance } from 'node:perf_hooks';
import { numberOption, parseCommandArgs, type Command } from '../cli/command.js';
import type { Frame } from '../ingest/frame.js';
import { LetterboxKernel } from './letterbox-kernel.js';
import { decodeFrames, DEFAULT_VIDEO } from './person/bench.js';
import {
  CENTERNET_PIXELS,
  letterboxInto,
  NANODET_PIXELS,
  planLetterbox,
  type PixelFormat,
} from './preprocess.js';

const help = `usage: salonwatch bench letterbox [--json] [--video V] [--frames N] [--rounds R]

Letterboxes N real frames R times into each model input, with the WebAssembly SIMD kernel the
detectors use and with the TypeScript loop (preprocess.ts letterboxInto), interleaved, and
prints ms per frame of each and their ratio. The kernel's figure includes copying the frame
into its memory.

options:
  --json        print one JSON object
  --video V     default ../shared/data/PETS09-S2L1/pets09_s2l1_480x360_10fps_gop20.mp4
  --frames N    frames decoded (default 30)
  --rounds R    passes over the frames (default 20)
`;

interface Case {
  readonly name: string;
  readonly frame: readonly [number, number];
  readonly input: readonly [number, number];
  readonly format: PixelFormat;
}

const CASES: readonly Case[] = [
  {
    name: 'default model (nanodet-int8-320x256), sampler frame',
    frame: [768, 432],
    input: [320, 256],
    format: NANODET_PIXELS,
  },
  {
    name: 'nanodet 416, PETS09 frame',
    frame: [768, 576],
    input: [416, 416],
    format: NANODET_PIXELS,
  },
  {
    name: 'centernet 512 (NHWC, RGB), sampler frame',
    frame: [768, 432],
    input: [512, 512],
    format: CENTERNET_PIXELS,
  },
];

export interface LetterboxTiming {
  readonly case: string;
  readonly frame: string;
  readonly input: string;
  readonly kernelMs: number;
  readonly typescriptMs: number;
  /** kernelMs / typescriptMs. */
  readonly ratio: number;
}

function timeCase(c: Case, frames: readonly Frame[], rounds: number): LetterboxTiming {
  const [iw, ih] = c.input;
  const plan = planLetterbox(c.frame[0], c.frame[1], iw, ih);
  const kernel = new LetterboxKernel(iw, ih, c.format);
  const out = new Float32Array(iw * ih * 3);
  let kernelMs = 0;
  let typescriptMs = 0;
  // The first round warms both up (JIT tiers) and is not counted.
  for (let round = 0; round <= rounds; round++) {
    for (const [i, frame] of frames.entries()) {
      const kernelFirst = (i + round) % 2 === 0;
      for (const side of kernelFirst ? [0, 1] : [1, 0]) {
        const start = performance.now();
        if (side === 0) kernel.run(frame.data, plan);
        else letterboxInto(frame.data, plan, c.format, out);
        const spent = performance.now() - start;
        if (round === 0) continue;
        if (side === 0) kernelMs += spent;
        else typescriptMs += spent;
      }
    }
  }
  const n = frames.length * rounds;
  return {
    case: c.name,
    frame: c.frame.join('x'),
    input: c.input.join('x'),
    kernelMs: kernelMs / n,
    typescriptMs: typescriptMs / n,
    ratio: kernelMs / typescriptMs,
  };
}

export const command: Command = {
  name: 'letterbox',
  summary: 'letterbox kernel (WebAssembly SIMD) vs the TypeScript loop, ms/frame',
  help,
  async run(argv) {
    const args = parseCommandArgs(command, argv, {
      json: { type: 'boolean' },
      video: { type: 'string' },
      frames: { type: 'string' },
      rounds: { type: 'string' },
    });
    if (args === undefined) return 0;
    const v = args.values;
    const count = numberOption('frames', v.frames, 30, { min: 1, max: 500, integer: true });
    const rounds = numberOption('rounds', v.rounds, 20, { min: 1, max: 1000, integer: true });
    const video = v.video ?? DEFAULT_VIDEO;
    const results: LetterboxTiming[] = [];
    for (const c of CASES) {
      const frames = await decodeFrames(video, c.frame[0], c.frame[1], count);
      results.push(timeCase(c, frames, rounds));
    }
    if (v.json === true) {
      process.stdout.write(JSON.stringify({ video, frames: count, rounds, results }) + '\n');
      return 0;
    }
    const rows = results.map((r) => [
      r.case,
      `${r.frame} -> ${r.input}`,
      r.kernelMs.toFixed(3),
      r.typescriptMs.toFixed(3),
      r.ratio.toFixed(2),
    ]);
    const header = ['case', 'size', 'kernel ms', 'TypeScript ms', 'ratio'];
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
    );
    const line = (cells: readonly string[]) =>
      cells.map((s, i) => s.padEnd(widths[i] ?? 0)).join('  ');
    process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
    return 0;
  },
};
