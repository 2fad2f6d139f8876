// app.js — the console's frame: who is signed in, the live stream and its
// indicator, the alerts, the theme, the keys and the views.

import {get, post, onUnauthorized} from './api.js';
import {Stream} from './stream.js';
import {Store} from './store.js';
import {Alerts} from './alerts.js';
import {Sound} from './sound.js';
import {watchAssist} from './assistalerts.js';
import * as router from './router.js';
import * as keys from './keys.js';
import {h, replace, clockTime} from './dom.js';
import {showSending} from './sending.js';
import * as emergency from './emergency.js';

const $ = (id) => document.getElementById(id);

const ctx = {
  store: new Store(),
  stream: null,
  me: null,
  go: router.go,
  toast,
  announce,
  alerts: null,
  sound: null,
  // open asks the dispatcher view to show an incident (set by that view).
  openIncident: null,
  // openRequest asks the supervisor view to show a request (set by it).
  openRequest: null,
};

let unmount = null;
let mounted = '';
let sessionReady = null;

// toast shows a short message for a few seconds; kind "error" keeps it
// until dismissed.
function toast(text, kind = 'info') {
  const close = h('button', {type: 'button', class: 'ghost', 'aria-label': 'Dismiss'}, '×');
  const el = h('div', {class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status'}, h('span', {}, text), close);
  close.addEventListener('click', () => el.remove());
  $('toasts').append(el);
  if (kind !== 'error') setTimeout(() => el.remove(), 5000);
}

// announce says text politely to screen readers.
function announce(text) {
  const r = $('announce-polite');
  r.textContent = '';
  setTimeout(() => { r.textContent = text; }, 50);
}

function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  $('theme').textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
  try {
    localStorage.setItem('tenfour.theme', theme);
  } catch {
    // Private browsing: the choice lasts this page only.
  }
}

function toggleTheme() {
  setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
}

function liveState(state, detail) {
  const el = $('live');
  el.dataset.state = state;
  const text = el.querySelector('.live-text');
  const s = ctx.stream;
  const was = text.textContent;
  text.textContent = {
    live: 'Live',
    connecting: s?.since ? `Reconnecting… not live since ${clockTime(s.since)}` : 'Connecting…',
    down: `Not live since ${clockTime(s?.since || new Date())}${detail === 'offline' ? ': this device is offline' : ''}`,
    'signed-out': 'Signed out',
  }[state] || state;
  el.title = state === 'live' ? 'Receiving events as they happen' : 'Not receiving events: what you see may be out of date';
  document.body.classList.toggle('stale', !!ctx.me && state !== 'live');
  if (state === 'live' && was.startsWith('Reconnecting')) announce('Live again');
  if (state === 'down' && was === 'Live') announce('Connection lost: not live; reconnecting');
}

function renderNav() {
  const nav = $('nav');
  const me = ctx.me;
  nav.hidden = !me;
  if (!me) return;
  replace(nav, h('ul', {}, router.views.filter((v) => router.forMe(v, me)).map((v) =>
    h('li', {}, h('a', {href: '/console/' + v.path, 'aria-current': mounted === v.path ? 'page' : null}, v.title)))));
}

// startSession opens the stream, then reads the lists, for user me.
async function startSession(me) {
  ctx.me = me;
  ctx.store.me = me;
  $('who').textContent = `${me.username} · ${me.agency || 'installation'} · ${me.roles.join(', ')}`;
  $('logout').hidden = false;
  $('live').hidden = false;
  $('sound').hidden = false;
  ctx.sound.start();
  liveState('connecting');
  renderNav();
  const store = ctx.store;
  // An EMERGENCY press this device still keeps for the user goes again at
  // once, with its key, before anything else is read.
  emergency.resume(me.username).then((u) => {
    if (u) store.takeUnit(u);
  }).catch((e) => {
    if (e.status !== 401) toast(`EMERGENCY not sent: ${e.message}`, 'error');
  });
  watchAssist(store);
  store.hold();
  ctx.stream = new Stream({
    onEvent: (ev) => store.fold(ev),
    onState: (state, detail) => {
      liveState(state, detail);
      if (state === 'signed-out') signedOut();
    },
  });
  const live = new Promise((resolve) => {
    const prev = ctx.stream.onState;
    ctx.stream.onState = (state, d) => {
      prev(state, d);
      if (state !== 'connecting') resolve();
    };
  });
  ctx.stream.start();
  // The lists are read once the stream is open, so that nothing falls
  // between them; if the stream cannot open, they are read anyway.
  await Promise.race([live, new Promise((r) => setTimeout(r, 4000))]);
  await store.load();
}

function signedOut() {
  if (!ctx.me) return;
  ctx.stream?.stop();
  // A fresh page: nothing of the last user's view is kept.
  location.assign('/console/login?expired=1');
}

async function route(path) {
  if (path === 'login') {
    if (ctx.me) return router.go(router.home(ctx.me), {replace: true});
    return show('login', () => import('./views/login.js'), 'Sign in');
  }
  const open = router.views.find((x) => x.path === path && x.public);
  if (open && !ctx.me) return show(path, open.load, open.title); // no sign-in needed
  if (!ctx.me) {
    sessionStorage.setItem('tenfour.next', path);
    return router.go('login', {replace: true});
  }
  if (path === '') return router.go(router.home(ctx.me), {replace: true});
  const v = router.views.find((x) => x.path === path);
  if (!v) {
    return show(path, null, 'Not found', (root) => replace(root, h('section', {class: 'panel notice'},
      h('h1', {}, 'No such view'), h('p', {}, h('a', {href: '/console/'}, 'Go to your view')))));
  }
  if (!router.forMe(v, ctx.me)) {
    return show(path, null, v.title, (root) => replace(root, h('section', {class: 'panel notice'},
      h('h1', {}, v.title), h('p', {}, `This view is for ${v.roles.join(', ')}; you are ${ctx.me.roles.join(', ')}.`),
      h('p', {}, h('a', {href: '/console/'}, 'Go to your view')))));
  }
  await sessionReady;
  return show(path, v.load, v.title);
}

async function show(path, load, title, draw) {
  unmount?.();
  unmount = null;
  keys.setView('', []);
  mounted = path;
  renderNav();
  document.title = `${title} · tenfour`;
  const root = $('view');
  root.replaceChildren();
  root.className = `view view-${path || 'home'}`;
  if (draw) {
    draw(root);
  } else {
    const mod = await load();
    if (mounted !== path) return; // another view was asked for meanwhile
    unmount = mod.mount(root, ctx) || null;
  }
  if (!root.contains(document.activeElement)) root.focus({preventScroll: true});
}

function tickClock() {
  $('clock').textContent = new Date().toLocaleTimeString('en-GB');
}

async function boot() {
  let theme = 'dark';
  try {
    theme = localStorage.getItem('tenfour.theme') || 'dark';
  } catch {
    // no storage: the default
  }
  setTheme(theme);
  $('theme').addEventListener('click', toggleTheme);
  $('logout').addEventListener('click', async () => {
    ctx.stream?.stop();
    try {
      await post('/auth/logout', undefined, {retry: false});
    } finally {
      location.assign('/console/login');
    }
  });
  const help = $('help');
  $('help-open').addEventListener('click', () => {
    keys.renderHelp($('help-body'));
    help.showModal();
  });
  keys.setGlobal([
    {key: '?', label: 'Show these keys', run: () => $('help-open').click()},
    {key: 'a', label: 'Acknowledge every alert shown', run: () => ctx.alerts.ackAll(), when: () => !$('alerts').hidden},
    {key: 'D', label: 'Go to the dispatch view', run: () => router.go('dispatch'), when: () => !!ctx.me},
    {key: 'U', label: 'Go to the unit view', run: () => router.go('unit'), when: () => !!ctx.me},
    {key: 'M', label: 'Go to the map', run: () => router.go('map'), when: () => !!ctx.me},
    {key: 'B', label: 'Go to the BOLOs (be on the lookout)', run: () => router.go('bolos'), when: () => !!ctx.me},
    {key: 'R', label: 'Go to the reports', run: () => router.go('reports'), when: () => !!ctx.me},
    {key: 'H', label: 'Go to the history (closed incidents)', run: () => router.go('history'), when: () => !!ctx.me},
    {key: 'S', label: 'Go to the supervisor\'s view', run: () => router.go('supervise'), when: () => !!ctx.me},
    {key: 'V', label: 'Go to the audit view (timelines verified against the log)', run: () => router.go('audit'), when: () => !!ctx.me},
    {key: 'P', label: 'Go to the published timelines', run: () => router.go('public')},
    {key: 'F', label: 'Go to the partners (federation: peers, witnesses, cosignatures)', run: () => router.go('partners'), when: () => !!ctx.me},
    {key: 'T', label: 'Switch between the dark and the light theme', run: toggleTheme},
  ]);
  keys.install();
  showSending($('sending'));
  tickClock();
  setInterval(tickClock, 1000);
  // Before sign-in there is nothing to be live for.
  $('live').hidden = true;

  ctx.alerts = new Alerts(ctx.store, $('alerts'), $('announce-alert'), {
    // Show takes the user to the incident, where their view has one, or
    // to the request in the supervisor's view.
    canOpen: (a) => {
      const v = router.views.find((x) => x.path === (a?.request ? 'supervise' : 'dispatch'));
      return !!v && router.forMe(v, ctx.me);
    },
    onOpen: (a) => {
      if (a.request) {
        if (ctx.openRequest) return ctx.openRequest(a.request);
        sessionStorage.setItem('tenfour.request', a.request);
        return router.go('supervise');
      }
      if (ctx.openIncident) return ctx.openIncident(a.incident);
      sessionStorage.setItem('tenfour.select', a.incident);
      router.go('dispatch');
    },
  });
  ctx.sound = new Sound(ctx.store, $('alerts'), $('sound'), $('sound-state'));
  onUnauthorized(() => signedOut());

  let me = null;
  try {
    me = await get('/auth/me', {quiet401: true});
  } catch (e) {
    if (e.status !== 401) toast(`Cannot reach the server: ${e.message}`, 'error');
  }
  if (me) sessionReady = startSession(me).catch((e) => toast(`Cannot load the dispatch picture: ${e.message}`, 'error'));
  ctx.signedIn = async (who) => {
    // Called by the login view: a full start, so the page holds only
    // this user's state.
    const next = sessionStorage.getItem('tenfour.next');
    sessionStorage.removeItem('tenfour.next');
    location.assign('/console/' + (next && next !== 'login' ? next : router.home(who)));
  };
  router.start(route);
}

boot();
