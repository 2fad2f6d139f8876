// stream.js — the live event stream, GET /api/v1/stream (Server-Sent Events,
// HTML Living Standard section 9.2).
//
// It reads the stream with fetch rather than EventSource: the server names
// each event by its type, which EventSource would deliver only to a listener
// per type name; and fetch lets the client send Last-Event-ID itself on
// every reconnection, so that the server resumes just after the last event
// this page folded in, with no gap and no duplicate, however the connection
// was lost. The stream is "live" only while connected and heard from within
// the watchdog time (the server sends a keepalive every 15 s).

const watchdogMs = 40_000;

export class Stream {
  // onEvent(ev) gets each event: {seq, type, data} with data the parsed log
  // leaf. onState(state, detail) gets "connecting", "live", "down" or
  // "signed-out". path is the stream's URL, with any query (messages.js
  // opens a unit's, ?unit=ID).
  constructor({onEvent, onState, path = '/api/v1/stream'}) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.path = path;
    this.last = null; // the sequence number of the last event folded in
    this.state = 'down';
    this.retry = 1000;
    this.stopped = true;
    this.abort = null;
    this.since = null; // when it last went down
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    // The browser knows when its network goes: say so at once rather
    // than at the watchdog, and reconnect as soon as it is back.
    this.onOffline = () => this.abort?.abort();
    this.onOnline = () => this.wake?.();
    addEventListener('offline', this.onOffline);
    addEventListener('online', this.onOnline);
    this.loop();
  }

  stop() {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    removeEventListener('offline', this.onOffline);
    removeEventListener('online', this.onOnline);
  }

  set(state, detail) {
    if (state === 'down' && this.state !== 'down') this.since = new Date();
    this.state = state;
    this.onState(state, detail);
  }

  async loop() {
    let failures = 0;
    while (!this.stopped) {
      if (!navigator.onLine) {
        this.set('down', 'offline');
        await this.sleep(15_000);
        continue;
      }
      this.set('connecting');
      const started = Date.now();
      try {
        await this.connect();
      } catch (e) {
        if (e?.signedOut) {
          this.stopped = true;
          this.set('signed-out');
          return;
        }
      }
      if (this.stopped) break;
      this.set('down');
      // Back off while failing at once; reconnect quickly after a long
      // connection dropped.
      failures = Date.now() - started > 10_000 ? 0 : failures + 1;
      const wait = Math.min(this.retry * 2 ** Math.min(failures, 4), 15_000);
      await this.sleep(failures === 0 ? this.retry : wait);
    }
    this.set('down');
  }

  // sleep waits ms, or less if the network comes back (wake).
  sleep(ms) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  async connect() {
    const ctl = new AbortController();
    this.abort = ctl;
    const headers = {Accept: 'text/event-stream'};
    if (this.last !== null) headers['Last-Event-ID'] = String(this.last);
    const resp = await fetch(this.path, {headers, credentials: 'same-origin', cache: 'no-store', signal: ctl.signal});
    if (resp.status === 401) throw {signedOut: true};
    if (!resp.ok || !resp.body) throw new Error(`stream: HTTP ${resp.status}`);
    let watchdog;
    const pet = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => ctl.abort(), watchdogMs);
    };
    pet();
    this.set('live');
    const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let ev = {id: null, type: 'message', data: []};
    try {
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        pet();
        buf += value;
        let nl;
        while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
          if (line === '') {
            if (ev.data.length > 0) this.dispatch(ev);
            ev = {id: null, type: 'message', data: []};
            continue;
          }
          if (line.startsWith(':')) continue; // a comment: the keepalive
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'id') ev.id = value;
          else if (field === 'event') ev.type = value;
          else if (field === 'data') ev.data.push(value);
          else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
        }
      }
    } finally {
      clearTimeout(watchdog);
      ctl.abort();
    }
  }

  dispatch(ev) {
    let data;
    try {
      data = JSON.parse(ev.data.join('\n'));
    } catch {
      console.warn('stream: an event that is not JSON', ev.id);
      return;
    }
    const seq = Number(ev.id);
    if (ev.id !== null && Number.isInteger(seq)) this.last = seq;
    this.onEvent({seq, type: ev.type, data});
  }
}
