// Jobs: every job with its live status (polled), filters by status and creation date, and uploads
// (drag and drop or the file picker) through POST /jobs and the presigned PUT, with progress.
import { getJson, postJson, putWithProgress } from './api.js';
import { el, errorBox, fmtBytes, fmtTime } from './dom.js';

export const STATUSES = ['AWAITING_UPLOAD', 'RECEIVED', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'REJECTED'];
const STEPS = ['AWAITING_UPLOAD', 'RECEIVED', 'STARTING', 'RUNNING', 'SUCCEEDED'];
const TYPES = { mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', mkv: 'video/x-matroska', webm: 'video/webm', avi: 'video/x-msvideo' };
const POLL_MS = 2000;

/** The content type POST /jobs accepts for a file: the browser's when it is one, else by extension. */
export function videoType(file) {
  if (Object.values(TYPES).includes(file.type)) {
    return file.type;
  }
  const ext = file.name.split('.').pop().toLowerCase();
  return TYPES[ext] ?? file.type ?? '';
}

export function statusBadge(status) {
  return el('span', { class: `status s-${status.toLowerCase()}` }, status);
}

/** Progress through the pipeline as a bar: the step reached of the happy path. */
export function progressOf(status) {
  const i = STEPS.indexOf(status);
  const value = status === 'FAILED' || status === 'REJECTED' ? STEPS.length : i + 1;
  return el('progress', { max: STEPS.length, value, 'aria-label': `pipeline step ${value} of ${STEPS.length}` });
}

export function render(main) {
  const statusFilter = el('select', { id: 'status-filter' },
    el('option', { value: '' }, 'all'), STATUSES.map((s) => el('option', { value: s }, s)));
  const dateFilter = el('input', { id: 'date-filter', type: 'date' });
  const fileInput = el('input', { id: 'file-input', type: 'file', accept: 'video/*,.mkv,.avi', multiple: true, class: 'visually-hidden' });
  const drop = el('div', { class: 'drop', id: 'drop-zone' },
    el('p', {}, 'Drop videos here, or '),
    el('label', { for: 'file-input', class: 'button', tabindex: '0', role: 'button',
      onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); } } }, 'choose files'),
    fileInput,
    el('p', { class: 'hint' }, 'mp4, m4v, mov, mkv, webm, avi; tracked with the production model'));
  const uploads = el('ul', { class: 'uploads', 'aria-live': 'polite' });
  const tbody = el('tbody');
  const state = el('p', { class: 'muted', 'aria-live': 'polite' });
  main.append(
    el('h1', {}, 'Jobs'),
    drop, uploads,
    el('div', { class: 'filters' },
      el('label', { for: 'status-filter' }, 'Status '), statusFilter,
      el('label', { for: 'date-filter' }, 'Created on or after '), dateFilter),
    state,
    el('table', { class: 'jobs' },
      el('thead', {}, el('tr', {}, ['Job', 'File', 'Status', 'Progress', 'Created', 'Size', 'Tracks', 'Reason'].map((h) => el('th', { scope: 'col' }, h)))),
      tbody));

  let timer = null;
  let stopped = false;

  async function refresh() {
    const wanted = statusFilter.value ? [statusFilter.value] : STATUSES;
    try {
      const lists = await Promise.all(wanted.map((s) => getJson(`/jobs?status=${s}&limit=100`)));
      let jobs = lists.flatMap((l) => l.jobs);
      if (dateFilter.value) {
        const from = new Date(`${dateFilter.value}T00:00:00`);
        jobs = jobs.filter((j) => new Date(j.createdAt) >= from);
      }
      jobs.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
      tbody.replaceChildren(...jobs.map(row));
      state.textContent = jobs.length ? `${jobs.length} job${jobs.length === 1 ? '' : 's'}, updated ${new Date().toLocaleTimeString()}`
        : 'No jobs match. Upload a video above.';
    } catch (e) {
      state.replaceChildren(errorBox(e));
    }
    if (!stopped) {
      timer = setTimeout(refresh, POLL_MS);
    }
  }

  function row(j) {
    return el('tr', { dataset: { jobId: j.jobId, status: j.status } },
      el('td', {}, el('a', { href: `#/jobs/${j.jobId}`, class: 'mono' }, j.jobId.slice(0, 8))),
      el('td', {}, j.fileName ?? ''),
      el('td', {}, statusBadge(j.status)),
      el('td', {}, progressOf(j.status)),
      el('td', {}, fmtTime(j.createdAt)),
      el('td', { class: 'num' }, fmtBytes(j.sizeBytes)),
      el('td', { class: 'num' }, j.counts?.tracks ?? ''),
      el('td', { class: j.status === 'FAILED' || j.status === 'REJECTED' ? 'error' : 'muted' }, j.reason ?? ''));
  }

  async function upload(file) {
    const bar = el('progress', { max: 1, value: 0, 'aria-label': `upload of ${file.name}` });
    const msg = el('span', {}, 'reserving…');
    const item = el('li', {}, el('strong', {}, file.name), ' ', bar, ' ', msg);
    uploads.prepend(item);
    try {
      const r = await postJson('/jobs', { fileName: file.name, contentType: videoType(file), sizeBytes: file.size });
      msg.textContent = 'uploading…';
      await putWithProgress(r.upload.url, file, r.upload.headers, (p) => { bar.value = p; });
      bar.value = 1;
      msg.replaceChildren('uploaded: ', el('a', { href: `#/jobs/${r.jobId}`, dataset: { jobId: r.jobId } }, `job ${r.jobId.slice(0, 8)}`));
    } catch (e) {
      msg.replaceChildren(errorBox(e));
    }
  }

  function uploadAll(files) {
    for (const f of files) {
      upload(f);
    }
  }

  fileInput.addEventListener('change', () => { uploadAll([...fileInput.files]); fileInput.value = ''; });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    uploadAll([...e.dataTransfer.files]);
  });
  statusFilter.addEventListener('change', () => { clearTimeout(timer); refresh(); });
  dateFilter.addEventListener('change', () => { clearTimeout(timer); refresh(); });
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
