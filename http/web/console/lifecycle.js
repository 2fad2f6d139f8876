// lifecycle.js — the words of the domain as the console shows them. The
// rules themselves are the server's (dispatch/lifecycle.go, dispatch/model.go);
// the console mirrors them only to offer the buttons that can succeed, and
// shows the server's refusal if they differ.

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

// transitions is dispatch.Transitions: the statuses a unit may go to.
const transitions = {
  AVAILABLE: ['DISPATCHED', 'BUSY', 'OUT_OF_SERVICE', 'EMERGENCY'],
  DISPATCHED: ['EN_ROUTE', 'EMERGENCY'],
  EN_ROUTE: ['ON_SCENE', 'EMERGENCY'],
  ON_SCENE: ['TRANSPORTING', 'AVAILABLE', 'EMERGENCY'],
  TRANSPORTING: ['AVAILABLE', 'EMERGENCY'],
  BUSY: ['AVAILABLE', 'EMERGENCY'],
  OUT_OF_SERVICE: ['AVAILABLE', 'EMERGENCY'],
  EMERGENCY: ['AVAILABLE'],
};

// nextStatuses is Unit.NextStatuses as a crew may set them: DISPATCHED only
// comes with a dispatch, and from EMERGENCY the unit may resume its status.
export function nextStatuses(unit) {
  const next = (transitions[unit.status] || []).filter((s) => s !== 'DISPATCHED');
  if (unit.status === 'EMERGENCY' && unit.resume && !next.includes(unit.resume)) next.push(unit.resume);
  return next;
}

// priorities: 0 is an officer emergency, 4 the least urgent.
export const priorities = [
  {n: 0, label: 'P0 officer emergency'},
  {n: 1, label: 'P1 emergency'},
  {n: 2, label: 'P2 urgent'},
  {n: 3, label: 'P3 routine'},
  {n: 4, label: 'P4 low'},
];

// Roles (dispatch.Roles) and what each may do from the console, after the
// route table (http/server.go).
export const can = {
  createIncident: ['call-taker', 'dispatcher', 'supervisor'],
  recommend: ['call-taker', 'dispatcher', 'supervisor'],
  dispatch: ['dispatcher', 'supervisor'],
  clear: ['dispatcher', 'supervisor'],
  note: ['call-taker', 'dispatcher', 'supervisor', 'officer'],
  setStatus: ['officer', 'dispatcher', 'supervisor'],
  readIncidents: ['call-taker', 'dispatcher', 'supervisor', 'officer', 'auditor'],
  positions: ['call-taker', 'dispatcher', 'supervisor', 'officer', 'auditor'],
  premise: ['call-taker', 'dispatcher', 'supervisor'],
  attachCaller: ['call-taker', 'dispatcher', 'supervisor'],
  merge: ['dispatcher', 'supervisor'],
  fixLocation: ['supervisor', 'admin'],
};

// allowed reports whether a user (from GET /api/v1/auth/me) may do action.
// The installation administrator (no agency, role admin) may do all of
// these, for every agency.
export function allowed(me, action) {
  if (!me) return false;
  const roles = me.roles || [];
  if (!me.agency && roles.includes('admin')) return true;
  return roles.some((r) => can[action].includes(r));
}
