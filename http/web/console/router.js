// router.js — the console's views under /console/, one URL each, drawn in
// <main> without reloading the page. The server answers the same shell page
// for each of these paths (http.ConsoleViews), so a view can be bookmarked
// and reloaded.

// views lists the views: the path below /console/, the title, the module
// that draws it and who it is for (roles; empty: anyone signed in; public:
// anyone at all, signed in or not). A view module exports mount(root, ctx)
// and returns its unmount function. Each has its server path in
// http.ConsoleViews.
export const views = [
  {path: 'dispatch', title: 'Dispatch', load: () => import('./views/dispatch.js'),
    roles: ['call-taker', 'dispatcher', 'supervisor', 'auditor', 'admin@installation']},
  {path: 'unit', title: 'Unit', load: () => import('./views/unit.js'), roles: ['officer', 'dispatcher', 'supervisor']},
  // The supervisor's view: assistance requests with their deadlines,
  // directives, overrides and declines. Dispatchers and liaisons answer
  // requests there too (acknowledge, accept); declines and directives are
  // a supervisor's.
  {path: 'supervise', title: 'Supervise', load: () => import('./views/supervise.js'),
    roles: ['supervisor', 'dispatcher', 'liaison', 'admin@installation']},
  // BOLOs (be on the lookout): search, issue with photos and an area,
  // cancel (views/bolos.js). Units see theirs on the unit view.
  {path: 'bolos', title: 'BOLOs', load: () => import('./views/bolos.js'),
    roles: ['dispatcher', 'supervisor', 'call-taker', 'auditor', 'admin@installation']},
  {path: 'map', title: 'Map', load: () => import('./views/map.js'), roles: []},
  // Charts of the centre's times: response times, call processing against
  // NFPA 1225, calls by hour (views/reports.js).
  {path: 'reports', title: 'Reports', load: () => import('./views/reports.js'),
    roles: ['dispatcher', 'supervisor', 'auditor', 'admin@installation']},
  // Closed incidents, from the archive as from memory: search and page
  // (views/history.js). The board holds open work only.
  {path: 'history', title: 'History', load: () => import('./views/history.js'),
    roles: ['call-taker', 'dispatcher', 'supervisor', 'auditor', 'admin@installation']},
  // A request's or an incident's timeline as swim lanes, verified in the
  // browser against the signed checkpoint; publishing it (views/audit.js).
  {path: 'audit', title: 'Audit', load: () => import('./views/audit.js'),
    roles: ['auditor', 'supervisor', 'admin@installation']},
  // The partner installations and the witnesses of this log (views/partners.js):
  // for those who may read GET /api/v1/federation.
  {path: 'partners', title: 'Partners', load: () => import('./views/partners.js'),
    roles: ['supervisor', 'auditor', 'admin@installation']},
  // Published timelines, verified the same way, for anyone (views/public.js).
  {path: 'public', title: 'Published', load: () => import('./views/public.js'), roles: [], public: true},
];

// home returns the view a user lands on: the officer's unit, the
// supervisor's view (a supervisor's work is the requests, escalations,
// directives and overrides it gathers; the board is one key away, D), the
// dispatcher's board, or the map.
export function home(me) {
  const roles = me?.roles || [];
  if (roles.includes('officer') && !roles.some((r) => ['dispatcher', 'supervisor', 'call-taker'].includes(r))) return 'unit';
  if (roles.includes('supervisor')) return 'supervise';
  if (roles.includes('auditor') && !roles.some((r) => ['dispatcher', 'call-taker'].includes(r))) return 'audit';
  if (forMe(views[0], me)) return 'dispatch';
  return 'map';
}

// forMe reports whether view v is meant for user me.
export function forMe(v, me) {
  if (!v.roles.length) return true;
  const roles = me?.roles || [];
  const installer = !me?.agency && roles.includes('admin');
  return roles.some((r) => v.roles.includes(r)) || (installer && v.roles.includes('admin@installation'));
}

// current returns the path of the view in the address bar.
export function current() {
  return location.pathname.replace(/^\/console\/?/, '').replace(/\/$/, '');
}

let onRoute = () => {};

// start calls fn(path) now and whenever the view changes.
export function start(fn) {
  onRoute = fn;
  addEventListener('popstate', () => onRoute(current()));
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest?.('a[href^="/console/"]');
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    go(a.getAttribute('href').slice('/console/'.length));
  });
  onRoute(current());
}

// go shows the view at path (below /console/).
export function go(path, {replace = false} = {}) {
  const url = '/console/' + path;
  if (location.pathname !== url) history[replace ? 'replaceState' : 'pushState'](null, '', url);
  onRoute(path);
}
