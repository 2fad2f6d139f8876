// circlepick.js — drawing a circle on a map, for the forms that scope
// something to an area (directives in views/supervise.js, BOLOs in
// views/bolos.js), and the distances they measure with.
import {get} from './api.js';

const earthRadiusM = 6371008.8;

// distanceM is the great-circle distance in metres (haversine), as
// dispatch measures it.
export function distanceM(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusM * Math.asin(Math.sqrt(Math.min(1, a)));
}

// km says a distance in metres as people read it.
export const km = (m) => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);

// maxRadiusM bounds a drawn circle, as the server bounds a scope.
const maxRadiusM = 50000;

// circlePicker keeps draft.lat, draft.lon and draft.radius from the map
// and the form: the map tool (press for the centre, drag for the radius; a
// click alone keeps the radius typed), the radius input, and a place found
// by the geocoder. It calls redraw after each change and announces a drawn
// circle through announce.
export function circlePicker({map, draft, radius, centre, place, err, redraw, announce}) {
  function setCentre(lat, lon) {
    draft.lat = lat;
    draft.lon = lon;
    centre.textContent = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
    redraw();
  }
  function syncRadius() {
    const m = Number(radius.value);
    if (m >= 1 && m <= maxRadiusM) draft.radius = m;
    redraw();
  }
  let down = null;
  const tool = {
    down(p, ev) {
      down = {x: ev.clientX, y: ev.clientY};
      setCentre(p.lat, p.lon);
    },
    move(p, ev) {
      if (!down || Math.hypot(ev.clientX - down.x, ev.clientY - down.y) < 6) return;
      const m = Math.max(10, Math.round(distanceM(draft.lat, draft.lon, p.lat, p.lon) / 10) * 10);
      draft.radius = Math.min(m, maxRadiusM);
      radius.value = draft.radius;
      redraw();
    },
    up(p, ev) {
      this.move(p, ev);
      down = null;
      announce(`Circle of ${km(draft.radius)} around ${centre.textContent}`);
    },
  };
  async function find() {
    const q = place.value.trim();
    if (!q) return;
    err.textContent = '';
    try {
      const g = await get('/geocode?q=' + encodeURIComponent(q));
      place.value = g.text;
      setCentre(g.lat, g.lon);
      map.show(g.lat, g.lon);
    } catch (e) {
      err.textContent = e.message;
    }
  }
  return {tool, setCentre, syncRadius, find};
}
