/**
 * The edge node's bounded on-disk spool: where events wait, in order, while the broker is
 * unreachable. An appended record is fsync'd before `append` resolves, so it survives a crash
 * or power cut of the node; `peek` returns the oldest records in the order they were appended
 * and `ack` forgets them once Kafka acknowledged them.
 *
 * Layout: one directory per class of record (`low` = samples, `normal` = visits, waits, camera
 * health, `incident`), each a sequence of append-only segment files; every record carries a
 * global sequence number, so replay merges the classes back into the original order. A state
 * file holds two kinds of watermark: acknowledged-through (global) and dropped-through (per
 * class). Keeping the classes apart is what makes "drop the oldest samples first" cheap: it is
 * a watermark move at the head of one class, never a rewrite of the middle of a log.
 *
 * When full: evict the oldest record of the lowest class present, as long as that class is not
 * above the new record's (a sample never pushes out a visit); a new record that cannot make
 * room is itself dropped; incidents are never dropped and are admitted over the budget if only
 * incidents are left. Every drop is counted by type.
 *
 * Record: u32 body length | u32 crc32(body) | body = u64 seq | f64 enqueued-at ms |
 * u16 key length | u8 type length | key | type | value. A torn tail after a crash fails its length or CRC check and is
 * cut off on open.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { SalonwatchError } from '../common/errors.js';

export const SPOOL_CLASSES = ['low', 'normal', 'incident'] as const;
export type SpoolClass = (typeof SPOOL_CLASSES)[number];
const RANK: Record<SpoolClass, number> = { low: 0, normal: 1, incident: 2 };

export interface SpoolInput {
  readonly cls: SpoolClass;
  readonly key: string;
  readonly value: Buffer;
  /** Label for drop counts (the event type). */
  readonly type: string;
}

export interface SpooledRecord {
  readonly seq: number;
  readonly key: string;
  readonly type: string;
  readonly value: Buffer;
  readonly enqueuedAtMs: number;
}

export interface SpoolStats {
  readonly records: number;
  readonly bytes: number;
  readonly maxBytes: number;
  /** Enqueue time of the oldest record, epoch ms; null when empty. */
  readonly oldestEnqueuedAtMs: number | null;
  readonly dropped: Readonly<Record<string, number>>;
}

interface Entry {
  readonly seq: number;
  readonly segment: string;
  readonly offset: number;
  readonly size: number;
  readonly enqueuedAtMs: number;
  readonly type: string;
}

interface State {
  ackedThrough: number;
  droppedThrough: Record<SpoolClass, number>;
  dropped: Record<string, number>;
}

const HEADER = 8;
const FIXED_BODY = 8 + 8 + 2 + 1;

function recordSize(input: SpoolInput): number {
  return HEADER + FIXED_BODY + Buffer.byteLength(input.key) + Buffer.byteLength(input.type) + input.value.length;
}

function encode(seq: number, enqueuedAtMs: number, input: SpoolInput): Buffer {
  const keyBytes = Buffer.from(input.key, 'utf8');
  const typeBytes = Buffer.from(input.type, 'utf8');
  if (keyBytes.length > 0xffff || typeBytes.length > 0xff) throw new SalonwatchError('SPOOL_FAILED', 'spool key or type too long');
  const bodyLength = FIXED_BODY + keyBytes.length + typeBytes.length + input.value.length;
  const record = Buffer.allocUnsafe(HEADER + bodyLength);
  record.writeUInt32BE(bodyLength, 0);
  record.writeBigUInt64BE(BigInt(seq), HEADER);
  record.writeDoubleBE(enqueuedAtMs, HEADER + 8);
  record.writeUInt16BE(keyBytes.length, HEADER + 16);
  record.writeUInt8(typeBytes.length, HEADER + 18);
  keyBytes.copy(record, HEADER + FIXED_BODY);
  typeBytes.copy(record, HEADER + FIXED_BODY + keyBytes.length);
  input.value.copy(record, HEADER + FIXED_BODY + keyBytes.length + typeBytes.length);
  record.writeUInt32BE(crc32(record.subarray(HEADER)), 4);
  return record;
}

function decodeBody(body: Buffer): SpooledRecord {
  const keyEnd = FIXED_BODY + body.readUInt16BE(16);
  const typeEnd = keyEnd + body.readUInt8(18);
  return {
    seq: Number(body.readBigUInt64BE(0)),
    enqueuedAtMs: body.readDoubleBE(8),
    key: body.subarray(FIXED_BODY, keyEnd).toString('utf8'),
    type: body.subarray(keyEnd, typeEnd).toString('utf8'),
    value: Buffer.from(body.subarray(typeEnd)),
  };
}

/** Writes a small file so that a crash leaves either the old or the new content. */
function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export interface SpoolOptions {
  readonly maxBytes: number;
  /** A segment is closed and a new one started beyond this size. */
  readonly segmentBytes?: number;
  readonly now?: () => number;
}

export class Spool {
  private readonly queues: Record<SpoolClass, Entry[]> = { low: [], normal: [], incident: [] };
  private readonly writers = new Map<SpoolClass, { name: string; handle: FileHandle; size: number }>();
  private nextSeq: number;
  private bytes = 0;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly state: State,
    private readonly options: Required<SpoolOptions>,
  ) {
    this.nextSeq = Math.max(state.ackedThrough, ...Object.values(state.droppedThrough)) + 1;
  }

  /** Opens (or creates) the spool in `dir`, recovering whatever a previous process left. */
  static open(dir: string, options: SpoolOptions): Spool {
    mkdirSync(dir, { recursive: true });
    const stateFile = path.join(dir, 'state.json');
    let state: State = { ackedThrough: 0, droppedThrough: { low: 0, normal: 0, incident: 0 }, dropped: {} };
    try {
      state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SalonwatchError('SPOOL_FAILED', `spool state ${stateFile} unreadable`, { cause: error });
      }
    }
    const spool = new Spool(dir, state, { segmentBytes: 8 * 1024 * 1024, now: Date.now, ...options });
    spool.recover();
    return spool;
  }

  private classDir(cls: SpoolClass): string {
    return path.join(this.dir, cls);
  }

  private recover(): void {
    for (const cls of SPOOL_CLASSES) {
      const dir = this.classDir(cls);
      mkdirSync(dir, { recursive: true });
      const floor = Math.max(this.state.ackedThrough, this.state.droppedThrough[cls]);
      for (const segment of readdirSync(dir).filter((f) => f.endsWith('.seg')).sort()) {
        const file = path.join(dir, segment);
        const data = readFileSync(file);
        let offset = 0;
        while (offset + HEADER <= data.length) {
          const length = data.readUInt32BE(offset);
          const end = offset + HEADER + length;
          if (length < FIXED_BODY || end > data.length || crc32(data.subarray(offset + HEADER, end)) !== data.readUInt32BE(offset + 4)) break;
          const record = decodeBody(data.subarray(offset + HEADER, end));
          this.nextSeq = Math.max(this.nextSeq, record.seq + 1);
          if (record.seq > floor) {
            const { seq, enqueuedAtMs, type } = record;
            this.queues[cls].push({ seq, segment: file, offset, size: HEADER + length, enqueuedAtMs, type });
            this.bytes += HEADER + length;
          }
          offset = end;
        }
        // A torn write at the tail (crash mid-append): cut it so appends continue on a clean end.
        if (offset < data.length) truncateSync(file, offset);
        if (!this.queues[cls].some((e) => e.segment === file)) rmSync(file, { force: true });
      }
    }
  }

  /** Serialises every operation: appends, peeks and acks see one consistent log. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn, fn);
    this.chain = result.catch(() => undefined);
    return result;
  }

  stats(): SpoolStats {
    let oldest: number | null = null;
    let records = 0;
    for (const cls of SPOOL_CLASSES) {
      const q = this.queues[cls];
      records += q.length;
      const head = q[0];
      if (head !== undefined && (oldest === null || head.enqueuedAtMs < oldest)) oldest = head.enqueuedAtMs;
    }
    return { records, bytes: this.bytes, maxBytes: this.options.maxBytes, oldestEnqueuedAtMs: oldest, dropped: { ...this.state.dropped } };
  }

  isEmpty(): boolean {
    return SPOOL_CLASSES.every((cls) => this.queues[cls].length === 0);
  }

  /** Appends in order; resolves once the records are on disk (fsync). */
  append(inputs: readonly SpoolInput[]): Promise<void> {
    return this.exclusive(async () => {
      const touched = new Set<SpoolClass>();
      for (const input of inputs) {
        const size = recordSize(input);
        if (!this.makeRoom(size, input)) {
          this.countDrop(input.type);
          continue;
        }
        const seq = this.nextSeq++;
        const enqueuedAtMs = this.options.now();
        const writer = await this.writer(input.cls, size);
        const record = encode(seq, enqueuedAtMs, input);
        await writer.handle.write(record, 0, record.length, writer.size);
        this.queues[input.cls].push({ seq, segment: path.join(this.classDir(input.cls), writer.name), offset: writer.size, size, enqueuedAtMs, type: input.type });
        writer.size += size;
        this.bytes += size;
        touched.add(input.cls);
      }
      for (const cls of touched) await this.writers.get(cls)?.handle.datasync();
      // Evictions are remembered even if the process dies before the next ack.
      if (this.dropsPending) this.saveState();
    });
  }

  private dropsPending = false;

  private countDrop(type: string): void {
    this.state.dropped[type] = (this.state.dropped[type] ?? 0) + 1;
    this.dropsPending = true;
  }

  /** Evicts per the policy above; false when the new record itself has to go. */
  private makeRoom(size: number, input: SpoolInput): boolean {
    while (this.bytes + size > this.options.maxBytes) {
      const victimClass = SPOOL_CLASSES.find((cls) => cls !== 'incident' && this.queues[cls].length > 0);
      if (victimClass === undefined || RANK[victimClass] > RANK[input.cls]) return input.cls === 'incident';
      const victim = this.queues[victimClass].shift();
      if (victim === undefined) return input.cls === 'incident';
      this.bytes -= victim.size;
      this.state.droppedThrough[victimClass] = victim.seq;
      this.countDrop(victim.type);
      this.removeIfDead(victimClass, victim.segment);
    }
    return true;
  }

  private async writer(cls: SpoolClass, size: number) {
    const current = this.writers.get(cls);
    if (current !== undefined && current.size + size <= this.options.segmentBytes) return current;
    if (current !== undefined) {
      await current.handle.close();
      this.writers.delete(cls);
    }
    const name = `${String(this.nextSeq).padStart(16, '0')}.seg`;
    const file = path.join(this.classDir(cls), name);
    const handle = await open(file, 'a+');
    const writer = { name, handle, size: statSync(file).size };
    this.writers.set(cls, writer);
    return writer;
  }

  /** The oldest `max` records across classes, in append order. */
  peek(max: number): Promise<SpooledRecord[]> {
    return this.exclusive(async () => {
      const heads: Record<SpoolClass, number> = { low: 0, normal: 0, incident: 0 };
      const picked: Entry[] = [];
      while (picked.length < max) {
        let best: SpoolClass | undefined;
        for (const cls of SPOOL_CLASSES) {
          const candidate = this.queues[cls][heads[cls]];
          const current = best === undefined ? undefined : this.queues[best][heads[best]];
          if (candidate !== undefined && (current === undefined || candidate.seq < current.seq)) best = cls;
        }
        if (best === undefined) break;
        const entry = this.queues[best][heads[best]];
        if (entry === undefined) break;
        picked.push(entry);
        heads[best]++;
      }
      const handles = new Map<string, FileHandle>();
      try {
        const records: SpooledRecord[] = [];
        for (const entry of picked) {
          let handle = handles.get(entry.segment);
          if (handle === undefined) {
            handle = await open(entry.segment, 'r');
            handles.set(entry.segment, handle);
          }
          const buffer = Buffer.allocUnsafe(entry.size);
          await handle.read(buffer, 0, entry.size, entry.offset);
          records.push(decodeBody(buffer.subarray(HEADER)));
        }
        return records;
      } finally {
        await Promise.all([...handles.values()].map((h) => h.close()));
      }
    });
  }

  /** Forgets every record with a sequence number up to `seq` (Kafka acknowledged them). */
  ack(seq: number): Promise<void> {
    return this.exclusive(() => {
      this.state.ackedThrough = Math.max(this.state.ackedThrough, seq);
      for (const cls of SPOOL_CLASSES) {
        const q = this.queues[cls];
        while (q[0] !== undefined && q[0].seq <= seq) {
          const gone = q.shift();
          if (gone === undefined) break;
          this.bytes -= gone.size;
          this.removeIfDead(cls, gone.segment);
        }
      }
      this.saveState();
      return Promise.resolve();
    });
  }

  /**
   * Records leave a class from its head and segments are in sequence order, so once the head
   * is past a segment, nothing in it is live. The segment being written stays.
   */
  private removeIfDead(cls: SpoolClass, segment: string): void {
    if (this.queues[cls][0]?.segment === segment) return;
    const writing = this.writers.get(cls);
    if (writing !== undefined && path.join(this.classDir(cls), writing.name) === segment) return;
    rmSync(segment, { force: true });
  }

  private saveState(): void {
    writeAtomically(path.join(this.dir, 'state.json'), JSON.stringify(this.state));
    this.dropsPending = false;
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      for (const writer of this.writers.values()) await writer.handle.close();
      this.writers.clear();
    });
  }
}
