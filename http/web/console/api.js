// api.js — the JSON API under /api/v1, as the signed-in browser calls it.
//
// The session is the HttpOnly s4_ cookie set by POST /api/v1/auth/login;
// every call is same-origin, so the browser sends Sec-Fetch-Site:
// same-origin and passes the server's cross-origin (CSRF) check.
//
// A command (a POST) survives blips: it carries one Idempotency-Key for the
// user's one intent, and is sent again with that same key — after a network
// error, a timeout, or an answer that says "not now" (retryable) — until the
// server answers it, so the server does it at most once (docs/api.md,
// "Idempotency keys"). While it waits the control that sent it and the
// frame's status line say "sending…" (pending, onPending); the user may stop
// trying an ordinary command, never an EMERGENCY press (critical).

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

// The statuses that are no answer to a command, only "not now": the
// gateway's (502, 504), the server's while the sequencer changes (503),
// a timeout (408), too early (425), too many (429). Status 0 is a network
// error or an attempt that timed out (attemptTimeout).
const retryStatuses = new Set([0, 408, 425, 429, 502, 503, 504]);

// Backoff between attempts: exponential from backoffStart to backoffCap,
// with jitter, so that the consoles of a whole centre do not come back at
// the same instant; at least what the server's Retry-After asks, up to
// retryAfterCap.
export const backoffStart = 500;
export const backoffCap = 8000;
const retryAfterCap = 60_000;
// attemptTimeout ends one attempt the server does not answer: the next one
// goes with the same key. A follower answers within its own bound
// (http/forward.go), so this is only for a connection that went dead.
const attemptTimeout = 20_000;
// showAfter is how long a command may take before it shows "sending…".
const showAfter = 600;

// retryable reports whether err, a failed attempt, is worth another with
// the same key: no answer, a "not now", or a repeat that arrived while the
// first was still being done (409 idempotency_in_flight).
export function retryable(err) {
  return retryStatuses.has(err.status) || (err.status === 409 && err.code === 'idempotency_in_flight');
}

// backoff returns the wait before attempt n+1 (n ≥ 1 attempts failed), in
// milliseconds: half of min(cap, start·2ⁿ⁻¹) plus a random part of the
// other half, and never less than retryAfter.
export function backoff(n, retryAfter = 0, random = Math.random) {
  const ceil = Math.min(backoffCap, backoffStart * 2 ** (n - 1));
  return Math.max(ceil / 2 + random() * ceil / 2, Math.min(retryAfter, retryAfterCap));
}

// retryAfterMs reads a Retry-After field (RFC 9110 section 10.2.3): seconds,
// or an HTTP date.
function retryAfterMs(v) {
  if (!v) return 0;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? 0 : Math.max(0, t - Date.now());
}

// --- commands being sent ------------------------------------------------

// The commands still waiting for their answer, and who watches them.
const commands = new Set();
const watchers = new Set();
let lastId = 0;

// pending lists the commands that are showing "sending…": {id, label,
// critical, attempts, nextAt (ms since the epoch, or 0 while an attempt
// runs), lastError, cancel()}.
export function pending() {
  return [...commands].filter((c) => c.shown);
}

// onPending calls fn whenever the pending commands change; it returns the
// function that stops it.
export function onPending(fn) {
  watchers.add(fn);
  return () => watchers.delete(fn);
}

function changed(cmd) {
  if (cmd.control) {
    const on = cmd.shown && commands.has(cmd);
    cmd.control.toggleAttribute('data-sending', on);
    if (on) cmd.control.setAttribute('aria-busy', 'true');
    else cmd.control.removeAttribute('aria-busy');
  }
  for (const fn of watchers) fn(pending());
}

// stopped is the error of a command the user stopped trying.
function stopped() {
  return new ApiError(0, {code: 'stopped', title: 'Stopped trying',
    detail: 'stopped trying to send it; the server may still have received it: look before you send it again'});
}

// sleep waits ms, or less when the browser comes back online or the
// command is cancelled.
function sleep(ms, cmd) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      window.removeEventListener('online', done);
      cmd.wake = null;
      resolve();
    };
    const t = setTimeout(done, ms);
    window.addEventListener('online', done);
    cmd.wake = done;
  });
}

// attempt calls the API once and returns the decoded JSON answer (null for
// 204); it throws an ApiError for any answer but 2xx, and status 0 for no
// answer. retryAfter on the error is the server's Retry-After, in ms.
async function attempt(method, path, body, headers, signal) {
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
    err.retryAfter = retryAfterMs(resp.headers.get('Retry-After'));
    throw err;
  }
  // A page of a list names the next one in its Link header: kept on the
  // answer, out of its JSON (see nextPage).
  const next = nextLink(resp.headers.get('Link'));
  if (next && data && typeof data === 'object') Object.defineProperty(data, 'next', {value: next});
  return data;
}

// nextLink returns the path below /api/v1 of the rel="next" target of a
// Link header (RFC 8288 section 3), or ''. The server names its own
// lists, so only a same-origin /api/v1 path is taken.
export function nextLink(header) {
  for (const part of (header || '').split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part);
    if (!m || !/;\s*rel="?next"?\s*(;|$)/i.test(m[2])) continue;
    let u;
    try {
      u = new URL(m[1], location.origin + '/api/v1/');
    } catch {
      continue;
    }
    if (u.origin === location.origin && u.pathname.startsWith('/api/v1/')) return u.pathname.slice('/api/v1'.length) + u.search;
  }
  return '';
}

// request calls the API and returns the decoded JSON answer (null for 204).
// It throws an ApiError for any answer but 2xx.
//
// A POST is a command: it is sent with one Idempotency-Key (key, or a new
// one) and, unless retry is false, sent again with it until it is answered
// (see retryable). A retry that reaches a node which knows the command was
// done but not its answer (the node that did it stopped in between) is
// answered {"done": true, "seq", "events"} with no record: the caller has
// no record to show, and the stream brings the change. label names it in the status line; critical commands
// cannot be stopped there. A command the user stops throws an ApiError of
// status 0 and code "stopped".
export async function request(method, path, body, {quiet401 = false, signal, key, retry = method === 'POST', label, critical = false} = {}) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'POST') headers['Idempotency-Key'] = key || crypto.randomUUID();
  const cmd = {
    id: ++lastId, label: label || path, critical, attempts: 0, nextAt: 0, lastError: null, shown: false,
    control: document.activeElement instanceof HTMLButtonElement ? document.activeElement : null,
    cancelled: false, abort: null, wake: null,
  };
  cmd.cancel = () => {
    if (cmd.critical || cmd.cancelled) return;
    cmd.cancelled = true;
    cmd.abort?.abort();
    cmd.wake?.();
  };
  // Only a command that is retried shows that it waits.
  const show = retry ? setTimeout(() => {
    cmd.shown = true;
    changed(cmd);
  }, showAfter) : null;
  if (retry) commands.add(cmd);
  try {
    for (;;) {
      cmd.attempts++;
      cmd.nextAt = 0;
      const ctl = new AbortController();
      cmd.abort = ctl;
      const onAbort = () => ctl.abort();
      signal?.addEventListener('abort', onAbort);
      let timedOut = false;
      const timer = retry ? setTimeout(() => { timedOut = true; ctl.abort(); }, attemptTimeout) : null;
      try {
        return await attempt(method, path, body, headers, ctl.signal);
      } catch (e) {
        if (cmd.cancelled) throw stopped();
        let err = e;
        if (e.name === 'AbortError') {
          if (!timedOut) throw e; // the caller's signal
          err = new ApiError(0, {title: 'No answer', detail: 'the server did not answer in time'});
        }
        if (err.status === 401 && !quiet401 && err.code !== 'otp_required') unauthorized(err);
        if (!retry || !retryable(err)) throw err;
        cmd.lastError = err;
        const wait = backoff(cmd.attempts, err.retryAfter || 0);
        cmd.nextAt = Date.now() + wait;
        cmd.shown = true;
        changed(cmd);
        await sleep(wait, cmd);
        if (cmd.cancelled) throw stopped();
        if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    }
  } finally {
    clearTimeout(show);
    const was = cmd.shown;
    commands.delete(cmd);
    if (was) changed(cmd);
  }
}

export const get = (path, opts) => request('GET', path, undefined, opts);

// getAll reads every page of a paged list from path, following its Link
// headers, and returns the records under key, in the list's order. It
// stops after max pages: a list that long is a question for the History
// view, not for a screen.
export async function getAll(path, key, {max = 50, ...opts} = {}) {
  const out = [];
  for (let n = 0; path && n < max; n++) {
    const page = await get(path, opts);
    out.push(...(page?.[key] || []));
    path = page?.next || '';
  }
  return out;
}
export const post = (path, body, opts) => request('POST', path, body === undefined ? {} : body, opts);

// path escapes one segment of a path.
export const seg = encodeURIComponent;
