// views/supervise/words.js — the supervisor's view's words and small
// helpers, shared by its parts (views/supervise.js).

export const urgencyRank = {EMERGENCY: 0, URGENT: 1, ROUTINE: 2};
export const answerLabel = {asked: 'Asked', acknowledged: 'Acknowledged', accepted: 'Accepted', declined: 'Declined'};
export const statusText = {REQUESTED: 'Requested', ACKNOWLEDGED: 'Acknowledged', ACCEPTED: 'Accepted', ON_SCENE: 'On scene', CLOSED: 'Closed'};
export const effectText = {hold: 'Hold', clear: 'Clear', restrict: 'Restrict'};
export const effectHelp = {
  hold: 'no unit of the agency is sent into the area',
  clear: 'units clear the area; none is sent into it',
  restrict: 'only units with the capability or of the kind named are sent into it',
};
export const stepText = {
  'assist.requested': 'requested', 'assist.acknowledged': 'acknowledged', 'assist.accepted': 'accepted',
  'assist.declined': 'declined', 'assist.escalated': 'escalated', 'assist.conflict': 'directive conflict',
  'assist.on_scene': 'on scene', 'assist.closed': 'closed', 'assist.unit_left': 'unit left',
};
// waitingText says what a request's deadline waits for (waiting_for),
// and countdownLabel what happens at it.
export const waitingText = {
  answer: 'Waiting for an answer',
  arrival: 'Waiting for units to arrive',
  help: 'Waiting for help again — the units left',
};
export const countdownLabel = {answer: 'escalates in', arrival: 'arrival due in', help: 'escalates in'};
// leftHow says how a helping unit left a request (assist.unit_left's how).
export const leftHow = {cleared: 'cleared', cancelled: 'cancelled'};
// expiries are the presets of a directive's expiry; a directive lasts at
// most 7 days (dispatch.MaxDirectiveDuration).
export const expiries = [
  ['30 minutes', 30], ['1 hour', 60], ['2 hours', 120], ['4 hours', 240], ['8 hours', 480],
  ['12 hours (a shift)', 720], ['24 hours', 1440], ['3 days', 4320], ['7 days (the longest)', 10079],
];
export const maxDirectiveMs = 7 * 24 * 3600 * 1000;
export const scenarioTitle = {kedzie: 'the reference scenario'};
export const scenarioAbout = {
  kedzie: 'DESIGN.md\'s reference scenario: metro holds dispatch around 39th Pl & S Kedzie Ave, then a federal patrol boxed in there presses EMERGENCY. Played by the demo users; in the log like any other work.',
};

// unitMakeUp are the events that may change whom a directive keeps out:
// a new unit, a crew signed on or off, a cross-staffing.
export const unitMakeUp = new Set(['unit.created', 'unit.signed_on', 'unit.signed_off', 'unit.cross_staffed']);

export const whoText = (w) => (!w ? '' : w.system ? `system:${w.system}` : `${w.user}${w.role ? ` (${w.role})` : ''}`);

// localInput formats a date for an <input type="datetime-local">.
export function localInput(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
