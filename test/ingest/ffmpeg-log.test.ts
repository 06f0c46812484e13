import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure, isDiagnostic, parseTimestampLine } from '../../ingest/ffmpeg-log.js';

void test('timestamp lines give the frame number and pts in seconds; other lines are skipped', () => {
  assert.deepEqual(parseTimestampLine('frame:12   pts:24576   pts_time:2.4'), {
    frame: 12,
    ptsTime: 2.4,
  });
  assert.deepEqual(parseTimestampLine('frame:0    pts:-3600   pts_time:-0.04'), {
    frame: 0,
    ptsTime: -0.04,
  });
  assert.deepEqual(parseTimestampLine('frame:7    pts:1234567890 pts_time:1.23457e+06'), {
    frame: 7,
    ptsTime: 1.23457e6,
  });
  assert.deepEqual(parseTimestampLine('frame:3    pts:NOPTS   pts_time:NOPTS'), {
    frame: 3,
    ptsTime: undefined,
  });
  assert.equal(parseTimestampLine('salonwatch.picture=1'), undefined);
  assert.equal(parseTimestampLine(''), undefined);
  assert.equal(isDiagnostic('   '), false);
  assert.equal(isDiagnostic('rtsp://127.0.0.1:1/x: Connection refused'), true);
});

// The lines below are what ffmpeg 5.1 prints for each failure (captured on this machine).
const cases: [string, string[], string][] = [
  [
    'refused',
    [
      '[tcp @ 0x55c6a1d35840] Connection to tcp://127.0.0.1:1?timeout=3000000 failed: Connection refused',
      'rtsp://127.0.0.1:1/x: Connection refused',
    ],
    'rtsp://127.0.0.1:1/x: Connection refused',
  ],
  [
    'not-found',
    [
      '[rtsp @ 0x5581] method DESCRIBE failed: 404 Not Found',
      'rtsp://127.0.0.1:18554/nope: Server returned 404 Not Found',
    ],
    'rtsp://127.0.0.1:18554/nope: Server returned 404 Not Found',
  ],
  [
    'not-found',
    ['/nonexistent.mp4: No such file or directory'],
    '/nonexistent.mp4: No such file or directory',
  ],
  [
    'unauthorized',
    [
      '[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized',
      'rtsp://cam/x: Server returned 401 Unauthorized (authorization failed)',
    ],
    'rtsp://cam/x: Server returned 401 Unauthorized (authorization failed)',
  ],
  [
    'unreachable',
    [
      '[tcp @ 0x1] Failed to resolve hostname nosuchcam.invalid: Name or service not known',
      'rtsp://nosuchcam.invalid/x: Input/output error',
    ],
    'Failed to resolve hostname nosuchcam.invalid: Name or service not known',
  ],
  [
    'timeout',
    ['[tcp @ 0x1] Connection to tcp://10.1.1.1:554 failed: Connection timed out'],
    'Connection to tcp://10.1.1.1:554 failed: Connection timed out',
  ],
  [
    'invalid-stream',
    ['/tmp/garbage.bin: Invalid data found when processing input'],
    '/tmp/garbage.bin: Invalid data found when processing input',
  ],
  [
    'invalid-stream',
    ['[rtsp @ 0x56160eb40940] CSeq 1 expected, 0 received.'],
    'CSeq 1 expected, 0 received.',
  ],
];

for (const [cause, lines, detail] of cases) {
  void test(`${cause}: ${lines.at(-1) ?? ''}`, () => {
    assert.deepEqual(classifyFailure(lines), { cause, detail });
  });
}

void test('the most specific cause wins over a generic one printed later', () => {
  const lines = [
    '[tcp @ 0x1] Connection to tcp://127.0.0.1:9 failed: Connection refused',
    'x: Invalid data found when processing input',
  ];
  assert.equal(classifyFailure(lines)?.cause, 'refused');
});

void test('unknown output is not classified', () => {
  assert.equal(
    classifyFailure([
      'Stream mapping:',
      '  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))',
    ]),
    undefined,
  );
});
