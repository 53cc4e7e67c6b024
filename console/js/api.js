// Calls to the motflow HTTP API (same origin) and to presigned S3 URLs. Errors carry the API's
// {"error": code, "message": text} so pages can show the reason.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function errorOf(res) {
  let code = `HTTP ${res.status}`;
  let message = res.statusText || 'request failed';
  try {
    const body = await res.json();
    code = body.error ?? code;
    message = body.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) {
    throw await errorOf(res);
  }
  return res.json();
}

export async function postJson(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    throw await errorOf(res);
  }
  return res.json();
}

export async function getText(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) {
    throw new ApiError(res.status, `HTTP ${res.status}`, `could not read ${new URL(url).pathname}`);
  }
  return res.text();
}

/** Every page of a paged list: follows nextToken. */
export async function getAllPages(path, field, maxPages = 50) {
  const items = [];
  let token = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await getJson(token ? `${path}${sep}nextToken=${encodeURIComponent(token)}` : path);
    items.push(...(page[field] ?? []));
    token = page.nextToken;
    if (!token) {
      break;
    }
  }
  return items;
}

/** PUT a file to a presigned URL with progress callbacks (fetch has no upload progress). */
export function putWithProgress(url, file, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers ?? {})) {
      // The browser sets Content-Length (signed by the URL) itself and refuses a script's.
      if (!['content-length', 'host'].includes(k.toLowerCase())) {
        xhr.setRequestHeader(k, v);
      }
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        onProgress(e.loaded / e.total);
      }
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve()
      : reject(new ApiError(xhr.status, `HTTP ${xhr.status}`, `the upload was refused (${xhr.status})`)));
    xhr.onerror = () => reject(new ApiError(0, 'NetworkError', 'the upload could not reach the storage server'));
    xhr.send(file);
  });
}
