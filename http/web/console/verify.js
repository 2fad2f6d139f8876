// verify.js — checks a tenfour evidence bundle in the browser, with the
// browser's own WebCrypto and nothing else, as `tenfour verify` does offline
// (ledger.VerifyBundle): the checkpoint's Ed25519 signature by the log's key
// (C2SP signed-note), each event's RFC 6962 inclusion proof up to the
// checkpoint's root, each opening of a private field against its
// commitment, and, given the timeline the API answered, that each of its
// entries is the very event the log holds. No DOM here: the auditor's and
// the public views both draw what it reports.
//
// Every check is exact, after the Go code it mirrors, and any mismatch is a
// failure that names what failed; nothing is guessed.

const utf8 = new TextEncoder();

// BundleFormat is ledger.BundleFormat.
export const BundleFormat = 'tenfour-evidence-bundle/v1';

// SaltSize is ledger.SaltSize: a salt of any other length could move the
// split between salt and value and open a commitment to another value.
const SaltSize = 32;

// A VerifyError is a failed check; seq names the event, if one.
export class VerifyError extends Error {
  constructor(message, seq = null) {
    super(message);
    this.seq = seq;
  }
}

// subtle returns WebCrypto, which browsers give only to secure contexts
// (HTTPS, or this machine).
function subtle() {
  if (!globalThis.crypto?.subtle) {
    throw new VerifyError('this page is not in a secure context (HTTPS or localhost), so the browser offers no WebCrypto to check with; use `tenfour verify` on the bundle instead');
  }
  return crypto.subtle;
}

// --- bytes ------------------------------------------------------------

// b64encode encodes bytes as standard base64 with padding.
export function b64encode(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

// b64decode decodes standard base64 strictly, as Go's
// base64.StdEncoding.Strict(): the alphabet, the padding and zero unused
// bits, so that every byte string has one spelling and no changed
// character can decode to the same bytes.
export function b64decode(s, what = 'value') {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw new VerifyError(`${what} is not standard base64`);
  }
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (b64encode(out) !== s) throw new VerifyError(`${what} is not canonical base64`);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

async function sha256(...parts) {
  return new Uint8Array(await subtle().digest('SHA-256', concat(...parts)));
}

// --- RFC 6962 (golang.org/x/mod/sumdb/tlog) ---------------------------

// leafHash is RFC 6962 section 2.1's leaf hash, SHA-256(0x00 ‖ entry)
// (tlog.RecordHash).
export function leafHash(entry) {
  return sha256(Uint8Array.of(0), entry);
}

// nodeHash is RFC 6962's interior node hash, SHA-256(0x01 ‖ left ‖ right)
// (tlog.NodeHash).
export function nodeHash(left, right) {
  return sha256(Uint8Array.of(1), left, right);
}

// maxpow2 is the largest power of two less than n (n ≥ 2).
function maxpow2(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// runRecordProof is tlog's runRecordProof: the hash of the subtree of
// leaves [lo, hi) that proof p implies for leaf n with hash leaf. The proof
// must have exactly the hashes it needs.
async function runRecordProof(p, lo, hi, n, leaf) {
  if (lo + 1 === hi) {
    if (p.length !== 0) throw new VerifyError('its inclusion proof has more hashes than the tree needs');
    return leaf;
  }
  if (p.length === 0) throw new VerifyError('its inclusion proof has too few hashes');
  const k = maxpow2(hi - lo), rest = p.slice(0, -1), last = p[p.length - 1];
  if (n < lo + k) return nodeHash(await runRecordProof(rest, lo, lo + k, n, leaf), last);
  return nodeHash(last, await runRecordProof(rest, lo + k, hi, n, leaf));
}

// inclusionRoot returns the root of a tree of size leaves that proof
// implies for leaf n with hash leaf (tlog.CheckRecord compares it with the
// checkpoint's).
export function inclusionRoot(proof, size, n, leaf) {
  if (!(Number.isSafeInteger(n) && Number.isSafeInteger(size) && n >= 0 && n < size)) {
    throw new VerifyError(`leaf ${n} is not in a tree of ${size}`);
  }
  return runRecordProof(proof, 0, size, n, leaf);
}

// --- C2SP signed notes (golang.org/x/mod/sumdb/note) ------------------

// isValidName is note's: not empty, no space, no "+".
function isValidName(name) {
  return name !== '' && !/[\s+]/u.test(name);
}

// keyHash is note's keyHash: the first four bytes of SHA-256(name ‖ "\n" ‖
// key), with key the algorithm byte and the public key.
async function keyHash(name, key) {
  return (await sha256(utf8.encode(name + '\n'), key)).slice(0, 4);
}

// parseKey reads a note verifier key, name+hash+base64(0x01 ‖ pubkey)
// (note.NewVerifier), and imports its Ed25519 public key.
export async function parseKey(vkey) {
  const bad = (why) => new VerifyError(`the log's key ${JSON.stringify(vkey)} is malformed: ${why}`);
  const i = vkey.indexOf('+'), j = vkey.indexOf('+', i + 1);
  if (i < 0 || j < 0) throw bad('it is not name+hash+key');
  const name = vkey.slice(0, i), hash16 = vkey.slice(i + 1, j), key64 = vkey.slice(j + 1);
  if (!isValidName(name)) throw bad('its name is not valid');
  if (!/^[0-9a-fA-F]{8}$/.test(hash16)) throw bad('its hash is not 8 hexadecimal digits');
  let key;
  try {
    key = b64decode(key64, 'its key');
  } catch (e) {
    throw bad(e.message);
  }
  if (key.length === 0) throw bad('it has no key');
  if (hex(await keyHash(name, key)) !== hash16.toLowerCase()) throw bad('its hash is not the hash of its name and key');
  if (key[0] !== 1) throw bad(`its algorithm ${key[0]} is not Ed25519 (1)`);
  if (key.length !== 33) throw bad('an Ed25519 key has 32 bytes');
  let pub;
  try {
    pub = await subtle().importKey('raw', key.slice(1), {name: 'Ed25519'}, false, ['verify']);
  } catch (e) {
    throw new VerifyError(`this browser cannot check Ed25519 signatures (${e.message}); use \`tenfour verify\` instead`);
  }
  return {text: vkey, name, hash: hash16.toLowerCase(), crypto: pub};
}

// openNote checks a signed note (note.Open) for a signature by key and
// returns its text. Signatures by other keys (witnesses' cosignatures) are
// left unchecked, as note.Open leaves unknown keys; at least the log's must
// be there and good. Signatures must be canonical base64, as
// ledger.VerifyBundle requires.
export async function openNote(msg, key) {
  if (/[\u0000-\u0009\u000b-\u001f]/.test(msg)) throw new VerifyError('the checkpoint is malformed: it has control characters');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new VerifyError('the checkpoint is malformed: it has no signatures');
  const text = msg.slice(0, split + 1);
  let sigs = msg.slice(split + 2);
  if (sigs === '' || !sigs.endsWith('\n')) throw new VerifyError('the checkpoint is malformed: its signatures do not end in a newline');
  let verified = false, n = 0;
  while (sigs !== '') {
    const nl = sigs.indexOf('\n');
    let line = sigs.slice(0, nl);
    sigs = sigs.slice(nl + 1);
    if (!line.startsWith('\u2014 ')) throw new VerifyError(`the checkpoint's signature line ${JSON.stringify(line)} does not start with "— "`);
    if (++n > 100) throw new VerifyError('the checkpoint has more than 100 signatures');
    line = line.slice(2);
    const sp = line.indexOf(' ');
    const name = sp < 0 ? line : line.slice(0, sp), b64 = sp < 0 ? '' : line.slice(sp + 1);
    let sig;
    try {
      sig = b64decode(b64, 'the signature');
    } catch (e) {
      throw new VerifyError(`the checkpoint's signature by ${name} is malformed: ${e.message}`);
    }
    if (!isValidName(name) || sig.length < 5) throw new VerifyError(`the checkpoint's signature by ${name} is malformed`);
    if (name !== key.name || hex(sig.slice(0, 4)) !== key.hash) continue; // another signer's
    const ok = await subtle().verify({name: 'Ed25519'}, key.crypto, sig.slice(4), utf8.encode(text)).catch(() => false);
    if (!ok) throw new VerifyError(`the checkpoint's signature by ${key.name}+${key.hash} is not valid: the checkpoint was changed or not signed by the log's key`);
    verified = true;
  }
  if (!verified) throw new VerifyError(`the checkpoint has no signature by the log's key ${key.name}+${key.hash}`);
  return text;
}

// parseCheckpoint reads a C2SP tlog-checkpoint body (ledger.ParseCheckpoint):
// origin, tree size, root hash, optional extension lines.
export function parseCheckpoint(text) {
  if (!text.endsWith('\n')) throw new VerifyError('the checkpoint does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new VerifyError(`the checkpoint has ${lines.length} lines, not origin, size and root`);
  const [origin, size, root] = lines;
  if (origin === '') throw new VerifyError('the checkpoint has no origin');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new VerifyError(`the checkpoint's tree size ${JSON.stringify(size)} is not a number`);
  let r;
  try {
    r = b64decode(root, 'the root hash');
  } catch (e) {
    throw new VerifyError(`the checkpoint's ${e.message}`);
  }
  if (r.length !== 32) throw new VerifyError("the checkpoint's root hash is not a SHA-256 hash");
  if (lines.slice(3).includes('')) throw new VerifyError('the checkpoint has an empty extension line');
  return {origin, size: Number(size), root: r, rootText: root};
}

// openCheckpoint checks a signed checkpoint against the log's key and
// reads it; its origin must be the key's name (ledger.OpenCheckpoint).
export async function openCheckpoint(msg, key) {
  const cp = parseCheckpoint(await openNote(msg, key));
  if (cp.origin !== key.name) throw new VerifyError(`the checkpoint's origin ${cp.origin} is not the key's name ${key.name}`);
  return cp;
}

// --- bundles ----------------------------------------------------------

// canonical returns the JSON text tenfour writes for a bundle (ledger
// Bundle.Encode): compact, members in their order, empty subject and
// openings left out, openings by name. JavaScript escapes strings as Go
// does but for U+2028 and U+2029, which Go escapes.
function canonical(b) {
  const c = {format: b.format, key: b.key, checkpoint: b.checkpoint};
  if (b.subject) c.subject = b.subject;
  c.events = Array.isArray(b.events) ? b.events.map((e) => {
    const x = {seq: e?.seq, entry: e?.entry, proof: e?.proof};
    const names = Object.keys(e?.openings || {}).sort();
    if (names.length) {
      x.openings = {};
      for (const n of names) x.openings[n] = {salt: e.openings[n]?.salt, value: e.openings[n]?.value};
    }
    return x;
  }) : b.events;
  return JSON.stringify(c).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const members = {
  bundle: ['format', 'key', 'checkpoint', 'subject', 'events'],
  event: ['seq', 'entry', 'proof', 'openings'],
  opening: ['salt', 'value'],
  entry: ['seq', 'time', 'type', 'agency', 'actor', 'subject', 'data', 'private'],
};

function unknownMember(obj, kind) {
  return Object.keys(obj).find((k) => !members[kind].includes(k));
}

// parseBundle reads a bundle file's text strictly, as ledger.ParseEvidence
// does: JSON with no unknown member, in the one form tenfour writes, so
// that no byte of it can change and still pass.
export function parseBundle(text) {
  let b;
  try {
    b = JSON.parse(text);
  } catch (e) {
    throw new VerifyError(`the file is not JSON: ${e.message}`);
  }
  checkShape(b);
  if (text !== canonical(b) && text !== canonical(b) + '\n') {
    throw new VerifyError('the bundle is not in its canonical form (as tenfour writes it: compact JSON, members in order, standard base64); was it edited or reformatted?');
  }
  return b;
}

// checkShape checks the members of a bundle and of its events.
function checkShape(b) {
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new VerifyError('the bundle is not a JSON object');
  const u = unknownMember(b, 'bundle');
  if (u) throw new VerifyError(`the bundle has an unknown member ${JSON.stringify(u)}`);
  if (b.format !== BundleFormat) throw new VerifyError(`the bundle's format is ${JSON.stringify(b.format)}, not ${BundleFormat}`);
  if (typeof b.key !== 'string' || typeof b.checkpoint !== 'string') throw new VerifyError('the bundle has no key or no checkpoint');
  if (!Array.isArray(b.events)) throw new VerifyError('the bundle has no events');
  for (const e of b.events) {
    const seq = Number.isSafeInteger(e?.seq) ? e.seq : null;
    const name = seq === null ? 'an event' : `event ${seq}`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new VerifyError('an event of the bundle is not an object');
    const ue = unknownMember(e, 'event');
    if (ue) throw new VerifyError(`${name} has an unknown member ${JSON.stringify(ue)}`, seq);
    if (seq === null) throw new VerifyError(`an event of the bundle has no sequence number (${JSON.stringify(e.seq)})`);
    if (typeof e.entry !== 'string') throw new VerifyError(`${name} has no entry`, seq);
    if (e.proof !== null && !Array.isArray(e.proof)) throw new VerifyError(`${name} has no proof`, seq);
    for (const [f, o] of Object.entries(e.openings || {})) {
      if (!o || typeof o !== 'object' || unknownMember(o, 'opening') || typeof o.salt !== 'string' || typeof o.value !== 'string') {
        throw new VerifyError(`${name}: the opening of ${f} is not {salt, value}`, seq);
      }
    }
  }
}

// parseEntry reads one leaf as ledger.ParseEntry does.
function parseEntry(text) {
  let e;
  try {
    e = JSON.parse(text);
  } catch {
    throw new VerifyError('its entry is not valid JSON');
  }
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw new VerifyError('its entry is not an object');
  const u = unknownMember(e, 'entry');
  if (u) throw new VerifyError(`its entry has an unknown member ${JSON.stringify(u)}`);
  if (!Number.isSafeInteger(e.seq) || e.seq < 0) throw new VerifyError('its entry has no sequence number');
  if (typeof e.type !== 'string' || e.type === '') throw new VerifyError('its entry has no type');
  if (typeof e.time !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(e.time) || Number.isNaN(Date.parse(e.time))) {
    throw new VerifyError(`its entry's time ${JSON.stringify(e.time)} is not RFC 3339 UTC`);
  }
  if (!e.actor || typeof e.actor !== 'object' || Object.keys(e.actor).length === 0) throw new VerifyError('its entry has no actor');
  for (const [f, c] of Object.entries(e.private || {})) {
    let b;
    try {
      b = b64decode(c, 'commitment');
    } catch {
      b = null;
    }
    if (!b || b.length !== 32) throw new VerifyError(`its private field ${f} is not a base64 SHA-256 commitment`);
  }
  return e;
}

// checkOpening checks that salt and value open commitment, the base64 of
// SHA-256(salt ‖ value) (ledger.CheckOpening).
export async function checkOpening(commitment, salt64, value) {
  const salt = b64decode(salt64, 'the salt');
  if (salt.length !== SaltSize) throw new VerifyError(`its salt is ${salt.length} bytes, not ${SaltSize}`);
  const got = await sha256(salt, utf8.encode(value));
  if (!equal(got, b64decode(commitment, 'the commitment'))) throw new VerifyError('its opening does not match the commitment');
}

// stable returns a JSON text of v with object members sorted, to compare
// two values member by member.
function stable(v) {
  if (Array.isArray(v)) return '[' + v.map(stable).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().filter((k) => v[k] !== undefined)
      .map((k) => JSON.stringify(k) + ':' + stable(v[k])).join(',') + '}';
  }
  return JSON.stringify(v ?? null);
}

// differs names the first member in which timeline entry t differs from
// the log's entry e, or returns ''.
//
// A field the public log holds as a commitment (a private field named by a
// JSON Pointer from the entry's root, such as "/data/location/text" or
// "/actor/user": docs/log.md) may show in the timeline in the clear: if the
// bundle opens it, the opened value is what the leaf says and is compared;
// if not, nothing proves what the timeline shows there, and it is left out
// of the comparison (the page marks the event's redacted fields).
function differs(t, e, opened = {}) {
  t = structuredClone(t);
  e = structuredClone(e);
  for (const f of Object.keys(e.private || {})) {
    if (!f.startsWith('/')) continue;
    const path = f.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (Object.hasOwn(opened, f)) {
      let v = opened[f];
      if (path[0] === 'data') {
        try {
          v = JSON.parse(v);
        } catch {
          return 'data';
        }
      }
      setPath(e, path, v);
    } else {
      deletePath(t, path);
    }
  }
  for (const k of ['seq', 'time', 'type', 'agency', 'actor', 'subject', 'data']) {
    const a = t[k] ?? (k === 'subject' || k === 'data' ? {} : null);
    const b = e[k] ?? (k === 'subject' || k === 'data' ? {} : null);
    if (stable(a) !== stable(b)) return k;
  }
  return '';
}

// setPath sets the member at path of o, making the objects on the way.
function setPath(o, path, v) {
  for (const k of path.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k];
  }
  o[path[path.length - 1]] = v;
}

// deletePath removes the member at path of o, if it is there.
function deletePath(o, path) {
  for (const k of path.slice(0, -1)) {
    if (!o || typeof o !== 'object') return;
    o = o[k];
  }
  if (o && typeof o === 'object') delete o[path[path.length - 1]];
}

// verifyBundle checks a bundle (as parsed from JSON) and reports on it; it
// does not throw. Options: trustedKey, the log's key as the site serves it
// (GET /log/key), which the bundle must carry; timeline, the timeline the
// API answered, whose every entry must be an event of the bundle, the same
// in every member.
//
// The report: ok; failure, {message, seq} of the first failure (the key or
// the checkpoint, else the first event in log order), or null; key and
// checkpoint as read; events, one per bundle event in its order, {seq, ok,
// message, entry, openings, redacted}; bySeq, the same by sequence number;
// timeline, one per timeline entry {seq, ok, message}; extra, the sequence
// numbers of bundle events the timeline lacks (newer than it).
export async function verifyBundle(bundle, {trustedKey = '', timeline = null} = {}) {
  const report = {ok: false, failure: null, key: null, checkpoint: null, events: [], bySeq: new Map(),
    timeline: [], extra: [], openings: 0, redacted: 0};
  const fail = (message, seq = null) => {
    report.failure ||= {message, seq};
  };
  let key = null, cp = null;
  try {
    checkShape(bundle);
    if (trustedKey && bundle.key !== trustedKey.trim()) {
      throw new VerifyError(`the bundle is signed with key ${bundle.key}, not the log's key ${trustedKey.trim()}`);
    }
    key = await parseKey(bundle.key);
    report.key = {name: key.name, hash: key.hash, text: key.text};
    cp = await openCheckpoint(bundle.checkpoint, key);
    report.checkpoint = {origin: cp.origin, size: cp.size, root: cp.rootText};
  } catch (e) {
    fail(e instanceof VerifyError ? e.message : `cannot check the bundle: ${e.message}`, e.seq ?? null);
  }
  const seen = new Set();
  for (const ev of Array.isArray(bundle?.events) ? bundle.events : []) {
    const seq = ev?.seq;
    const r = {seq, ok: false, message: '', entry: null, openings: 0, redacted: 0, opened: {}};
    report.events.push(r);
    try {
      // A malformed entry is reported after its proof, which says more:
      // that its bytes changed.
      let malformed = null;
      try {
        r.entry = parseEntry(ev.entry);
      } catch (e) {
        malformed = e;
      }
      if (!cp) throw new VerifyError('not checked: the checkpoint does not verify');
      if (seen.has(seq)) throw new VerifyError('it appears twice in the bundle');
      seen.add(seq);
      if (!(Number.isSafeInteger(seq) && seq >= 0 && seq < cp.size)) throw new VerifyError(`it is outside the checkpoint's tree of ${cp.size} events`);
      const proof = (ev.proof || []).map((h, i) => {
        const b = b64decode(h, `proof hash ${i}`);
        if (b.length !== 32) throw new VerifyError(`proof hash ${i} is not a SHA-256 hash`);
        return b;
      });
      const root = await inclusionRoot(proof, cp.size, seq, await leafHash(utf8.encode(ev.entry)));
      if (!equal(root, cp.root)) throw new VerifyError("its bytes and inclusion proof do not lead to the checkpoint's root: the event was changed, or is not in the log");
      if (malformed) throw malformed;
      if (r.entry.seq !== seq) throw new VerifyError(`its entry says it is event ${r.entry.seq}`);
      for (const [f, o] of Object.entries(ev.openings || {})) {
        const c = r.entry.private?.[f];
        if (c === undefined) throw new VerifyError(`it has an opening for ${f}, which is not a private field of the event`);
        try {
          await checkOpening(c, o.salt, o.value);
        } catch (e) {
          throw new VerifyError(`private field ${f}: ${e.message}`);
        }
        r.opened[f] = o.value;
        r.openings++;
      }
      r.redacted = Object.keys(r.entry.private || {}).length - r.openings;
      r.ok = true;
      report.openings += r.openings;
      report.redacted += r.redacted;
    } catch (e) {
      r.message = e instanceof VerifyError ? e.message : `cannot be checked: ${e.message}`;
    }
    if (Number.isSafeInteger(seq) && !report.bySeq.has(seq)) report.bySeq.set(seq, r);
  }
  // The first failing event in log order.
  const failed = report.events.filter((r) => !r.ok).sort((a, b) => (a.seq ?? -1) - (b.seq ?? -1))[0];
  if (failed) fail(`event ${failed.seq}: ${failed.message}`, failed.seq);
  if (bundle?.subject && !report.failure) {
    const [kind, id] = String(bundle.subject).split('/');
    if (!kind || !id) fail(`the bundle's subject ${JSON.stringify(bundle.subject)} is not kind/id`);
    else if (!report.events.some((r) => r.entry?.subject?.[kind] === id)) fail(`the bundle says it is about ${bundle.subject}, but none of its events is`);
  }
  if (timeline) {
    const inTimeline = new Set();
    for (const t of timeline.entries || []) {
      inTimeline.add(t.seq);
      const r = report.bySeq.get(t.seq);
      const row = {seq: t.seq, ok: false, message: ''};
      if (!r) row.message = 'it is not in the bundle: nothing proves it';
      else if (!r.ok) row.message = r.message;
      else {
        const k = differs(t, r.entry, r.opened);
        if (k) row.message = `the timeline's ${k} is not the log's: the page was shown another event than the log holds`;
        else row.ok = true;
      }
      report.timeline.push(row);
    }
    const bad = report.timeline.find((r) => !r.ok);
    if (bad) fail(`event ${bad.seq} of the timeline: ${bad.message}`, bad.seq);
    report.extra = report.events.filter((r) => !inTimeline.has(r.seq)).map((r) => r.seq);
  }
  report.ok = !report.failure && report.events.length > 0;
  if (!report.failure && report.events.length === 0) report.failure = {message: 'the bundle has no events', seq: null};
  return report;
}

// checkCurrent checks the log's current signed checkpoint (GET
// /log/checkpoint) against its key and returns it.
export async function checkCurrent(checkpointText, keyText) {
  const key = await parseKey(keyText.trim());
  const cp = await openCheckpoint(checkpointText, key);
  return {origin: cp.origin, size: cp.size, root: cp.rootText, key: {name: key.name, hash: key.hash}};
}

// rfc8032 is RFC 8032 section 7.1's TEST 1: a public key and its
// signature of the empty message.
const rfc8032 = {
  key: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};

const unhex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16));

// ed25519 reports whether this browser's WebCrypto checks Ed25519
// signatures, and checks them right: RFC 8032's first test vector passes,
// and fails with one bit of its signature changed.
export async function ed25519() {
  try {
    const k = await subtle().importKey('raw', unhex(rfc8032.key), {name: 'Ed25519'}, false, ['verify']);
    const sig = unhex(rfc8032.sig);
    const good = await subtle().verify({name: 'Ed25519'}, k, sig, new Uint8Array(0));
    sig[0] ^= 1;
    const bad = await subtle().verify({name: 'Ed25519'}, k, sig, new Uint8Array(0));
    return good && !bad;
  } catch {
    return false;
  }
}
