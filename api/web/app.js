// @ts-check
/**
 * The web app served by the API: sign-in by pasting a token, the reviewers' queue and the
 * owners' view. Plain DOM and fetch, no framework: two screens do not earn one, and the whole
 * app loads in one small request. Type-checked by `api/web/tsconfig.json` (JSDoc types).
 * Text from the API is only ever set with textContent, never parsed as HTML.
 */
const { document, sessionStorage, location, window } = globalThis;

const STANDARDS = /** @type {const} */ ([
  'greeting',
  'queue_length',
  'waiting_time',
  'staff_presence',
  'camera_coverage',
]);
const COLOURS = {
  score: '#1d1d1f',
  greeting: '#0b63ce',
  queue_length: '#e65100',
  waiting_time: '#6a1b9a',
  staff_presence: '#2e7d32',
  camera_coverage: '#757575',
};
const TOKEN_KEY = 'salonwatch.token';

/**
 * @typedef {{ subject: string, role: 'admin' | 'reviewer' | 'owner', partnerId: string | null }} Me
 * @typedef {{ id: string, name: string, partnerId: string, regionId: string, timeZone: string }} Salon
 * @typedef {{ sha256: string, capturedAt: string }} EvidenceRef
 * @typedef {{ reviewer: string, verdict: string, comment: string, reviewedAt: string }} Review
 * @typedef {{ incidentId: string, salonId: string, cameraId: string, standard: string, startedAt: string,
 *   endedAt: string | null, summary: string, measured: number, threshold: number, status: string,
 *   evidence: EvidenceRef[] }} Incident
 * @typedef {Incident & { reviews: Review[], events: { eventId: string, occurredAt: string }[] }} IncidentDetail
 * @typedef {{ day: string, score: number | null, standards: Record<string, number | null> }} DailyScore
 */

class HttpError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** @param {string} tag @param {Record<string, string>} [attrs] @param {(Node | string)[]} [children] */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

/** @param {string} id */
function byId(id) {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`missing #${id}`);
  return node;
}

/** @param {string} text */
function toast(text) {
  const node = byId('toast');
  node.textContent = text;
  node.classList.add('show');
  window.setTimeout(() => node.classList.remove('show'), 1500);
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<Response>}
 */
async function request(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${token() ?? ''}` };
  /** @type {RequestInit} */
  const init = { method: options.method ?? 'GET', headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(`/api/v1${path}`, init);
  if (!response.ok) {
    const body = /** @type {{ code?: string, message?: string }} */ (
      await response.json().catch(() => ({}))
    );
    if (response.status === 401) signOut(body.message ?? 'signed out');
    throw new HttpError(response.status, body.code ?? 'HTTP', body.message ?? response.statusText);
  }
  return response;
}

/**
 * @template T
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<T>}
 */
async function api(path, options) {
  return /** @type {Promise<T>} */ ((await request(path, options)).json());
}

/** @param {Date} date */
function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

/** @param {string} text */
function when(text) {
  return new Date(text).toLocaleString();
}

/** @param {number | null} value */
function pct(value) {
  return value === null ? '–' : `${(value * 100).toFixed(1)}%`;
}

// ------------------------------------------------------------------------------ sign-in

/** @param {string} [reason] */
function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  location.hash = '#/sign-in';
  if (reason !== undefined) toast(reason);
}

function showSignIn() {
  const area = /** @type {HTMLTextAreaElement} */ (
    el('textarea', {
      id: 'token',
      placeholder: 'paste your token (salonwatch token create …)',
      'aria-label': 'token',
    })
  );
  const error = el('p', { class: 'error', id: 'sign-in-error' });
  const button = el('button', { type: 'submit', id: 'sign-in' }, ['Sign in']);
  const form = el('form', {}, [
    el('h1', {}, ['Sign in']),
    area,
    el('div', { class: 'actions' }, [button]),
    error,
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, area.value.trim());
    api('/me')
      .then(() => {
        location.hash = '#/';
      })
      .catch((/** @type {unknown} */ e) => {
        sessionStorage.removeItem(TOKEN_KEY);
        error.textContent = e instanceof Error ? e.message : String(e);
      });
  });
  byId('main').replaceChildren(form);
  area.focus();
}

// ------------------------------------------------------------------------------ reviewer queue

/**
 * Loads an incident and its snapshots (as blob URLs: images need the bearer header).
 * @param {string} incidentId
 * @returns {Promise<{ detail: IncidentDetail, images: string[] }>}
 */
function load(incidentId) {
  const ready = (async () => {
    const detail = /** @type {IncidentDetail} */ (
      await api(`/incidents/${encodeURIComponent(incidentId)}`)
    );
    const images = await Promise.all(
      detail.evidence.map(async (e) => {
        try {
          const blob = await (
            await request(`/incidents/${encodeURIComponent(incidentId)}/evidence/${e.sha256}`)
          ).blob();
          return URL.createObjectURL(blob);
        } catch {
          return '';
        }
      }),
    );
    return { detail, images };
  })();
  // A failed prefetch is reported when (and if) the incident is shown.
  ready.catch(() => undefined);
  return ready;
}

class Queue {
  constructor() {
    /** @type {Incident[]} */
    this.items = [];
    /** @type {string | null} */
    this.cursor = null;
    this.done = false;
    /** @type {Map<string, Promise<{ detail: IncidentDetail, images: string[] }>>} */
    this.prepared = new Map();
    this.index = 0;
    this.busy = false;
  }

  async fill() {
    if (this.done || this.items.length - this.index > 5) return;
    const query = new URLSearchParams({ status: 'pending', limit: '25' });
    if (this.cursor !== null) query.set('cursor', this.cursor);
    const page = /** @type {{ items: Incident[], nextCursor: string | null }} */ (
      await api(`/incidents?${query.toString()}`)
    );
    this.items.push(...page.items);
    this.cursor = page.nextCursor;
    this.done = page.nextCursor === null;
  }

  /** @param {number} i */
  prepare(i) {
    const item = this.items[i];
    if (item === undefined) return undefined;
    let prepared = this.prepared.get(item.incidentId);
    if (prepared === undefined) {
      prepared = load(item.incidentId);
      this.prepared.set(item.incidentId, prepared);
    }
    return prepared;
  }
}

/** @type {Queue | null} */
let queue = null;

async function showQueue() {
  queue = new Queue();
  await queue.fill();
  await renderCurrent();
}

async function renderCurrent() {
  if (queue === null) return;
  const main = byId('main');
  const current = queue.prepare(queue.index);
  if (current === undefined) {
    main.replaceChildren(
      el('h1', {}, ['Queue']),
      el('p', { 'data-testid': 'queue-empty' }, ['No incidents waiting for review.']),
    );
    return;
  }
  // The next one is fetched while this one is on screen, so it appears at once after a verdict.
  queue.prepare(queue.index + 1);
  const { detail, images } = await current;
  const comment = /** @type {HTMLInputElement} */ (
    el('input', { id: 'comment', placeholder: 'comment (optional)', 'aria-label': 'comment' })
  );
  const confirm = el('button', { class: 'confirm', id: 'confirm', type: 'button' }, [
    'Confirm ',
    el('kbd', {}, ['c']),
  ]);
  const dismiss = el('button', { class: 'dismiss', id: 'dismiss', type: 'button' }, [
    'Dismiss ',
    el('kbd', {}, ['d']),
  ]);
  const skip = el('button', { id: 'skip', type: 'button' }, ['Skip ', el('kbd', {}, ['j'])]);
  confirm.addEventListener('click', () => void review('confirm', comment.value));
  dismiss.addEventListener('click', () => void review('dismiss', comment.value));
  skip.addEventListener('click', () => void move(1));
  const card = el(
    'section',
    {
      class: 'card',
      'data-testid': 'incident',
      'data-incident-id': detail.incidentId,
      'data-salon-id': detail.salonId,
    },
    [
      el('h2', {}, [`${detail.standard.replace('_', ' ')} · ${detail.salonId}`]),
      el('p', {}, [detail.summary]),
      el('p', { class: 'muted' }, [
        `camera ${detail.cameraId} · ${when(detail.startedAt)}${detail.endedAt === null ? ' (ongoing)' : ` – ${when(detail.endedAt)}`} · measured ${detail.measured} vs threshold ${detail.threshold}`,
      ]),
      el(
        'div',
        { class: 'snapshots' },
        images.length === 0
          ? [el('p', { class: 'muted' }, ['no snapshots'])]
          : images.map((src, i) =>
              src === ''
                ? el('span', { class: 'muted' }, ['snapshot unavailable'])
                : el('img', { src, alt: `snapshot ${i + 1}` }),
            ),
      ),
      el('div', { class: 'actions' }, [comment, confirm, dismiss, skip]),
      el('p', { class: 'muted' }, [
        `${queue.items.length - queue.index}${queue.done ? '' : '+'} waiting · `,
        el('kbd', {}, ['c']),
        ' confirm · ',
        el('kbd', {}, ['d']),
        ' dismiss · ',
        el('kbd', {}, ['j']),
        '/',
        el('kbd', {}, ['k']),
        ' next/previous · ',
        el('kbd', {}, ['/']),
        ' comment',
      ]),
      detail.reviews.length === 0
        ? ''
        : el('p', { class: 'muted' }, [
            `earlier reviews: ${detail.reviews.map((r) => `${r.verdict} by ${r.reviewer}`).join(', ')}`,
          ]),
    ],
  );
  main.replaceChildren(el('h1', {}, ['Queue']), card);
}

/** @param {number} step */
async function move(step) {
  if (queue === null) return;
  queue.index = Math.max(0, queue.index + step);
  await queue.fill();
  await renderCurrent();
}

/** @param {'confirm' | 'dismiss'} verdict @param {string} comment */
async function review(verdict, comment) {
  if (queue === null || queue.busy) return;
  const item = queue.items[queue.index];
  if (item === undefined) return;
  queue.busy = true;
  try {
    await api(`/incidents/${encodeURIComponent(item.incidentId)}/reviews`, {
      method: 'POST',
      body: { verdict, comment },
    });
    toast(`${verdict === 'confirm' ? 'confirmed' : 'dismissed'}: ${item.incidentId.slice(0, 8)}`);
    queue.items.splice(queue.index, 1);
    await queue.fill();
    await renderCurrent();
  } catch (e) {
    toast(e instanceof Error ? e.message : String(e));
  } finally {
    queue.busy = false;
  }
}

document.addEventListener('keydown', (event) => {
  if (queue === null || !location.hash.startsWith('#/queue')) return;
  const target = /** @type {HTMLElement | null} */ (event.target);
  const typing = target !== null && target.tagName === 'INPUT';
  const comment = /** @type {HTMLInputElement | null} */ (document.getElementById('comment'));
  if (typing) {
    if (event.key === 'Escape') target.blur();
    else if (event.key === 'Enter' && event.ctrlKey) void review('dismiss', comment?.value ?? '');
    return;
  }
  const actions = /** @type {Record<string, () => void>} */ ({
    c: () => void review('confirm', comment?.value ?? ''),
    d: () => void review('dismiss', comment?.value ?? ''),
    j: () => void move(1),
    k: () => void move(-1),
    '/': () => comment?.focus(),
  });
  const action = actions[event.key];
  if (action !== undefined && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    action();
  }
});

// ------------------------------------------------------------------------------ owner view

/** @param {DailyScore[]} days */
function chart(days) {
  const ns = 'http://www.w3.org/2000/svg';
  const width = 800;
  const height = 240;
  const pad = 30;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'score trend per standard');
  /** @type {[string, (d: DailyScore) => number | null][]} */
  const series = [
    ['score', (d) => (d.score === null ? null : d.score / 100)],
    ...STANDARDS.map(
      (s) =>
        /** @type {[string, (d: DailyScore) => number | null]} */ ([
          s,
          (d) => d.standards[s] ?? null,
        ]),
    ),
  ];
  // The axis starts a little below the lowest value: scores live near the top, and a 0-100 axis
  // would draw every trend as a flat line.
  const lowest = Math.min(
    1,
    ...series.flatMap(([, value]) =>
      days.flatMap((d) => {
        const v = value(d);
        return v === null ? [] : [v];
      }),
    ),
  );
  const bottom = Math.max(0, Math.floor(lowest * 10 - 0.5) / 10);
  const x = (/** @type {number} */ i) =>
    pad + (days.length <= 1 ? 0 : (i * (width - 2 * pad)) / (days.length - 1));
  const y = (/** @type {number} */ v) =>
    height - pad - ((v - bottom) / (1 - bottom)) * (height - 2 * pad);
  for (const v of [bottom, (bottom + 1) / 2, 1]) {
    const line = document.createElementNS(ns, 'line');
    for (const [k, val] of Object.entries({
      x1: pad,
      x2: width - pad,
      y1: y(v),
      y2: y(v),
      stroke: '#d9d9de',
    }))
      line.setAttribute(k, String(val));
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', '2');
    label.setAttribute('y', String(y(v) + 4));
    label.setAttribute('font-size', '10');
    label.textContent = `${Math.round(v * 100)}`;
    svg.append(line, label);
  }
  for (const [name, value] of series) {
    const points = days.flatMap((d, i) => {
      const v = value(d);
      return v === null ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`];
    });
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', points.join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', COLOURS[/** @type {keyof typeof COLOURS} */ (name)]);
    line.setAttribute('stroke-width', name === 'score' ? '2.5' : '1.2');
    line.setAttribute('data-series', name);
    svg.append(line);
  }
  return svg;
}

/** @param {DailyScore[]} days */
function meanScore(days) {
  const scores = days.flatMap((d) => (d.score === null ? [] : [d.score]));
  return scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
}

/** @param {number} generation */
async function showOwner(generation) {
  const salons = /** @type {{ items: Salon[] }} */ (await api('/salons')).items;
  const main = byId('main');
  if (salons.length === 0) {
    main.replaceChildren(el('p', {}, ['No salons are visible to this token.']));
    return;
  }
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const today = new Date();
  const to = params.get('to') ?? isoDay(today);
  const from = params.get('from') ?? isoDay(new Date(today.getTime() - 29 * 86_400_000));
  const salonId = params.get('salon') ?? salons[0]?.id ?? '';
  const salon = salons.find((s) => s.id === salonId) ?? salons[0];
  if (salon === undefined) return;

  const picker = /** @type {HTMLSelectElement} */ (
    el(
      'select',
      { id: 'salon', 'aria-label': 'salon' },
      salons.map((s) => el('option', { value: s.id }, [`${s.name} (${s.id})`])),
    )
  );
  picker.value = salon.id;
  const fromInput = /** @type {HTMLInputElement} */ (
    el('input', { type: 'date', id: 'from', value: from })
  );
  const toInput = /** @type {HTMLInputElement} */ (
    el('input', { type: 'date', id: 'to', value: to })
  );
  const go = () => {
    location.hash = `#/owner?${new URLSearchParams({ salon: picker.value, from: fromInput.value, to: toInput.value }).toString()}`;
  };
  for (const input of [picker, fromInput, toInput]) input.addEventListener('change', go);

  const range = new URLSearchParams({ from, to }).toString();
  const [scores, ranking, incidents] = await Promise.all([
    /** @type {Promise<{ days: DailyScore[] }>} */ (
      api(`/salons/${encodeURIComponent(salon.id)}/scores?${range}`)
    ),
    /** @type {Promise<{ total: number, entries: { rank: number, salonId: string, score: number }[] }>} */ (
      api(`/rankings/salons?${range}&regionId=${encodeURIComponent(salon.regionId)}`)
    ),
    /** @type {Promise<{ items: Incident[] }>} */ (
      api(`/incidents?salonId=${encodeURIComponent(salon.id)}&from=${from}T00:00:00Z&limit=50`)
    ),
  ]);
  // A newer navigation started while these were loading: it renders, this one does not.
  if (generation !== routing) return;
  const mean = meanScore(scores.days);
  const position = ranking.entries.find((e) => e.salonId === salon.id);
  const legend = el(
    'div',
    { class: 'legend' },
    Object.entries(COLOURS).map(([name, colour]) => {
      const item = el('span', {}, [name.replace('_', ' ')]);
      // Through the CSSOM: the content security policy refuses style attributes.
      item.style.setProperty('--c', colour);
      return item;
    }),
  );
  main.replaceChildren(
    el('h1', {}, [salon.name]),
    el('div', { class: 'actions' }, [picker, fromInput, toInput]),
    el('div', { class: 'grid' }, [
      el('section', { class: 'card' }, [
        el('div', { class: 'muted' }, ['mean daily score']),
        el('div', { class: 'big', 'data-testid': 'mean-score' }, [
          mean === null ? '–' : mean.toFixed(2),
        ]),
      ]),
      el('section', { class: 'card' }, [
        el('div', { class: 'muted' }, [`rank in ${salon.regionId}`]),
        el('div', { class: 'big', 'data-testid': 'rank' }, [
          position === undefined ? '–' : `${position.rank} / ${ranking.total}`,
        ]),
      ]),
    ]),
    el('section', { class: 'card' }, [el('h2', {}, ['Score trend']), chart(scores.days), legend]),
    el('section', { class: 'card' }, [
      el('h2', {}, ['Days']),
      el('table', { 'data-testid': 'days' }, [
        el('tr', {}, [
          el('th', {}, ['day']),
          el('th', {}, ['score']),
          ...STANDARDS.map((s) => el('th', {}, [s.replace('_', ' ')])),
        ]),
        ...scores.days
          .slice()
          .reverse()
          .map((d) =>
            el('tr', { 'data-day': d.day }, [
              el('td', {}, [d.day]),
              el('td', { 'data-testid': `score-${d.day}` }, [
                d.score === null ? '–' : d.score.toFixed(2),
              ]),
              ...STANDARDS.map((s) => el('td', {}, [pct(d.standards[s] ?? null)])),
            ]),
          ),
      ]),
    ]),
    el('section', { class: 'card' }, [
      el('h2', {}, ['Confirmed incidents']),
      incidents.items.length === 0
        ? el('p', { class: 'muted' }, ['none in this period'])
        : el(
            'table',
            { 'data-testid': 'incidents' },
            incidents.items.map((i) =>
              el('tr', {}, [
                el('td', {}, [when(i.startedAt)]),
                el('td', {}, [i.standard.replace('_', ' ')]),
                el('td', {}, [i.summary]),
              ]),
            ),
          ),
    ]),
  );
}

// ------------------------------------------------------------------------------ routing

/** Counts navigations, so a slow render never overwrites a newer one. */
let routing = 0;

async function route() {
  routing += 1;
  const generation = routing;
  const main = byId('main');
  const signOutButton = byId('sign-out');
  if (token() === null || location.hash.startsWith('#/sign-in')) {
    queue = null;
    byId('who').textContent = '';
    byId('nav').replaceChildren();
    signOutButton.hidden = true;
    showSignIn();
    return;
  }
  try {
    const me = /** @type {Me} */ (await api('/me'));
    byId('who').textContent = `${me.subject} (${me.role})`;
    signOutButton.hidden = false;
    const staff = me.role !== 'owner';
    byId('nav').replaceChildren(
      ...(staff ? [el('a', { href: '#/queue' }, ['Queue'])] : []),
      el('a', { href: '#/owner' }, [staff ? 'Salons' : 'My salons']),
    );
    if (location.hash.startsWith('#/owner') || !staff) {
      queue = null;
      await showOwner(generation);
    } else {
      await showQueue();
    }
  } catch (e) {
    if (e instanceof HttpError && e.status === 401) return;
    main.replaceChildren(el('p', { class: 'error' }, [e instanceof Error ? e.message : String(e)]));
  }
}

byId('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => void route());
void route();
export {};
