// The console's router: the URL fragment names the page (#/jobs, #/jobs/<id>, #/models, #/streams),
// so every page has a link and the static server needs no rewrite rules.
import * as jobs from './jobs.js';
import * as job from './job.js';
import * as models from './models.js';
import * as streams from './streams.js';

const main = document.getElementById('main');
let cleanup = null;

function route() {
  const hash = location.hash.replace(/^#\/?/, '') || 'jobs';
  const parts = hash.split('/');
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  main.replaceChildren();
  let section = parts[0];
  if (parts[0] === 'jobs' && parts[1]) {
    cleanup = job.render(main, decodeURIComponent(parts[1]));
  } else if (parts[0] === 'models') {
    cleanup = models.render(main);
  } else if (parts[0] === 'streams') {
    cleanup = streams.render(main);
  } else {
    section = 'jobs';
    cleanup = jobs.render(main);
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
}

window.addEventListener('hashchange', route);
route();
