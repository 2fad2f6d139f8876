// views/supervise/overlays.js — the supervisor's view's map: the
// directives in force (the selected one marked), the one being drawn, and
// the open requests as triangles; a press on one opens it.

import {h, svg, replace} from '../../dom.js';
import {createMap} from '../../mapview.js';
import {effectText} from './words.js';

// mapPanel makes the map on sv (views/supervise.js) and puts its functions
// there: drawOverlays and showOnMap.
export function mapPanel(sv) {
  const {ctx, store, directives} = sv;

  // The view draws the directives itself (selected, being drawn), not
  // maplayers.js.
  const map = createMap(ctx, {compact: true, directives: false});
  // The requests are drawn above the units (map.layer is beneath them).
  const requestMarks = svg('g', {class: 'request-marks'});
  map.el.querySelector('svg.map').append(requestMarks);
  const mapNote = h('p', {class: 'map-note', id: 'map-note'});
  const panel = h('section', {class: 'panel map-panel sv-map', 'aria-label': 'Map of the directives and requests'}, map.el, mapNote);
  let mapReady = false;
  map.ready.then(() => {
    mapReady = true;
    drawOverlays();
  });

  // area draws a directive's scope (or the one being drawn) with the
  // classes of maplayers.js, so that a directive looks the same on every
  // map, and its label; cls adds "selected" or "draft".
  function area(d, cls) {
    const sc = d.scope || {};
    const words = d.effect === 'restrict' ? `Only ${d.restrict || '…'}` : {hold: 'Hold dispatch', clear: 'Clear units out'}[d.effect] || '';
    const tip = `${d.id ? d.id + ': ' : 'New directive: '}${words} — ${sv.scopeText(d)}${d.reason ? ' — ' + d.reason : ''}`;
    const c = `directive dir-${d.effect || 'hold'} ${cls}`;
    const label = (at) => svg('g', {class: `directive-label dir-${d.effect || 'hold'} ${cls}`, 'data-x': at.x.toFixed(3), 'data-y': at.y.toFixed(3)},
      svg('text', {x: 0, y: -6}, cls === 'draft' ? `NEW: ${words.toUpperCase()}` : words.toUpperCase()));
    const outline = (pts) => [svg('path', {class: c, d: 'M' + pts.map((p) => `${p.x.toFixed(3)} ${p.y.toFixed(3)}`).join(' L') + ' Z'}, svg('title', {}, tip)),
      label({x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: Math.min(...pts.map((p) => p.y))})];
    switch (sc.kind) {
      case 'circle': {
        if (!sc.circle) return null;
        const p = map.project(sc.circle.lat, sc.circle.lon), r = map.metres(sc.circle.radius_m);
        return [svg('circle', {class: c, cx: p.x.toFixed(3), cy: p.y.toFixed(3), r: r.toFixed(3)}, svg('title', {}, tip)), label({x: p.x, y: p.y - r})];
      }
      case 'polygon':
        return outline(sc.polygon.map((q) => map.project(q.lat, q.lon)));
      case 'district': {
        const x = sv.districtList.find((y) => y.id === sc.district);
        return x ? outline(x.boundary.map(([la, lo]) => map.project(la, lo))) : null;
      }
      case 'incident': {
        const i = store.incidents.get(sc.incident);
        if (i?.location?.lat === undefined) return null;
        const p = map.project(i.location.lat, i.location.lon), r = map.metres(150);
        return [svg('circle', {class: c, cx: p.x.toFixed(3), cy: p.y.toFixed(3), r: r.toFixed(3)}, svg('title', {}, tip)), label({x: p.x, y: p.y - r})];
      }
    }
    return null;
  }

  function drawOverlays() {
    const ds = [...directives.values()].filter(sv.inForce);
    const agencyWide = ds.filter((d) => d.scope.kind === 'agency');
    mapNote.textContent = [
      ds.length ? `${ds.length} directive${ds.length === 1 ? '' : 's'} in force` : 'No directive in force',
      agencyWide.length ? ` · ${agencyWide.map((d) => `${effectText[d.effect]} everywhere (${d.id})`).join(', ')}` : '',
      ' · open requests shown as triangles',
      sv.formApi && sv.draft?.kind === 'circle' ? ' · drawing: press the centre, drag the radius' : '',
    ].join('');
    if (!mapReady) return;
    const parts = ds.map((d) => area(d, d.id === sv.selectedDirective ? 'selected' : ''));
    if (sv.formApi && sv.draft) {
      const sc = sv.draft.kind === 'circle' ? {kind: 'circle', circle: sv.draft.lat === null ? null : {lat: sv.draft.lat, lon: sv.draft.lon, radius_m: sv.draft.radius}}
        : {kind: sv.draft.kind, district: sv.draft.district, incident: sv.draft.incident};
      parts.push(area({scope: sc, effect: sv.draft.effect}, 'draft'));
      if (sc.circle) {
        const p = map.project(sc.circle.lat, sc.circle.lon);
        parts.push(svg('g', {class: 'draw-centre', 'data-x': p.x.toFixed(3), 'data-y': p.y.toFixed(3)}, svg('circle', {r: 5})));
      }
    }
    const marks = [];
    for (const r of sv.openRequests()) {
      if (r.location?.lat === undefined) continue;
      const p = map.project(r.location.lat, r.location.lon);
      marks.push(svg('g', {class: `rq-marker urg-${r.urgency}${r.id === sv.selectedRequest ? ' selected' : ''}${sv.awaiting(r) ? ' waiting' : ''}`,
        'data-x': p.x.toFixed(3), 'data-y': p.y.toFixed(3), 'data-request': r.id},
      svg('path', {d: 'M0,-11 L10,7 L-10,7 Z'}), svg('title', {}, `${r.urgency} request ${r.id} from ${sv.fromText(r)}: ${r.nature} — ${r.location.text || ''}`)));
    }
    replace(map.layer, parts);
    replace(requestMarks, marks);
    map.refresh();
  }

  // A press on a request is no pan of the map.
  requestMarks.addEventListener('pointerdown', (ev) => {
    if (ev.target.closest('[data-request]')) ev.stopPropagation();
  });
  requestMarks.addEventListener('click', (ev) => {
    const g = ev.target.closest('[data-request]');
    if (g) ctx.openRequest(g.dataset.request);
  });

  function showOnMap(lat, lon) {
    map.show(lat, lon);
    map.focus();
  }

  Object.assign(sv, {map, mapPanel: panel, drawOverlays, showOnMap});
}
