/**
 * The web app in Debian's headless Chromium, against the real API and ClickHouse: a reviewer
 * signs in by pasting a token, dismisses an incident from the queue with the keyboard, and the
 * owner of that salon then sees its score change. Screenshots go to artifacts/api/.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../../common/paths.js';
import { localDay } from '../../../sink/local-day.js';
import { startWorld } from '../harness.js';

const ARTIFACTS = path.join(REPO_ROOT, 'artifacts', 'api');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/#/sign-in`);
  await page.fill('#token', token);
  await page.click('#sign-in');
  await page.waitForSelector('[data-testid=who]:not(:empty)');
}

test('a reviewer dismisses an incident and the owner sees the score change', async (t) => {
  const world = await startWorld(t, { perSalonPerDay: 3 });
  const address = await world.app.listen({ host: '127.0.0.1', port: 0 });
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(path.join(tmpdir(), 'sw-chromium-'));
  t.after(() => rm(profile, { recursive: true, force: true }));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  t.after(() => browser.close());
  const errors: string[] = [];

  // The reviewer's queue: skip (j) to the first incident of partner-1's salon-0001, dismiss it (d).
  const reviewer = await browser.newPage();
  reviewer.on('pageerror', (error) => errors.push(error.message));
  await signIn(reviewer, address, world.tokens.reviewer);
  await reviewer.goto(`${address}/#/queue`);
  const card = reviewer.locator('[data-testid=incident]');
  await card.waitFor();
  for (let i = 0; i < 60 && (await card.getAttribute('data-salon-id')) !== 'salon-0001'; i++) {
    const shown = await card.getAttribute('data-incident-id');
    await reviewer.keyboard.press('j');
    await reviewer
      .locator(`[data-testid=incident]:not([data-incident-id="${shown ?? ''}"])`)
      .waitFor();
  }
  const incidentId = await card.getAttribute('data-incident-id');
  assert.equal(await card.getAttribute('data-salon-id'), 'salon-0001');
  const incident = world.incidents.find((e) => e.payload.incidentId === incidentId);
  assert.ok(incident, 'the queue shows a real incident');
  await reviewer.locator('.snapshots img').first().waitFor();
  const day = localDay(Date.parse(incident.payload.startedAt), 'Europe/Moscow');

  // The owner's view before the dismissal.
  const owner = await browser.newPage();
  owner.on('pageerror', (error) => errors.push(error.message));
  await signIn(owner, address, world.tokens.ownerA);
  const ownerUrl = `${address}/#/owner?salon=salon-0001&from=${world.days[0] ?? ''}&to=${world.days.at(-1) ?? ''}`;
  await owner.goto(ownerUrl);
  const cell = owner.locator(`[data-testid="score-${day}"]`);
  await cell.waitFor();
  const before = Number(await cell.textContent());
  assert.ok(
    before < 100,
    `the incident's day has a score below 100: ${before} (${JSON.stringify(incident)})`,
  );
  assert.match((await owner.locator('[data-testid=rank]').textContent()) ?? '', /^\d+ \/ \d+$/);
  await owner.screenshot({ path: path.join(ARTIFACTS, 'owner-before.png'), fullPage: true });

  await reviewer.screenshot({ path: path.join(ARTIFACTS, 'queue-before.png'), fullPage: true });
  await reviewer.fill('#comment', 'courier, not a customer');
  await reviewer.locator('#comment').press('Escape');
  await reviewer.keyboard.press('d');
  await reviewer
    .locator(`[data-testid=incident]:not([data-incident-id="${incidentId ?? ''}"])`)
    .waitFor();
  await reviewer.screenshot({ path: path.join(ARTIFACTS, 'queue-after.png'), fullPage: true });

  // The owner reloads and sees the day's score rise.
  await owner.reload();
  await owner.locator(`[data-testid="score-${day}"]`).waitFor();
  const after = Number(await owner.locator(`[data-testid="score-${day}"]`).textContent());
  await owner.screenshot({ path: path.join(ARTIFACTS, 'owner-after.png'), fullPage: true });
  assert.ok(after > before, `score of ${day} rose after the dismissal: ${before} -> ${after}`);

  const stored = await world.app.inject({
    url: `/api/v1/incidents/${incidentId ?? ''}`,
    headers: { authorization: `Bearer ${world.tokens.admin}` },
  });
  const detail = stored.json<{
    status: string;
    reviews: { comment: string; reviewer: string }[];
  }>();
  assert.equal(detail.status, 'dismissed');
  assert.deepEqual(
    detail.reviews.map((r) => [r.reviewer, r.comment]),
    [['rita', 'courier, not a customer']],
  );
  assert.deepEqual(errors, [], 'no script errors in the pages');
});
