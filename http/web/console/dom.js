// dom.js — building and updating the page element by element, never by
// parsing markup: every text a user or the server wrote goes in as a text
// node.

// h makes an element: h('button', {class: 'x', onclick: fn}, 'text', child…).
// Attributes whose name starts with "on" become listeners; a false, null or
// undefined attribute is left out; true sets an empty attribute.
export function h(tag, attrs, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

// svg makes an SVG element: svg('circle', {r: 3}).
export function svg(tag, attrs, ...children) {
  return h('svg:' + tag, attrs, ...children);
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// replace puts children in place of everything el holds.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// reconcile makes container's children the rendered items, in order, reusing
// each item's element while its signature is unchanged, so that a list
// redrawn every second keeps its focus, its scroll and the screen reader's
// place. render(item) returns an element; key and sig return strings.
export function reconcile(container, items, key, sig, render) {
  const old = new Map();
  for (const el of container.children) if (el.dataset.key) old.set(el.dataset.key, el);
  const focusedKey = container.contains(document.activeElement)
    ? document.activeElement.closest('[data-key]')?.dataset.key : null;
  let i = 0;
  for (const item of items) {
    const k = key(item), s = sig(item);
    let el = old.get(k);
    if (el && el.dataset.sig === s) {
      old.delete(k);
    } else {
      const fresh = render(item);
      fresh.dataset.key = k;
      fresh.dataset.sig = s;
      if (el) {
        el.replaceWith(fresh);
        old.delete(k);
      }
      el = fresh;
    }
    if (container.children[i] !== el) container.insertBefore(el, container.children[i] || null);
    i++;
  }
  for (const el of old.values()) el.remove();
  while (container.children.length > i) container.lastElementChild.remove();
  if (focusedKey && !container.contains(document.activeElement)) {
    const again = [...container.children].find((el) => el.dataset.key === focusedKey);
    (again?.matches('button, a, [tabindex]') ? again : again?.querySelector('button, a, [tabindex]'))?.focus();
  }
}

// ago says how long since an RFC 3339 time, as a timer: "0:42", "12:05",
// "3:04:10".
export function ago(since, now = Date.now()) {
  const t = Date.parse(since);
  if (Number.isNaN(t)) return '';
  return duration(Math.max(0, Math.floor((now - t) / 1000)));
}

// duration formats seconds as m:ss or h:mm:ss.
export function duration(s) {
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const p = (n) => String(n).padStart(2, '0');
  return hh > 0 ? `${hh}:${p(mm)}:${p(ss)}` : `${mm}:${p(ss)}`;
}

// spoken says a duration in words, for screen readers.
export function spoken(s) {
  const m = Math.floor(s / 60);
  if (m === 0) return `${s} seconds`;
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const hh = Math.floor(m / 60);
  return `${hh} hour${hh === 1 ? '' : 's'} ${m % 60} minutes`;
}

// clockTime formats an RFC 3339 time as the local wall clock, 24-hour.
export function clockTime(t) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

// ticking updates, once a second, every element under root with a
// data-since attribute to the time since then. It returns a stop function.
export function ticking(root) {
  const tick = () => {
    const now = Date.now();
    for (const el of root.querySelectorAll('[data-since]')) {
      const t = ago(el.dataset.since, now);
      if (el.textContent !== t) el.textContent = t;
      const late = el.dataset.lateAfter;
      if (late) el.classList.toggle('late', (now - Date.parse(el.dataset.since)) / 1000 > Number(late));
    }
  };
  tick();
  const id = setInterval(tick, 1000);
  return () => clearInterval(id);
}

// timer makes the element of a live timer since t; lateAfter (seconds)
// marks it late past that.
export function timer(t, lateAfter) {
  return h('time', {class: 'timer', datetime: t, 'data-since': t, 'data-late-after': lateAfter || null}, ago(t));
}

// typing reports whether a key event comes from a place that takes text.
export function typing(ev) {
  const t = ev.target;
  return t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}
