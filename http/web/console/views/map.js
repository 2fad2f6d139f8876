// views/map.js — the whole-screen map, for anyone signed in.

import {h, replace} from '../dom.js';
import {createMap} from '../mapview.js';
import * as keys from '../keys.js';

export function mount(root, ctx) {
  const map = createMap(ctx, {onSelectIncident: (id) => {
    if (ctx.store.may('GET /api/v1/incidents')) {
      sessionStorage.setItem('tenfour.select', id);
      ctx.go('dispatch');
    }
  }});
  replace(root, h('section', {class: 'panel map-panel full', 'aria-labelledby': 'map-title'},
    h('h1', {id: 'map-title'}, 'Map'), map.el));
  keys.setView('Map', [
    {key: 'f', label: 'Put the focus on the map (then arrows pan, + and − zoom, 0 fits)', run: () => map.focus()},
  ]);
  map.focus();
  return () => map.destroy();
}
