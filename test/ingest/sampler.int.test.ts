/**
 * Faults against real processes: the GStreamer RTSP camera simulator, real ffmpeg, real
 * footage from ../shared/data (via clips made into .state/). Each test starts its own
 * simulator on a free port and stops everything it started in t.after.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { stateDir } from '../../common/paths.js';
import { createLogger } from '../../common/log.js';
import { parseStreamUrl, type StreamSource } from '../../config/fleet.js';
import { startCameraSimulator, type CameraSimulator } from '../../infra/cameras/simulator.js';
import { cameraClip } from '../../ingest/clips.js';
import type { HealthStatus } from '../../ingest/health.js';
import { CameraSampler } from '../../ingest/sampler.js';

const logs = path.join(stateDir(), 'ingest', 'int');
const quiet = createLogger({ component: 'sampler-int' }, 'error');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

function source(url: string): StreamSource {
  const parsed = parseStreamUrl(url);
  assert.ok(typeof parsed !== 'string', parsed as string);
  return parsed;
}

interface Watched {
  readonly sampler: CameraSampler;
  readonly events: { status: HealthStatus; at: number }[];
  frames: number;
  firstFrameAt: number | undefined;
}

/** Starts a sampler, records its health events and drains its frames; stopped in t.after. */
function watch(t: TestContext, cameraId: string, url: string): Watched {
  const sampler = new CameraSampler({
    cameraId,
    source: source(url),
    fps: 1,
    frameSize: { width: 768, height: 432 },
    logger: quiet,
  });
  const watched: Watched = { sampler, events: [], frames: 0, firstFrameAt: undefined };
  sampler.onHealth((status) => watched.events.push({ status, at: Date.now() }));
  sampler.start();
  const drained = (async () => {
    for await (const frame of sampler.frames) {
      watched.frames += frame.data.length > 0 ? 1 : 0;
      watched.firstFrameAt ??= Date.now();
    }
  })();
  t.after(async () => {
    await sampler.stop();
    await drained;
  });
  return watched;
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs)
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
  return Date.now();
}

async function simulator(
  t: TestContext,
  port: number,
  cameras: { path: string; file: string }[],
  name: string,
): Promise<CameraSimulator> {
  const sim = await startCameraSimulator({
    port,
    cameras,
    logFile: path.join(logs, `${name}.log`),
  });
  t.after(() => sim.kill());
  return sim;
}

const stateOf = (w: Watched) => w.sampler.status().health.state;
const offlineReasons = (w: Watched) =>
  w.events.filter((e) => e.status.state === 'offline').map((e) => e.status.reason);

void test(
  'bad sources each get an offline event with their cause; good cameras are unaffected',
  { timeout: 120_000 },
  async (t) => {
    const live = await cameraClip('live');
    const port = await freePort();
    const sim = await simulator(
      t,
      port,
      [
        { path: 'good-1', file: live },
        { path: 'good-2', file: live },
      ],
      'faults',
    );

    // Fake cameras: a TCP server answering with random bytes (RTSP), one that accepts and never
    // says a word (a hung camera), and an HTTP server streaming random bytes as MPEG-TS.
    const sockets = new Set<net.Socket>();
    const track = (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    };
    const garbage = net.createServer((socket) => {
      track(socket);
      const timer = setInterval(() => socket.write(randomBytes(4096)), 50);
      socket.on('close', () => {
        clearInterval(timer);
      });
    });
    const silent = net.createServer((socket) => {
      track(socket);
      socket.resume();
    });
    const garbageHttp = http.createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'video/mp2t' });
      const timer = setInterval(() => response.write(randomBytes(16_384)), 50);
      response.on('close', () => {
        clearInterval(timer);
      });
    });
    for (const server of [garbage, silent, garbageHttp]) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
    t.after(() => {
      for (const socket of sockets) socket.destroy();
      garbageHttp.closeAllConnections();
      for (const server of [garbage, silent, garbageHttp]) server.close();
    });
    const port1 = (garbage.address() as net.AddressInfo).port;
    const port2 = (garbageHttp.address() as net.AddressInfo).port;
    const refusedPort = await freePort();

    const good = [watch(t, 'good-1', sim.url('good-1')), watch(t, 'good-2', sim.url('good-2'))];
    const bad = {
      unreachable: watch(t, 'wrong-host', 'rtsp://no-such-camera.invalid:554/stream'),
      refused: watch(t, 'refused', `rtsp://127.0.0.1:${refusedPort}/stream`),
      'not-found': watch(t, 'not-found', sim.url('no-such-path')),
      timeout: watch(
        t,
        'silent',
        `rtsp://127.0.0.1:${(silent.address() as net.AddressInfo).port}/stream`,
      ),
      'invalid-stream': watch(t, 'garbage-rtsp', `rtsp://127.0.0.1:${port1}/stream`),
      'invalid-stream ': watch(t, 'garbage-http', `http://127.0.0.1:${port2}/cam.ts`),
    };

    await waitFor('good cameras online', () => good.every((w) => stateOf(w) === 'online'), 30_000);
    for (const [cause, w] of Object.entries(bad)) {
      await waitFor(
        `${w.sampler.cameraId} offline event`,
        () => offlineReasons(w).length > 0 || w.sampler.status().starts > 1,
        30_000,
      );
      // The first attempt's failure is the event; retries keep the state and refresh the reason.
      const reason = w.sampler.status().health.reason;
      assert.equal(stateOf(w), 'offline', `${w.sampler.cameraId}: ${reason}`);
      assert.ok(
        reason.startsWith(`${cause.trim()}:`),
        `${w.sampler.cameraId}: expected ${cause.trim()}, got "${reason}"`,
      );
      assert.equal(w.frames, 0);
    }
    // Let the bad cameras retry a few times while the good ones keep sampling.
    const before = good.map((w) => w.frames);
    await sleep(15_000);
    for (const [i, w] of good.entries()) {
      const rate = (w.frames - (before[i] ?? 0)) / 15;
      assert.ok(rate >= 0.85, `${w.sampler.cameraId}: ${rate.toFixed(2)} fps during the faults`);
      assert.deepEqual(
        w.events.map((e) => e.status.state),
        ['online'],
      );
    }
    for (const w of Object.values(bad))
      assert.ok(w.sampler.status().starts >= 2, `${w.sampler.cameraId} retried`);
  },
);

void test(
  'an RTSP server killed and restarted: offline, then every camera back within 10 s',
  { timeout: 120_000 },
  async (t) => {
    const live = await cameraClip('live');
    const port = await freePort();
    const mounts = ['a', 'b', 'c', 'd'].map((p) => ({ path: `salon-1/${p}`, file: live }));
    let sim = await simulator(t, port, mounts, 'restart-1');
    const cams = mounts.map((m) => watch(t, m.path.replace('/', '-'), sim.url(m.path)));
    await waitFor('all online', () => cams.every((w) => stateOf(w) === 'online'), 30_000);

    await sim.kill();
    const killedAt = Date.now();
    await waitFor('all offline', () => cams.every((w) => stateOf(w) === 'offline'), 20_000);
    const offlineAfter = Math.max(
      ...cams.map(
        (w) => (w.events.find((e) => e.status.state === 'offline')?.at ?? Infinity) - killedAt,
      ),
    );
    await sleep(8_000); // down long enough for the backoff to reach its cap

    sim = await simulator(t, port, mounts, 'restart-2');
    const back = Date.now();
    await waitFor('all back online', () => cams.every((w) => stateOf(w) === 'online'), 15_000);
    const onlineAt = cams.map(
      (w) => (w.events.findLast((e) => e.status.state === 'online')?.at ?? Infinity) - back,
    );
    t.diagnostic(
      `offline detected within ${offlineAfter} ms of the kill; back online ${onlineAt.join(', ')} ms after the server returned`,
    );
    for (const [i, w] of cams.entries()) {
      assert.ok(
        (onlineAt[i] ?? Infinity) <= 10_000,
        `${w.sampler.cameraId} back after ${onlineAt[i]} ms`,
      );
      assert.deepEqual(
        w.events.map((e) => e.status.state),
        ['online', 'offline', 'online'],
      );
    }
  },
);

void test(
  'a black picture and a frozen picture are detected within 30 s',
  { timeout: 120_000 },
  async (t) => {
    const [live, black, frozen] = await Promise.all([
      cameraClip('live'),
      cameraClip('black'),
      cameraClip('frozen'),
    ]);
    const port = await freePort();
    const sim = await simulator(
      t,
      port,
      [
        { path: 'live', file: live },
        { path: 'black', file: black },
        { path: 'frozen', file: frozen },
      ],
      'picture',
    );
    const cams = {
      live: watch(t, 'live', sim.url('live')),
      black: watch(t, 'black', sim.url('black')),
      frozen: watch(t, 'frozen', sim.url('frozen')),
    };
    await waitFor(
      'black and frozen reported',
      () => stateOf(cams.black) === 'black' && stateOf(cams.frozen) === 'frozen',
      45_000,
    );
    for (const name of ['black', 'frozen'] as const) {
      const w = cams[name];
      const event = w.events.find((e) => e.status.state === name);
      assert.ok(event !== undefined && w.firstFrameAt !== undefined);
      const latency = event.at - w.firstFrameAt;
      t.diagnostic(
        `${name}: reported ${latency} ms after the first frame; since ${new Date(event.status.since).toISOString()} (${event.status.reason})`,
      );
      assert.ok(latency <= 30_000, `${name} took ${latency} ms`);
      // It began with the first (black) or second (first repeat) frame, not when it was confirmed.
      assert.ok(event.status.since <= w.firstFrameAt + 2_500);
    }
    assert.equal(stateOf(cams.live), 'online');
    assert.deepEqual(
      cams.live.events.map((e) => e.status.state),
      ['online'],
    );
  },
);

void test(
  'a stream that stops mid-way (server frozen) goes offline, and comes back when it resumes',
  { timeout: 90_000 },
  async (t) => {
    const live = await cameraClip('live');
    const port = await freePort();
    const sim = await simulator(t, port, [{ path: 'stall', file: live }], 'stall');
    const cam = watch(t, 'stall', sim.url('stall'));
    await waitFor('online', () => stateOf(cam) === 'online', 30_000);
    // Past the connection's start-up backlog (probe buffer), frames arrive at the live rate.
    await sleep(5_000);
    // SIGSTOP keeps the TCP connection open but sends nothing: only a timeout can notice.
    // (The simulator's SIGKILL in t.after ends it even while stopped.)
    process.kill(sim.pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    await waitFor('offline', () => stateOf(cam) === 'offline', 20_000);
    const reason = cam.sampler.status().health.reason;
    t.diagnostic(`offline ${Date.now() - stoppedAt} ms after the stream stopped: ${reason}`);
    assert.match(reason, /^(stalled|timeout):/);
    process.kill(sim.pid, 'SIGCONT');
    const resumedAt = Date.now();
    await waitFor('online again', () => stateOf(cam) === 'online', 15_000);
    t.diagnostic(`online ${Date.now() - resumedAt} ms after the server resumed`);
  },
);
