// router.js — the console's views under /console/, one URL each, drawn in
// <main> without reloading the page. The server answers the same shell page
// for each of these paths (http.ConsoleViews), so a view can be bookmarked
// and reloaded.

// views lists the views: the path below /console/, the title, the module
// that draws it and who it is for (roles; empty: anyone signed in). A view
// module exports mount(root, ctx) and returns its unmount function.
//
// The views to come take their places here, each with its server path in
// http.ConsoleViews: supervisor (assistance requests with their deadlines,
// directives, overrides and declines — issue 6), auditor (timelines
// verified in the browser) and public (published timelines).
export const views = [
  {path: 'dispatch', title: 'Dispatch', load: () => import('./views/dispatch.js'),
    roles: ['call-taker', 'dispatcher', 'supervisor', 'auditor', 'admin@installation']},
  {path: 'unit', title: 'Unit', load: () => import('./views/unit.js'), roles: ['officer', 'dispatcher', 'supervisor']},
  {path: 'map', title: 'Map', load: () => import('./views/map.js'), roles: []},
];

// home returns the view a user lands on: the officer's unit, the
// dispatcher's board, or the map.
export function home(me) {
  const roles = me?.roles || [];
  if (roles.includes('officer') && !roles.some((r) => ['dispatcher', 'supervisor', 'call-taker'].includes(r))) return 'unit';
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
