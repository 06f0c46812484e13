/**
 * How large a camera's picture FIFO should be, and how much enlarged pipe capacity one process
 * may hold. Pure: sizes and limits in, decisions out (fifo.ts applies them with `fcntl`).
 *
 * A pipe holds 64 KiB by default, so a 768x432 RGB picture (972 KiB) crosses it in sixteen
 * rounds or more: the writer blocks on a full pipe, the reader wakes to take 64 KiB, and again.
 * Two processes passing such pictures through one pipe, each written whole (median of five runs
 * here, CPU ms per picture):
 *
 * | capacity | reads | reader | writer |
 * |---|---|---|---|
 * | 64 KiB | 15.2 | 0.33 | 0.33 |
 * | 128 KiB | 7.6 | 0.23 | 0.20 |
 * | 256 KiB | 3.8 | 0.16 | 0.16 |
 * | 512 KiB | 1.9 | 0.15 | 0.12 |
 * | 1 MiB | 1.3 | 0.19 | 0.18 |
 *
 * 512 KiB takes most of the gain at half the memory of a whole picture. ffmpeg writes a FIFO
 * 32 KiB at a time (its output buffer for a file it cannot seek) and node wakes for each write
 * it is not already behind, so a sampler gains less than the table: 13 reads per picture
 * instead of 22 (strace -c of three cameras over 900 pictures, timestamp reads included).
 *
 * The kernel charges pipe pages to their user: past `/proc/sys/fs/pipe-user-pages-soft` (16384
 * pages, 64 MiB, by default) an unprivileged user's new pipes get two pages and enlarging fails.
 * A process therefore keeps its enlarged pipes within half that limit (73 cameras at 512 KiB),
 * and the cameras beyond it keep the default, which works, at a higher cost per picture.
 */

/** A pipe's capacity when nobody enlarged it (16 pages). */
export const DEFAULT_PIPE_BYTES = 64 * 1024;
/** The most a picture FIFO is given (see the table above). */
export const MAX_PICTURE_PIPE_BYTES = 512 * 1024;
/** Pipe pages are charged in pages of this size; on a kernel with larger pages the limit is only looser. */
const PAGE_BYTES = 4096;

/** The capacity to ask for a FIFO carrying pictures of `pictureBytes`: a power of two, as the kernel rounds to. */
export function pictureFifoBytes(pictureBytes: number): number {
  let bytes = DEFAULT_PIPE_BYTES;
  while (bytes < pictureBytes && bytes < MAX_PICTURE_PIPE_BYTES) bytes *= 2;
  return bytes;
}

/**
 * The enlarged capacity one process may hold, from the per-user soft limit in pages (0 means no
 * limit: unlimited). Half the limit: the rest is for the user's other pipes.
 */
export function budgetBytesFor(softLimitPages: number): number {
  return softLimitPages === 0 ? Infinity : (softLimitPages * PAGE_BYTES) / 2;
}

/** The capacity added beyond the default across this process's open FIFOs, within a limit. */
export class PipeBudget {
  private added = 0;

  constructor(readonly limitBytes: number) {}

  /** Capacity added so far (bytes beyond the default, over all enlarged pipes). */
  get used(): number {
    return this.added;
  }

  /** Reserves room to enlarge one pipe to `bytes`; false when it would exceed the limit. */
  reserve(bytes: number): boolean {
    const extra = bytes - DEFAULT_PIPE_BYTES;
    if (extra <= 0) return true;
    if (this.added + extra > this.limitBytes) return false;
    this.added += extra;
    return true;
  }

  /** Gives back what `reserve(bytes)` took, once that pipe is closed (or was not enlarged after all). */
  release(bytes: number): void {
    this.added = Math.max(0, this.added - Math.max(0, bytes - DEFAULT_PIPE_BYTES));
  }
}
