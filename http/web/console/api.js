// api.js — the JSON API under /api/v1, as the signed-in browser calls it.
//
// The session is the HttpOnly s4_ cookie set by POST /api/v1/auth/login;
// every call is same-origin, so the browser sends Sec-Fetch-Site:
// same-origin and passes the server's cross-origin (CSRF) check. Each POST
// carries an Idempotency-Key, so that a command retried after a lost answer
// is done once.

// An ApiError is a refused or failed call: the RFC 9457 problem the server
// answered (status, code, detail), or a network failure (status 0).
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || '';
    this.title = problem.title || '';
    this.detail = problem.detail || '';
  }

  // suggestions returns the geocoder's "did you mean A, B?" names, if any.
  get suggestions() {
    const m = /did you mean (.+)\?$/.exec(this.detail);
    return m ? m[1].split(', ') : [];
  }
}

// unauthorized is called when the session has ended (401), once per call.
let unauthorized = () => {};
export function onUnauthorized(fn) {
  unauthorized = fn;
}

// request calls the API and returns the decoded JSON answer (null for 204).
// It throws an ApiError for any answer but 2xx.
export async function request(method, path, body, {quiet401 = false, signal} = {}) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
  let resp;
  try {
    resp = await fetch('/api/v1' + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin', cache: 'no-store', signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, {title: 'No connection', detail: 'the server cannot be reached; check the network and try again'});
  }
  if (resp.status === 204) return null;
  const type = resp.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await resp.json().catch(() => ({})) : {};
  if (!resp.ok) {
    const err = new ApiError(resp.status, data);
    if (resp.status === 401 && !quiet401 && err.code !== 'otp_required') unauthorized(err);
    throw err;
  }
  return data;
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body === undefined ? {} : body, opts);

// path escapes one segment of a path.
export const seg = encodeURIComponent;
