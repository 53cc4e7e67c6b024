// One job: the video (presigned GET) with its tracks drawn over it on a canvas, frame-accurate
// (requestVideoFrameCallback where the browser has it: frame = round(mediaTime * fps) + 1, MOT
// frames being 1-based), play/pause, frame steps, jump to a frame or time, track selection, the
// track table, a chart of tracks per frame and the downloads (MOT text, JSON, CSV).
import { getJson, getText } from './api.js';
import { download, el, errorBox, fmtBytes, fmtTime } from './dom.js';
import { colorOf, indexRows, parseMot, toCsv, toJson, trackStats } from './mot.js';
import { progressOf, statusBadge } from './jobs.js';

const TRAIL = 15;
const DONE = new Set(['SUCCEEDED', 'FAILED', 'REJECTED']);

export function render(main, jobId) {
  let stopped = false;
  let timer = null;
  let teardown = () => {};
  const head = el('div');
  const body = el('div');
  main.append(el('p', {}, el('a', { href: '#/jobs' }, '← Jobs')), head, body);

  async function poll() {
    let job;
    try {
      job = await getJson(`/jobs/${encodeURIComponent(jobId)}`);
    } catch (e) {
      head.replaceChildren(el('h1', {}, 'Job'), errorBox(e));
      return;
    }
    if (stopped) {
      return;
    }
    head.replaceChildren(
      el('h1', {}, job.fileName ?? 'Job', ' ', statusBadge(job.status)),
      el('p', { class: 'muted' }, el('span', { class: 'mono' }, job.jobId), ` · created ${fmtTime(job.createdAt)}`,
        job.sizeBytes ? ` · ${fmtBytes(job.sizeBytes)}` : '', job.route ? ` · ${job.route}` : '',
        job.sagemaker?.model?.version ? ` · model v${job.sagemaker.model.version}` : '',
        job.timings?.totalMillis ? ` · ${(job.timings.totalMillis / 1000).toFixed(1)} s` : ''),
      job.reason && job.status !== 'SUCCEEDED' ? el('p', { class: DONE.has(job.status) ? 'error' : 'muted', role: 'status' }, job.reason) : '',
      DONE.has(job.status) ? '' : el('p', {}, progressOf(job.status), ' waiting for the job…'));
    if (job.status === 'SUCCEEDED') {
      try {
        teardown = await showResult(body, job);
      } catch (e) {
        body.replaceChildren(errorBox(e));
      }
    } else if (!DONE.has(job.status)) {
      timer = setTimeout(poll, 1500);
    }
  }

  poll();
  return () => { stopped = true; clearTimeout(timer); teardown(); };
}

async function showResult(body, job) {
  const rows = parseMot(await getText(job.results.tracksUrl));
  const idx = indexRows(rows);
  const trackFrames = new Map();
  for (const [id, boxes] of idx.byTrack) {
    trackFrames.set(id, new Map(boxes.map((b) => [b.frame, b])));
  }
  const s = { frame: 1, fps: 30, selected: null, playing: false, videoOk: Boolean(job.videoUrl), fpsEdited: false };
  // the video's frame count once its duration is known; until then the last frame with a box
  let lastFrame = Math.max(1, idx.lastFrame);

  // ---- stage: video + overlay ------------------------------------------------------------
  const video = el('video', { preload: 'auto', playsinline: true, muted: true, 'aria-label': `video ${job.fileName ?? ''}` });
  const canvas = el('canvas', { class: 'overlay', id: 'overlay', 'aria-label': 'tracks drawn over the video', role: 'img' });
  const stage = el('div', { class: 'stage' }, video, canvas);
  const notice = el('p', { class: 'notice', role: 'status', hidden: true });
  const extent = boxesExtent(rows);
  sizeCanvas(canvas, extent.w, extent.h);

  // ---- controls ---------------------------------------------------------------------------
  const playBtn = el('button', { type: 'button', id: 'play' }, 'Play');
  const prevBtn = el('button', { type: 'button', id: 'prev', 'aria-label': 'previous frame' }, '◀ frame');
  const nextBtn = el('button', { type: 'button', id: 'next', 'aria-label': 'next frame' }, 'frame ▶');
  const slider = el('input', { type: 'range', id: 'frame-slider', min: 1, max: lastFrame, value: 1, 'aria-label': 'frame' });
  const jump = el('input', { id: 'jump', type: 'text', size: 8, placeholder: '42 or 1.4s', 'aria-label': 'jump to a frame number or a time in seconds' });
  const jumpForm = el('form', { class: 'inline', id: 'jump-form' }, el('label', { for: 'jump' }, 'Go to '), jump, el('button', { type: 'submit' }, 'Go'));
  const fpsInput = el('input', { id: 'fps', type: 'number', min: 1, max: 240, step: 'any', value: s.fps, 'aria-label': 'frames per second' });
  const readout = el('output', { id: 'readout', 'aria-live': 'off' });
  const controls = el('div', { class: 'controls' }, playBtn, prevBtn, nextBtn, slider, readout, jumpForm,
    el('label', { for: 'fps' }, 'fps '), fpsInput);

  // ---- table, chart, downloads -------------------------------------------------------------
  const stats = trackStats(idx.byTrack, s.fps);
  const tbody = el('tbody');
  const table = el('table', { class: 'tracks', id: 'track-table' },
    el('caption', {}, `${stats.length} tracks · ${rows.length} boxes · frames 1–${lastFrame}. Select a track to highlight it and jump to its first frame.`),
    el('thead', {}, el('tr', {}, ['', 'ID', 'First frame', 'Last frame', 'Frames', 'Duration (s)', 'Mean score'].map((h) => el('th', { scope: 'col' }, h)))),
    tbody);
  const chart = el('canvas', { class: 'chart', id: 'chart', width: 800, height: 120, role: 'img',
    'aria-label': `number of tracks per frame, at most ${Math.max(0, ...idx.counts)}` });
  const stem = (job.fileName ?? job.jobId).replace(/\.[^.]+$/, '');
  const downloads = el('div', { class: 'downloads' },
    el('button', { type: 'button', id: 'dl-mot', onclick: () => download(`${stem}.tracks.txt`, 'text/plain', rows.map((r) => [r.frame, r.id, r.x, r.y, r.w, r.h, r.score, -1, -1, -1].join(',')).join('\n') + '\n') }, 'MOT text'),
    el('button', { type: 'button', id: 'dl-json', onclick: () => download(`${stem}.tracks.json`, 'application/json', toJson(job.jobId, s.fps, idx.byTrack, trackStats(idx.byTrack, s.fps))) }, 'JSON'),
    el('button', { type: 'button', id: 'dl-csv', onclick: () => download(`${stem}.tracks.csv`, 'text/csv', toCsv(rows)) }, 'CSV'),
    el('a', { href: job.results.tracksUrl, class: 'muted' }, 'result file in S3'));
  const annotated = el('p', { hidden: true });

  body.replaceChildren(
    el('section', { 'aria-label': 'player' }, stage, notice, controls),
    el('section', { 'aria-label': 'tracks per frame' }, el('h2', {}, 'Tracks per frame'), chart),
    el('section', { 'aria-label': 'tracks' }, el('h2', {}, 'Tracks'), table),
    el('section', { 'aria-label': 'downloads' }, el('h2', {}, 'Downloads'), downloads, annotated));

  function renderTable() {
    const st = trackStats(idx.byTrack, s.fps);
    tbody.replaceChildren(...st.map((t) => {
      const sel = () => selectTrack(t.id);
      return el('tr', { dataset: { trackId: t.id }, class: s.selected === t.id ? 'selected' : '', 'aria-selected': s.selected === t.id ? 'true' : 'false', onclick: sel },
        el('td', {}, el('span', { class: 'swatch', style: `background:${colorOf(t.id)}`, dataset: { color: colorOf(t.id) } })),
        el('td', {}, el('button', { type: 'button', class: 'link', onclick: (e) => { e.stopPropagation(); sel(); } }, `ID ${t.id}`)),
        el('td', { class: 'num' }, t.first), el('td', { class: 'num' }, t.last), el('td', { class: 'num' }, t.frames),
        el('td', { class: 'num' }, t.duration.toFixed(2)),
        el('td', { class: 'num' }, t.meanScore === null ? '' : t.meanScore.toFixed(3)));
    }));
  }

  function selectTrack(id) {
    s.selected = s.selected === id ? null : id;
    renderTable();
    if (s.selected !== null) {
      seek(idx.byTrack.get(id)[0].frame);
    } else {
      draw();
    }
  }

  // ---- drawing ---------------------------------------------------------------------------------
  function draw() {
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!s.videoOk) {
      ctx.fillStyle = '#1d2430';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    const boxes = idx.byFrame.get(s.frame) ?? [];
    const ordered = [...boxes].sort((a, b) => (a.id === s.selected) - (b.id === s.selected));
    for (const b of ordered) {
      const color = colorOf(b.id);
      const dim = s.selected !== null && b.id !== s.selected;
      ctx.globalAlpha = dim ? 0.35 : 1;
      // trail: centres of this track's last frames
      const frames = trackFrames.get(b.id);
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      let started = false;
      for (let f = s.frame - TRAIL; f <= s.frame; f++) {
        const p = frames.get(f);
        if (!p) {
          continue;
        }
        const cx = p.x + p.w / 2;
        const cy = p.y + p.h / 2;
        if (started) {
          ctx.lineTo(cx, cy);
        } else {
          ctx.moveTo(cx, cy);
          started = true;
        }
      }
      ctx.stroke();
      // box on whole pixels, so the edge has the track's exact colour (tests read it back)
      ctx.lineWidth = b.id === s.selected ? 4 : 2;
      ctx.strokeRect(Math.round(b.x), Math.round(b.y), Math.round(b.w), Math.round(b.h));
      const label = String(b.id);
      ctx.font = 'bold 12px sans-serif';
      const tw = Math.ceil(ctx.measureText(label).width) + 6;
      const ly = b.y >= 16 ? Math.round(b.y) - 16 : Math.round(b.y) + 2;
      ctx.fillStyle = color;
      ctx.fillRect(Math.round(b.x) + (b.y >= 16 ? -1 : 2), ly, tw, 15);
      ctx.fillStyle = '#000';
      ctx.fillText(label, Math.round(b.x) + (b.y >= 16 ? 2 : 5), ly + 12);
    }
    ctx.globalAlpha = 1;
    canvas.dataset.frame = String(s.frame);
    slider.value = String(s.frame);
    readout.value = `frame ${s.frame} / ${lastFrame} · ${((s.frame - 1) / s.fps).toFixed(3)} s · ${boxes.length} tracks`;
    drawChart();
  }

  function drawChart() {
    const ctx = chart.getContext('2d');
    const w = chart.width;
    const h = chart.height;
    const max = Math.max(1, ...idx.counts);
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = '#f4f6f9';
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = '#2f6fdb';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let f = 1; f <= lastFrame; f++) {
      const x = ((f - 1) / Math.max(1, lastFrame - 1)) * (w - 30) + 25;
      const y = h - 15 - ((idx.counts[f] ?? 0) / max) * (h - 25);
      if (f === 1) {
        ctx.moveTo(x, y);
      } else {
        ctx.lineTo(x, y);
      }
    }
    ctx.stroke();
    ctx.fillStyle = '#445';
    ctx.font = '10px sans-serif';
    ctx.fillText(String(max), 2, 14);
    ctx.fillText('0', 2, h - 15);
    ctx.fillText(`frame ${lastFrame}`, w - 60, h - 2);
    const cx = ((s.frame - 1) / Math.max(1, lastFrame - 1)) * (w - 30) + 25;
    ctx.strokeStyle = '#d33';
    ctx.beginPath();
    ctx.moveTo(cx, 0);
    ctx.lineTo(cx, h - 12);
    ctx.stroke();
  }

  // ---- the frame clock -------------------------------------------------------------------------
  const frameOfTime = (t) => Math.round(t * s.fps) + 1;
  const clamp = (f) => Math.min(lastFrame, Math.max(1, Math.round(f)));

  function seek(frame) {
    s.frame = clamp(frame);
    if (s.videoOk && video.readyState >= 1) {
      // a quarter frame into the frame: the decoder shows frame n, and round() maps the time back to n
      video.currentTime = (s.frame - 1 + 0.25) / s.fps;
    }
    draw();
  }

  let fallbackTimer = null;
  function play() {
    s.playing = true;
    playBtn.textContent = 'Pause';
    if (s.videoOk) {
      video.play().catch(() => {});
    } else {
      fallbackTimer = setInterval(() => {
        if (s.frame >= lastFrame) {
          pause();
        } else {
          s.frame++;
          draw();
        }
      }, 1000 / s.fps);
    }
  }
  function pause() {
    s.playing = false;
    playBtn.textContent = 'Play';
    clearInterval(fallbackTimer);
    if (s.videoOk) {
      video.pause();
    }
  }

  // fps from the presented frames while playing (the video file's rate), unless typed in
  const samples = [];
  let lastMeta = null;
  function learnFps(meta) {
    if (lastMeta && meta.presentedFrames === lastMeta.presentedFrames + 1 && meta.mediaTime > lastMeta.mediaTime) {
      samples.push(1 / (meta.mediaTime - lastMeta.mediaTime));
      if (samples.length >= 12 && !s.fpsEdited) {
        const sorted = [...samples].sort((a, b) => a - b);
        const est = Math.round(sorted[Math.floor(sorted.length / 2)] * 1000) / 1000;
        if (Math.abs(est - s.fps) / s.fps > 0.01) {
          s.fps = est;
          fpsInput.value = String(est);
          renderTable();
        }
        samples.length = 0;
      }
    }
    lastMeta = meta;
  }

  let rafId = null;
  let stoppedPage = false;
  if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
    const onFrame = (_now, meta) => {
      if (stoppedPage) {
        return;
      }
      learnFps(meta);
      s.frame = clamp(frameOfTime(meta.mediaTime));
      draw();
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  } else {
    const tick = () => {
      s.frame = clamp(frameOfTime(video.currentTime));
      draw();
      if (s.playing) {
        rafId = requestAnimationFrame(tick);
      }
    };
    video.addEventListener('play', () => { rafId = requestAnimationFrame(tick); });
    video.addEventListener('seeked', tick);
  }

  video.addEventListener('loadedmetadata', () => {
    sizeCanvas(canvas, video.videoWidth || extent.w, video.videoHeight || extent.h);
    if (Number.isFinite(video.duration) && video.duration > 0) {
      lastFrame = Math.max(idx.lastFrame, 1, Math.round(video.duration * s.fps));
      slider.max = String(lastFrame);
    }
    seek(s.frame);
  });
  video.addEventListener('ended', pause);
  video.addEventListener('error', () => {
    s.videoOk = false;
    video.hidden = true;
    stage.classList.add('no-video');
    notice.hidden = false;
    notice.textContent = `This browser cannot play ${job.fileName ?? 'the video'} (${job.container ?? 'unknown container'}; `
      + `${video.error?.message || 'unsupported codec or container'}). The tracks are drawn on a blank frame; `
      + 'download the video to watch it elsewhere, or upload it as H.264 MP4 or VP8/VP9 WebM.';
    pause();
    draw();
  });
  if (job.videoUrl) {
    video.src = job.videoUrl;
  } else {
    video.hidden = true;
    stage.classList.add('no-video');
    notice.hidden = false;
    notice.textContent = 'The job has no video link; the tracks are drawn on a blank frame.';
  }

  playBtn.addEventListener('click', () => (s.playing ? pause() : play()));
  prevBtn.addEventListener('click', () => { pause(); seek(s.frame - 1); });
  nextBtn.addEventListener('click', () => { pause(); seek(s.frame + 1); });
  slider.addEventListener('input', () => { pause(); seek(Number(slider.value)); });
  jumpForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = jump.value.trim().toLowerCase();
    const m = /^(\d+(?:\.\d+)?)\s*s$/.exec(v);
    pause();
    if (m) {
      seek(frameOfTime(Number(m[1])));
    } else if (/^\d+$/.test(v)) {
      seek(Number(v));
    } else {
      jump.setCustomValidity('a frame number (42) or a time in seconds (1.4s)');
      jump.reportValidity();
      return;
    }
    jump.setCustomValidity('');
  });
  fpsInput.addEventListener('change', () => {
    const v = Number(fpsInput.value);
    if (v > 0) {
      s.fps = v;
      s.fpsEdited = true;
      renderTable();
      seek(s.frame);
    }
  });
  chart.addEventListener('click', (e) => {
    const r = chart.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * chart.width;
    pause();
    seek(1 + ((x - 25) / (chart.width - 30)) * (lastFrame - 1));
  });
  stage.tabIndex = 0;
  stage.setAttribute('aria-label', 'player: space plays or pauses, arrow keys step a frame');
  stage.addEventListener('keydown', (e) => {
    if (e.key === ' ') {
      e.preventDefault();
      playBtn.click();
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      prevBtn.click();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      nextBtn.click();
    }
  });

  if (job.annotatedVideoUrl) {
    fetch(job.annotatedVideoUrl, { headers: { range: 'bytes=0-0' } }).then((r) => {
      if (r.ok) {
        annotated.hidden = false;
        annotated.replaceChildren(el('a', { href: job.annotatedVideoUrl, id: 'annotated-link' }, 'Annotated video (MP4, from the processing job)'));
      }
    }).catch(() => {});
  }

  renderTable();
  draw();
  return () => { stoppedPage = true; pause(); cancelAnimationFrame(rafId); video.removeAttribute('src'); video.load(); };
}

function sizeCanvas(canvas, w, h) {
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.parentElement?.style.setProperty('aspect-ratio', `${w} / ${h}`);
  canvas.style.aspectRatio = `${w} / ${h}`;
}

/** A frame size that holds every box, for drawing without a video. */
function boxesExtent(rows) {
  let w = 320;
  let h = 180;
  for (const r of rows) {
    w = Math.max(w, r.x + r.w);
    h = Math.max(h, r.y + r.h);
  }
  return { w: Math.ceil(w / 16) * 16, h: Math.ceil(h / 16) * 16 };
}
