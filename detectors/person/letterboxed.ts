import type { Frame } from '../../ingest/frame.js';
import type { Detections } from '../detections.js';
import { createCandidates, toDetections, type Candidates } from '../postprocess/candidates.js';
import { nms, type NmsOptions } from '../postprocess/nms.js';
import { LetterboxKernel } from '../letterbox-kernel.js';
import {
  planLetterbox,
  unletterboxBoxes,
  type LetterboxPlan,
  type PixelFormat,
} from '../preprocess.js';

/**
 * The per-detector scratch state shared by the letterboxing backends: the plan for the current
 * frame size (its resampling tables are rebuilt only when the size changes), the letterbox
 * kernel that holds the input tensor, and the candidate buffers, all reused from frame to frame.
 */
export interface LetterboxState {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly pixels: PixelFormat;
  plan: LetterboxPlan | undefined;
  readonly kernel: LetterboxKernel;
  readonly candidates: Candidates;
}

export function createLetterboxState(
  inputWidth: number,
  inputHeight: number,
  pixels: PixelFormat,
): LetterboxState {
  return {
    inputWidth,
    inputHeight,
    pixels,
    plan: undefined,
    kernel: new LetterboxKernel(inputWidth, inputHeight, pixels),
    candidates: createCandidates(),
  };
}

/**
 * Letterboxes `frame` into the model input; returns the input (valid until the next frame) and
 * the plan that maps boxes back.
 */
export function prepareInput(
  frame: Frame,
  state: LetterboxState,
): { readonly input: Float32Array; readonly plan: LetterboxPlan } {
  let plan = state.plan;
  if (plan?.sourceWidth !== frame.width || plan.sourceHeight !== frame.height) {
    plan = planLetterbox(frame.width, frame.height, state.inputWidth, state.inputHeight);
    state.plan = plan;
  }
  state.kernel.run(frame.data, plan);
  state.candidates.count = 0;
  return { input: state.kernel.input, plan };
}

/** NMS over the decoded candidates, then boxes from model-input to frame pixels. */
export function finishDetections(
  state: LetterboxState,
  plan: LetterboxPlan,
  options: NmsOptions,
): Detections {
  const kept = nms(state.candidates, options);
  const detections = toDetections(state.candidates, state.candidates.order, kept);
  unletterboxBoxes(detections.boxes, detections.count, plan);
  return detections;
}

/**
 * Runs calls one after another. A detector's scratch buffers serve one frame at a time, so two
 * overlapping `detect` calls (two cameras sharing a detector, or a caller that does not await)
 * are queued instead of overwriting each other's input tensor.
 */
export function serialised<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (...args) => {
    const result = tail.then(() => fn(...args));
    tail = result.catch(() => undefined);
    return result;
  };
}
