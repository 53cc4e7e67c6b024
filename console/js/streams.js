// Streams: the real-time path seen live. The page feeds a stream from a video file chosen here (each
// sampled frame is a JPEG POSTed to /streams/{id}/frames, as a camera client would) and shows the
// tracks each frame returns over the frame, the number of tracks per frame, and the stream's state
// (GET /streams/{id}). "Reset" deletes the state (DELETE /streams/{id}): ids start from 1 again.
import { ApiError, getJson } from './api.js';
import { el, errorBox } from './dom.js';
import { colorOf } from './mot.js';

const HISTORY = 300;

export function render(main) {
  let stopped = false;
  const streamId = el('input', { id: 'stream-id', type: 'text', value: 'console-1', size: 16, required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,127}' });
  const every = el('input', { id: 'every', type: 'number', min: 1, max: 30, value: 3, size: 3 });
  const file = el('input', { id: 'stream-file', type: 'file', accept: 'video/*' });
  const startBtn = el('button', { type: 'button', id: 'stream-start' }, 'Start');
  const stopBtn = el('button', { type: 'button', id: 'stream-stop', disabled: true }, 'Stop');
  const resetBtn = el('button', { type: 'button', id: 'stream-reset', class: 'danger' }, 'Reset stream');
  const canvas = el('canvas', { class: 'chart', id: 'stream-frame', width: 640, height: 360, role: 'img', 'aria-label': 'the last frame sent, with its tracks' });
  const counts = el('canvas', { class: 'chart', id: 'stream-counts', width: 800, height: 100, role: 'img', 'aria-label': 'tracks per frame sent' });
  const status = el('p', { 'aria-live': 'polite', class: 'muted' });
  const stateBox = el('pre', { id: 'stream-state', class: 'mono' });
  main.append(el('h1', {}, 'Streams'),
    el('p', { class: 'muted' }, 'Feed a stream from a video file: every n-th frame goes to POST /streams/{id}/frames as a JPEG, as a camera would send it; the tracks it returns are drawn on the frame.'),
    el('div', { class: 'filters' }, el('label', { for: 'stream-id' }, 'Stream '), streamId,
      el('label', { for: 'stream-file' }, 'Video '), file,
      el('label', { for: 'every' }, 'every n-th frame '), every, startBtn, stopBtn, resetBtn),
    status, canvas, el('h2', {}, 'Tracks per frame'), counts, el('h2', {}, 'Stream state'), stateBox);

  const history = [];
  let running = false;
  const video = el('video', { muted: true, playsinline: true });

  async function refreshState() {
    try {
      stateBox.textContent = JSON.stringify(await getJson(`/streams/${encodeURIComponent(streamId.value)}`), null, 1);
    } catch (e) {
      stateBox.textContent = e instanceof ApiError && e.status === 404 ? 'no state yet (no frame sent)' : `${e.code}: ${e.message}`;
    }
  }

  function drawCounts() {
    const ctx = counts.getContext('2d');
    ctx.clearRect(0, 0, counts.width, counts.height);
    ctx.fillStyle = '#f4f6f9';
    ctx.fillRect(0, 0, counts.width, counts.height);
    const max = Math.max(1, ...history.map((h) => h.n));
    ctx.fillStyle = '#2f6fdb';
    const w = counts.width / HISTORY;
    history.forEach((h, i) => {
      const bh = (h.n / max) * (counts.height - 15);
      ctx.fillRect(i * w, counts.height - bh, Math.max(1, w - 1), bh);
    });
    ctx.fillStyle = '#445';
    ctx.font = '10px sans-serif';
    ctx.fillText(`max ${max}`, 2, 10);
  }

  async function send(frameIndex) {
    const ctx = canvas.getContext('2d');
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const jpeg = await new Promise((r) => canvas.toBlob(r, 'image/jpeg', 0.9));
    const t0 = performance.now();
    const res = await fetch(`/streams/${encodeURIComponent(streamId.value)}/frames?frame=${frameIndex}`, {
      method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: jpeg,
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`, body.message ?? 'the frame was refused');
    }
    const ms = performance.now() - t0;
    for (const t of body.tracks ?? []) {
      const [x, y, w, h] = t.box;
      ctx.strokeStyle = colorOf(t.id);
      ctx.lineWidth = 2;
      ctx.strokeRect(Math.round(x), Math.round(y), Math.round(w), Math.round(h));
      ctx.fillStyle = colorOf(t.id);
      ctx.fillRect(Math.round(x) - 1, Math.max(0, Math.round(y) - 15), 22, 15);
      ctx.fillStyle = '#000';
      ctx.font = 'bold 12px sans-serif';
      ctx.fillText(String(t.id), Math.round(x) + 2, Math.max(12, Math.round(y) - 3));
    }
    history.push({ frame: frameIndex, n: (body.tracks ?? []).length });
    if (history.length > HISTORY) {
      history.shift();
    }
    drawCounts();
    status.textContent = `frame ${frameIndex}: ${body.detections ?? 0} detections, ${(body.tracks ?? []).length} tracks, state version ${body.version}, ${ms.toFixed(0)} ms`;
  }

  async function run() {
    if (!file.files[0] || !streamId.reportValidity()) {
      status.replaceChildren(errorBox(new Error('choose a video file and a stream id')));
      return;
    }
    running = true;
    startBtn.disabled = true;
    stopBtn.disabled = false;
    video.src = URL.createObjectURL(file.files[0]);
    await new Promise((r, j) => { video.onloadeddata = r; video.onerror = () => j(new Error('this browser cannot play the chosen video')); }).catch((e) => { status.replaceChildren(errorBox(e)); running = false; });
    const fps = 30;
    const step = Math.max(1, Number(every.value) || 1);
    const sizeTo = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * sizeTo);
    canvas.height = Math.round(video.videoHeight * sizeTo);
    // frame indices must increase per stream: continue after the stream's last frame
    let base = 0;
    try {
      base = (await getJson(`/streams/${encodeURIComponent(streamId.value)}`)).lastFrame + 1;
    } catch {
      base = 0;
    }
    for (let f = 0; running && !stopped && f / fps < video.duration; f += step) {
      video.currentTime = f / fps + 0.25 / fps;
      await new Promise((r) => { video.onseeked = r; });
      try {
        await send(base + f);
      } catch (e) {
        status.replaceChildren(errorBox(e));
        break;
      }
    }
    running = false;
    startBtn.disabled = false;
    stopBtn.disabled = true;
    refreshState();
  }

  startBtn.addEventListener('click', run);
  stopBtn.addEventListener('click', () => { running = false; });
  resetBtn.addEventListener('click', async () => {
    if (!window.confirm(`Delete the tracker state of stream ${streamId.value}? Its next frame starts new ids from 1.`)) {
      return;
    }
    await fetch(`/streams/${encodeURIComponent(streamId.value)}`, { method: 'DELETE' });
    history.length = 0;
    drawCounts();
    refreshState();
  });
  streamId.addEventListener('change', refreshState);
  refreshState();
  drawCounts();
  return () => { stopped = true; running = false; };
}
