// Models and retraining: the production version and its endpoints, every registry version with
// MOTA / IDF1 / HOTA (table and chart, per validation set), a dataset's runs with their states and
// the gate's decision, and starting a run (after a confirmation).
import { getJson, postJson } from './api.js';
import { el, errorBox, fmtTime } from './dom.js';

const METRICS = [['mota', 'MOTA', '#2f6fdb'], ['idf1', 'IDF1', '#e08a1e'], ['hota', 'HOTA', '#2e9b57']];
const POLL_MS = 4000;

const fmt = (v) => (typeof v === 'number' ? v.toFixed(3) : '');

export function render(main) {
  let stopped = false;
  let timer = null;
  const dataset = el('input', { id: 'dataset', type: 'text', value: localStorage.getItem('motflow.dataset') ?? 'demo', size: 20, required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,62}' });
  const coldStart = el('input', { id: 'cold-start', type: 'checkbox' });
  const startMsg = el('p', { 'aria-live': 'polite' });
  const production = el('div', { id: 'production', class: 'cards' });
  const setSelect = el('select', { id: 'validation-set', 'aria-label': 'validation set' });
  const chart = el('canvas', { id: 'metrics-chart', class: 'chart', width: 800, height: 180, role: 'img', 'aria-label': 'MOTA, IDF1 and HOTA per model version' });
  const versions = el('tbody');
  const runs = el('tbody');
  const runsState = el('p', { class: 'muted', 'aria-live': 'polite' });
  const form = el('form', { class: 'filters', id: 'runs-form' },
    el('label', { for: 'dataset' }, 'Dataset '), dataset,
    el('button', { type: 'submit' }, 'Show runs'),
    el('label', { for: 'cold-start' }, coldStart, ' cold start'),
    el('button', { type: 'button', id: 'start-retraining', class: 'danger' }, 'Start retraining…'));

  main.append(
    el('h1', {}, 'Models and retraining'),
    el('h2', {}, 'In production'), production,
    el('h2', {}, 'Versions'),
    el('p', {}, el('label', { for: 'validation-set' }, 'Scores on validation set '), setSelect),
    chart, el('p', { class: 'legend' }, METRICS.map(([, name, color]) => el('span', {}, el('i', { style: `background:${color}` }), name))),
    el('table', { id: 'versions' },
      el('thead', {}, el('tr', {}, ['Version', 'Status', 'Created', 'Run', 'MOTA', 'IDF1', 'HOTA'].map((h) => el('th', { scope: 'col' }, h)))),
      versions),
    el('h2', {}, 'Runs'), form, startMsg, runsState,
    el('table', { id: 'runs' },
      el('thead', {}, el('tr', {}, ['Run', 'Status', 'Start', 'Candidate', 'Candidate MOTA / IDF1 / HOTA', 'Production MOTA / IDF1 / HOTA', 'Gate decision', 'Reason', 'Created', 'Finished'].map((h) => el('th', { scope: 'col' }, h)))),
      runs));

  let registry = null;

  async function loadModels() {
    try {
      registry = await getJson('/retraining/models');
    } catch (e) {
      production.replaceChildren(errorBox(e));
      return;
    }
    const cur = registry.current;
    production.replaceChildren(cur
      ? el('div', { class: 'card', dataset: { version: cur.version } },
        el('h3', {}, `${registry.model} version ${cur.version}`),
        el('div', {}, 'Endpoints: frames (real-time) and video (async)'),
        el('div', { class: 'muted' }, `endpoint config ${cur.endpointConfigName ?? ''}`),
        el('div', { class: 'muted' }, `deployed ${fmtTime(cur.deployedAt)} by ${cur.executionName ?? ''}`),
        el('div', { class: 'muted mono' }, cur.artifactS3Uri ?? ''))
      : el('p', { class: 'muted' }, 'No model in production yet: run a retraining (./motflow demo or below).'));
    const sets = new Map();
    for (const v of registry.versions) {
      for (const id of Object.keys(v.metrics ?? {})) {
        sets.set(id, (sets.get(id) ?? 0) + 1);
      }
    }
    const chosen = setSelect.value || [...sets.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] || '';
    setSelect.replaceChildren(...[...sets.keys()].map((id) => el('option', { value: id, selected: id === chosen }, `${id} (${sets.get(id)} versions)`)));
    renderVersions(chosen);
  }

  function renderVersions(set) {
    const list = registry?.versions ?? [];
    versions.replaceChildren(...[...list].reverse().map((v) => {
      const m = v.metrics?.[set] ?? {};
      return el('tr', { dataset: { version: v.version } },
        el('td', {}, `v${v.version}`, registry.current?.version === v.version ? ' (production)' : ''),
        el('td', {}, el('span', { class: `status s-${String(v.status).toLowerCase()}` }, v.status)),
        el('td', {}, fmtTime(v.createdAt)), el('td', { class: 'mono' }, v.executionName ?? ''),
        el('td', { class: 'num' }, fmt(m.mota)), el('td', { class: 'num' }, fmt(m.idf1)), el('td', { class: 'num' }, fmt(m.hota)));
    }));
    drawChart(list, set);
  }

  function drawChart(list, set) {
    const ctx = chart.getContext('2d');
    const w = chart.width;
    const h = chart.height;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = '#f4f6f9';
    ctx.fillRect(0, 0, w, h);
    const scored = list.filter((v) => v.metrics?.[set]);
    const values = scored.flatMap((v) => METRICS.map(([k]) => v.metrics[set][k]).filter((x) => typeof x === 'number'));
    const lo = Math.min(0, ...values);
    const hi = Math.max(1, ...values);
    const y = (v) => h - 20 - ((v - lo) / (hi - lo)) * (h - 35);
    ctx.strokeStyle = '#99a';
    ctx.beginPath();
    ctx.moveTo(30, y(0));
    ctx.lineTo(w, y(0));
    ctx.stroke();
    ctx.fillStyle = '#445';
    ctx.font = '10px sans-serif';
    ctx.fillText(hi.toFixed(1), 2, y(hi) + 4);
    ctx.fillText('0', 2, y(0) + 4);
    if (!scored.length) {
      ctx.fillText('no scored versions yet', 40, h / 2);
      return;
    }
    const group = (w - 40) / scored.length;
    const bar = Math.min(24, (group - 10) / METRICS.length);
    scored.forEach((v, i) => {
      const x0 = 40 + i * group;
      METRICS.forEach(([k, , color], j) => {
        const val = v.metrics[set][k];
        if (typeof val !== 'number') {
          return;
        }
        ctx.fillStyle = color;
        const top = Math.min(y(val), y(0));
        ctx.fillRect(x0 + j * bar, top, bar - 2, Math.abs(y(val) - y(0)));
      });
      ctx.fillStyle = '#445';
      ctx.fillText(`v${v.version}`, x0, h - 5);
    });
  }

  const scores = (s) => (s && typeof s === 'object' ? `${fmt(s.mota)} / ${fmt(s.idf1)} / ${fmt(s.hota)}` : '');

  async function loadRuns() {
    const name = dataset.value.trim();
    try {
      const r = await getJson(`/retraining/runs?dataset=${encodeURIComponent(name)}`);
      runs.replaceChildren(...r.runs.map((run) => el('tr', { dataset: { status: run.status ?? '' } },
        el('td', { class: 'mono' }, run.executionName ?? ''),
        el('td', {}, el('span', { class: `status s-${String(run.status).toLowerCase()}` }, run.status ?? '')),
        el('td', { title: run.trainingSummary ?? '' }, run.trainingStart ?? ''),
        el('td', {}, run.candidateVersion ? `v${run.candidateVersion}` : ''),
        el('td', { class: 'num' }, scores(run.candidateScores)),
        el('td', { class: 'num' }, scores(run.productionScores)),
        el('td', {}, run.gateReason ?? ''),
        el('td', { class: run.status === 'FAILED' || String(run.status).includes('REJECTED') ? 'error' : '' },
          run.reason ?? run.error?.Cause ?? ''),
        el('td', {}, fmtTime(run.createdAt ?? run.updatedAt)), el('td', {}, fmtTime(run.finishedAt)))));
      runsState.textContent = r.runs.length ? `${r.runs.length} runs of ${name}` : `no runs of ${name} yet`;
    } catch (e) {
      runsState.replaceChildren(errorBox(e));
    }
  }

  async function poll() {
    await Promise.all([loadModels(), loadRuns()]);
    if (!stopped) {
      timer = setTimeout(poll, POLL_MS);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    localStorage.setItem('motflow.dataset', dataset.value.trim());
    loadRuns();
  });
  setSelect.addEventListener('change', () => renderVersions(setSelect.value));
  form.querySelector('#start-retraining').addEventListener('click', async () => {
    const name = dataset.value.trim();
    if (!dataset.reportValidity()) {
      return;
    }
    const how = coldStart.checked ? 'from scratch (cold start)' : 'from the production model (warm start)';
    if (!window.confirm(`Start a retraining run on labelled/${name}/ ${how}? It trains, evaluates, and promotes the model if it passes the gate.`)) {
      return;
    }
    try {
      const body = { dataset: name };
      if (coldStart.checked) {
        body.coldStart = true;
      }
      const r = await postJson('/retraining', body);
      startMsg.replaceChildren(`${r.admission}: ${r.executionName}`);
      loadRuns();
    } catch (e) {
      startMsg.replaceChildren(errorBox(e));
    }
  });
  poll();
  return () => { stopped = true; clearTimeout(timer); };
}
