// sound.js — alerts that are heard, not only seen or spoken (issue 14): a
// repeating urgent two-tone while an EMERGENCY alert is shown and not yet
// acknowledged, and a short tone when an open assistance request this
// user takes part in nears its deadline (10 s left for an EMERGENCY, 30 s
// for any other; once per deadline).
//
// Tones are made with WebAudio, nothing to download. The header's sound
// button mutes them, kept in this browser's storage; muted, the header
// says plainly that alerts are silent. A browser starts audio only after a
// gesture on the page: the first click or key (signing in is one) starts
// it, and until then the header says that sound waits for one.
//
// What plays is on the page for those who cannot hear it, and for tests:
// the alerts band carries data-tone="emergency" while the emergency tone
// plays, data-tone="deadline" while a deadline tone does.

import {getAll} from './api.js';
import {replace, svg} from './dom.js';

// takesPart reports whether user me takes part in assistance requests: of
// an agency, and one who may ask for one (the route table's requesters),
// as assistalerts.js has it.
const takesPart = (me) => !!me?.agency && !!me?.may?.includes('POST /api/v1/requests');

// nearLimit is how close to its deadline a request sounds, by urgency.
const nearLimit = (urgency) => (urgency === 'EMERGENCY' ? 10000 : 30000);

const storageKey = 'tenfour.sound';

// speaker draws the button's icon: a speaker with its waves, or crossed
// out when muted. Drawn, not a font's emoji, which a device may lack.
function speaker(muted) {
  return svg('svg', {class: 'sound-icon', viewBox: '0 0 24 24', width: 18, height: 18, 'aria-hidden': 'true', focusable: 'false'},
    svg('path', {d: 'M3 9h4l5-4v14l-5-4H3z', fill: 'currentColor'}),
    muted
      ? svg('path', {d: 'M16 9l6 6M22 9l-6 6', stroke: 'currentColor', 'stroke-width': 2, fill: 'none', 'stroke-linecap': 'round'})
      : svg('path', {d: 'M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12', stroke: 'currentColor', 'stroke-width': 2, fill: 'none', 'stroke-linecap': 'round'}));
}

export class Sound {
  constructor(store, band, button, state) {
    this.store = store;
    this.band = band;
    this.button = button;
    this.state = state;
    this.ac = null; // the AudioContext, made at sign-in
    this.unsupported = false;
    this.muted = false;
    try {
      this.muted = localStorage.getItem(storageKey) === 'off';
    } catch {
      // Private browsing: sound is on, for this page only.
    }
    this.siren = null; // the emergency tone's timer while it plays
    this.requests = new Map(); // id → {urgency, deadline}
    this.sounded = new Set(); // request@deadline already sounded
    this.deadlineTones = 0;
    button.addEventListener('click', () => this.setMuted(!this.muted));
    store.subscribe((c) => c.has('alerts') && this.update());
    this.render();
  }

  // start begins the watch for a signed-in user: audio, the open requests,
  // the stream's changes to their deadlines, and a tick for the deadlines.
  start() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) {
      this.unsupported = true;
    } else {
      this.ac = new Ctx();
      this.ac.addEventListener('statechange', () => {
        this.render();
        this.update();
      });
      // A gesture anywhere lets audio start; resume is harmless once it has.
      const unlock = () => {
        if (this.ac.state !== 'running') this.ac.resume().catch(() => this.render());
      };
      for (const t of ['pointerdown', 'keydown']) document.addEventListener(t, unlock, {capture: true});
      unlock();
    }
    this.store.watch((ev) => this.fold(ev));
    if (takesPart(this.store.me)) {
      getAll('/requests?status=open&limit=1000', 'requests').then((l) => {
        for (const r of l) {
          if (r.status !== 'CLOSED' && r.deadline && !this.requests.has(r.id)) this.requests.set(r.id, {urgency: r.urgency, deadline: Date.parse(r.deadline)});
        }
      }).catch(() => {
        // The stream's next event about a request brings its deadline.
      });
    }
    setInterval(() => this.tick(), 500);
    this.render();
    this.update();
  }

  // fold keeps the deadline of each open request from its events: any
  // assist.* event that names one sets it; a unit on scene ends it, as do
  // an acceptance or a unit leaving without one (another unit helping is
  // on scene); a closed request is no longer watched.
  fold(ev) {
    const e = ev.data, d = e?.data || {};
    if (!e?.type?.startsWith('assist.') || !d.request || !takesPart(this.store.me)) return;
    if (e.type === 'assist.closed') {
      this.requests.delete(d.request);
      return;
    }
    const r = this.requests.get(d.request) || {urgency: d.urgency, deadline: 0};
    r.urgency = d.urgency || r.urgency;
    if (d.deadline) r.deadline = Date.parse(d.deadline);
    else if (['assist.accepted', 'assist.on_scene', 'assist.unit_left'].includes(e.type)) r.deadline = 0;
    this.requests.set(d.request, r);
  }

  playing() {
    return !this.muted && this.ac?.state === 'running';
  }

  // tick sounds the requests near their deadline, once per deadline.
  tick() {
    const now = Date.now();
    for (const [id, r] of this.requests) {
      if (!r.deadline) continue;
      const left = r.deadline - now, k = `${id}@${r.deadline}`;
      if (left <= 0 || left > nearLimit(r.urgency) || this.sounded.has(k)) continue;
      this.sounded.add(k);
      if (this.playing()) this.deadlineTone();
    }
  }

  // update starts or stops the emergency tone: it plays while an
  // EMERGENCY alert is shown, not over and not acknowledged by this user.
  update() {
    const want = this.playing() && this.store.alerts.some((a) => a.emergency && !a.over && !a.acked);
    if (want && !this.siren) {
      const play = () => {
        this.tone(1050, 0, 0.32);
        this.tone(750, 0.36, 0.32);
      };
      play();
      this.siren = setInterval(play, 1000);
    } else if (!want && this.siren) {
      clearInterval(this.siren);
      this.siren = null;
    }
    if (want) this.band.dataset.tone = 'emergency';
    else if (this.band.dataset.tone === 'emergency') delete this.band.dataset.tone;
  }

  // deadlineTone plays two short beeps.
  deadlineTone() {
    this.tone(880, 0, 0.12);
    this.tone(880, 0.2, 0.12);
    this.deadlineTones++;
    this.band.dataset.deadlineTones = String(this.deadlineTones);
    if (this.siren) return; // the emergency tone says more
    this.band.dataset.tone = 'deadline';
    setTimeout(() => {
      if (this.band.dataset.tone === 'deadline') delete this.band.dataset.tone;
    }, 1000);
  }

  // tone plays a sine of freq Hz from at seconds from now for dur seconds,
  // its edges softened so that it does not click.
  tone(freq, at, dur) {
    const ac = this.ac;
    const t0 = ac.currentTime + at;
    const osc = ac.createOscillator(), gain = ac.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(0.15, t0 + 0.02);
    gain.gain.setValueAtTime(0.15, t0 + dur - 0.03);
    gain.gain.linearRampToValueAtTime(0, t0 + dur);
    osc.connect(gain).connect(ac.destination);
    osc.start(t0);
    osc.stop(t0 + dur + 0.01);
  }

  setMuted(muted) {
    this.muted = muted;
    try {
      localStorage.setItem(storageKey, muted ? 'off' : 'on');
    } catch {
      // no storage: this page only
    }
    if (!muted) this.ac?.resume().catch(() => this.render());
    this.render();
    this.update();
  }

  // render shows the sound's state in the header: the button, and what
  // the user must know — alerts are silent, or sound waits for a gesture.
  render() {
    const b = this.button;
    b.setAttribute('aria-pressed', String(!this.muted));
    b.classList.toggle('muted', this.muted);
    b.title = this.muted ? 'Alerts are silent: turn their sound on' : 'Turn the sound of alerts off';
    replace(b, speaker(this.muted), this.muted ? 'Sound off' : 'Sound on');
    let say = '';
    if (this.muted) say = 'Alerts are silent';
    else if (this.unsupported) say = 'This browser cannot sound alerts';
    else if (this.ac && this.ac.state !== 'running') say = 'Sound waits for a click';
    this.state.textContent = say;
    this.state.title = say === 'Sound waits for a click' ? 'This browser plays sound only once you click or press a key on the page' : '';
    this.state.hidden = !say;
    this.state.dataset.state = this.muted ? 'muted' : say ? 'blocked' : 'on';
  }
}
