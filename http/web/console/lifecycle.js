// lifecycle.js — the words of the domain as the console shows them. The
// rules are the server's alone (dispatch/lifecycle.go, dispatch/model.go):
// it says which statuses a unit may go to next (a unit's next_statuses) and
// which routes the signed-in user may call (GET /api/v1/auth/me's may; see
// store.js), and the console offers those.

// statuses are the unit statuses in lifecycle order, each with its label,
// a short code for the command line and the board, and a colour class.
export const statuses = [
  {id: 'EMERGENCY', label: 'Emergency', code: 'EM'},
  {id: 'AVAILABLE', label: 'Available', code: 'AV'},
  {id: 'DISPATCHED', label: 'Dispatched', code: 'DP'},
  {id: 'EN_ROUTE', label: 'En route', code: 'ER'},
  {id: 'ON_SCENE', label: 'On scene', code: 'OS'},
  {id: 'TRANSPORTING', label: 'Transporting', code: 'TR'},
  {id: 'BUSY', label: 'Busy', code: 'BZ'},
  {id: 'OUT_OF_SERVICE', label: 'Out of service', code: 'OOS'},
];

export const statusLabel = (s) => statuses.find((x) => x.id === s)?.label || s;
export const statusCode = (s) => statuses.find((x) => x.id === s)?.code || s;

// statusByCode finds a status by its code or its name, any case.
export function statusByCode(word) {
  const w = word.toUpperCase().replace(/[\s-]/g, '_');
  return statuses.find((s) => s.code === w || s.id === w)?.id || null;
}

// priorities: 0 is an officer emergency, 4 the least urgent.
export const priorities = [
  {n: 0, label: 'P0 officer emergency'},
  {n: 1, label: 'P1 emergency'},
  {n: 2, label: 'P2 urgent'},
  {n: 3, label: 'P3 routine'},
  {n: 4, label: 'P4 low'},
];

// may reports whether user me (the answer of sign-in or GET /api/v1/auth/me)
// may call route, a pattern of the server's route table such as
// 'POST /api/v1/incidents/{id}/dispatch': the server derives the list from
// the table (http/server.go), so the console holds no copy of who may do
// what. A route open to the user may still refuse another agency's record.
export function may(me, route) {
  return !!me?.may?.includes(route);
}
