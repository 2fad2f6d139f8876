// duplicates.js — a second call about an open incident (docs/console.md,
// "A second call"). Before creating an incident the form looks for open
// incidents of the agency that may be the same (the server's rule,
// dispatch/duplicate.go: the same or a compatible type, within the
// agency's duplicate radius and window), so that the call-taker can attach
// the call to one as another caller instead of opening a second incident.
import {get} from './api.js';
import {h} from './dom.js';

// findDuplicates asks the server, nearest first, which open incidents a new
// incident of type at point (lat, lon) for agency may duplicate: the same
// rule as the creation's possible_duplicates, asked before anything is
// created.
export async function findDuplicates({agency, type, lat, lon}) {
  const q = new URLSearchParams({type, lat: String(lat), lon: String(lon)});
  if (agency) q.set('agency', agency);
  const r = await get(`/incidents/possible-duplicates?${q}`);
  return r.possible_duplicates || [];
}

// duplicateList shows possible duplicates, each with the actions given by
// actions(d) (buttons).
export function duplicateList(store, dups, actions) {
  return h('ul', {class: 'dup-list'}, dups.map((d) => {
    const i = store.incidents.get(d.incident);
    return h('li', {'data-incident': d.incident},
      h('strong', {}, d.incident), ` · ${store.typeName(d.type || i?.type)}`,
      i?.location?.text ? ` · ${i.location.text}` : '',
      ` · ${d.distance_m} m away · ${Math.round(d.age_seconds / 60)} min ago`,
      i ? ` · ${i.status === 'PENDING' ? 'waiting' : 'active'}` : '',
      ' ', actions(d));
  }));
}
