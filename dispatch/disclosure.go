package dispatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// What the public log may carry (DESIGN.md, "The ledger"; docs/events.md,
// "What is public"). Every event is a leaf of a log anyone may read, so a
// leaf carries in the clear only what the public needs to see a promise
// kept: the sequence, time, type and agency of each event, record ids, a
// request's urgency, levels, asked agencies and deadlines, and who answered
// in which role and when. Every address, point and position, every person
// and username, every free text, hazard kinds and message routing enter the
// leaf only as salted commitments, and their openings are kept apart.
//
// The table below declares it per event type and per field of the payload,
// by the field's path in the payload's JSON ("location.district",
// "told[].except"). A path names a field and all beneath it; a field that
// is an object and is not named itself is declared field by field. A path
// with "[]" declares the same field in each element of an array. A field
// the table does not name is private: forgetting a field hides it, never
// publishes it (TestDisclosureDeclaresEveryField fails on it all the same).
//
// The split happens where an event becomes a record of the log (the
// engine's ToRecord): each private field leaves the payload and enters the
// event's private fields under its JSON Pointer (RFC 6901) from the root of
// the entry, such as "/data/location/lat", with its JSON encoding as the
// plaintext. Reading an entry back (FromEntry) puts the opened values back
// in place, so the state rebuilt from the log is the live state.

// A Disclosure says whether a field of an event is in the clear in the log.
type Disclosure int

// Disclosures.
const (
	Public  Disclosure = iota + 1 // in the clear in the leaf
	Private                       // in the leaf as a commitment only
)

// A FieldRule is one line of the table: a field's path and its disclosure.
type FieldRule struct {
	Path string
	Is   Disclosure
}

// pub and priv build the table's lines.
func pub(paths ...string) []FieldRule  { return rules(Public, paths) }
func priv(paths ...string) []FieldRule { return rules(Private, paths) }
func rules(d Disclosure, paths []string) []FieldRule {
	out := make([]FieldRule, len(paths))
	for i, p := range paths {
		out[i] = FieldRule{Path: p, Is: d}
	}
	return out
}

func join(rs ...[]FieldRule) []FieldRule { return slices.Concat(rs...) }

// Common parts of payloads.
var (
	// assistRef is the head of every assist.* payload: the request, the
	// two agencies and the urgency are what the public follows.
	assistRef = pub("request", "from_agency", "to_agency", "urgency")
	// location: a district is a coarse area the public needs to see why a
	// directive held dispatch to a place (docs/events.md); the address,
	// the point, the beat and the zone are private.
	location = func(at string) []FieldRule {
		return join(pub(at+".district", at+".verified"), priv(at+".text", at+".lat", at+".lon", at+".beat", at+".zone"))
	}
	// area is a directive's scope or a BOLO's area: its kind, district and
	// incident are public, its circle and polygon are points.
	area = func(at string) []FieldRule {
		return join(pub(at+".kind", at+".district", at+".incident"), priv(at+".circle", at+".polygon"))
	}
	late = join(pub("late.claimed"), priv("late.reason"))
	// told: agencies and roles told are public; Except names a user.
	told = join(pub("told[].agency", "told[].role"), priv("told[].except"))
	// conveyed is an EIDO conveyance's (conveyance.go): which incidents,
	// subscriptions, agencies and partners, how large, with what outcome,
	// are public; the hash of an EIDO is private, for an unsalted hash of
	// a document that holds private facts would let anyone confirm a
	// guess of them; a recipient's username and a refusal's text are
	// private too.
	conveyed = join(pub("partner", "eidos[].incident", "eidos[].remote", "eidos[].subscription",
		"eidos[].size", "eidos[].outcome", "eidos[].recipients[].subscription", "eidos[].recipients[].agency"),
		priv("eidos[].sha256", "eidos[].reason", "eidos[].recipients[].user"))
)

// PayloadDisclosure is the table: for each event type, the disclosure of
// each field of its payload. An audit event's payload is a map of strings;
// its keys are declared as its fields.
var PayloadDisclosure = map[string][]FieldRule{
	TypeAgencyCreated: pub("id", "name", "kind"),
	TypeUnitCreated:   pub("id", "call_sign", "kind", "capabilities"),
	TypeUserCreated:   join(pub("roles"), priv("username")),
	TypeIncidentCreated: join(pub("id", "type", "priority", "received", "answered"),
		location("location"), late),
	TypeUnitStatusChanged: join(pub("unit", "status", "previous", "incident", "held_by"),
		priv("lat", "lon", "reason"), late),
	TypeIncidentDispatched:  join(pub("incident", "units"), late),
	TypeIncidentCleared:     join(pub("incident"), priv("disposition"), late),
	TypeIncidentTypeAdded:   pub("code", "name", "default_priority", "agency"),
	TypeIncidentNoteAdded:   join(pub("incident", "n"), late),
	TypeIncidentCallerAdded: pub("incident", "n", "received", "answered"),
	// An import: who sent it under which id, the type, priority and the
	// partner's units and times are public as an incident's own are; the
	// place, the sender's texts, callers, notes, cautions, what tenfour
	// does not represent and the digest of the original are private.
	TypeIncidentImported: join(pub("id", "source", "ref", "type", "given_type", "priority", "given_priority",
		"transfer", "units", "times"), location("location"),
		priv("source_type", "status", "callers", "notes", "cautions", "unrepresented", "digest")),
	TypeIncidentImportUpdated: join(pub("incident", "source", "revision", "type", "given_type", "priority",
		"units", "times", "changed"), location("location"),
		priv("source_type", "status", "callers", "notes", "cautions", "unrepresented", "digest")),
	TypeIncidentLocationFixed: join(pub("incident"), location("previous"), location("location")),
	TypeIncidentMerged:        join(pub("incident", "into"), priv("reason")),
	TypeIncidentUnitMoved:     pub("unit", "from", "to"),
	TypeIncidentLinked:        join(pub("incident", "linked", "relation"), priv("reason")),
	TypeIncidentUnlinked:      join(pub("incident", "linked"), priv("reason")),
	TypeUnitPreempted:         pub("incident", "unit", "by"),
	TypeUnitCancelled:         join(pub("incident", "unit"), priv("reason")),
	TypePremiseRecorded:       join(pub("id", "radius_m"), location("location"), priv("flags")),
	TypePremiseRemoved:        join(pub("premise"), priv("reason")),
	TypePositionsSampled:      priv("positions"),
	TypeAgencyTimersSet:       pub("pending_alert_seconds", "safety_check_seconds", "duplicate_radius_m", "duplicate_window_seconds"),
	TypeIncidentPending:       pub("incident", "priority", "pending_seconds"),
	TypeSafetyCheck:           pub("unit", "incident", "on_scene_seconds"),
	TypeTimelinePublished:     join(pub("subject", "title", "where"), priv("reason", "detail_title", "detail_where")),
	TypeUnitSignedOn:          join(pub("unit", "units", "shift"), priv("crew")),
	TypeUnitSignedOff:         pub("unit", "units"),
	TypeUnitCrossStaffed:      pub("unit", "partner", "previous"),
	// Run cards name places ("near") and are an agency's own plan.
	TypeRunCardsSet:      join(pub("agency", "time_zone"), priv("cards")),
	TypeMessageSent:      join(pub("id", "priority"), priv("from_unit", "to", "recipients")),
	TypeMessageDelivered: join(pub("message"), priv("recipient")),
	TypeMessageRead:      join(pub("message"), priv("recipient")),
	TypeBOLOIssued:       join(pub("id", "kind", "priority", "expires", "photos"), area("area")),
	TypeBOLOCancelled:    join(pub("id"), priv("reason")),
	TypeMutualAidPlanSet: pub("levels", "emergency", "urgent", "routine"),
	TypeAssistRequested: join(assistRef, pub("origin", "unit", "level", "asked", "deadline"),
		location("location"), priv("nature"), told),
	TypeAssistAcknowledged: join(assistRef, pub("deadline", "held")),
	TypeAssistAccepted:     join(assistRef, pub("units", "eta_seconds", "deadline")),
	TypeAssistDeclined:     join(assistRef, priv("reason")),
	TypeAssistEscalated:    join(assistRef, pub("reason", "level", "asked", "exhausted", "deadline"), told),
	TypeAssistConflict: join(assistRef, pub("directive", "issuer.agency", "issuer.role", "issuer.system", "effect"),
		priv("issuer.user", "reason"), told),
	TypeAssistOnScene:       join(assistRef, pub("unit")),
	TypeAssistUnitLeft:      join(assistRef, pub("unit", "how", "directives", "deadline"), priv("reason"), told),
	TypeAssistClosed:        join(assistRef, priv("disposition")),
	TypeDirectiveIssued:     join(pub("id", "effect", "restrict", "expires"), area("scope"), priv("reason")),
	TypeDirectiveRevoked:    join(pub("directive"), priv("reason")),
	TypeDirectiveExpired:    pub("directive", "expires"),
	TypeDirectiveOverridden: join(pub("directive", "incident", "request", "units"), priv("reason")),

	// Which alert was acknowledged is public; who saw it is the actor,
	// whose user is a commitment as every actor's, and when is the time.
	TypeAlertAcknowledged: pub("alert", "alert_type"),

	// Peers and forks name public logs: their URLs, origins, keys, sizes
	// and root hashes, never a person (peer.go).
	TypePeerAdded:           pub("name", "url", "origin", "key", "witness_key"),
	TypePeerRemoved:         pub("name"),
	TypeWitnessFork:         pub("evidence", "origin", "peer", "held_size", "held_root", "submitted_size", "submitted_root"),
	TypeWitnessForkReported: pub("evidence", "origin", "peer", "held_size", "held_root", "submitted_size", "submitted_root"),
	// Messages between installations (federation.go): which peer, which
	// event of whose log, when, and with what outcome, are public — they
	// name public logs; a refusal's text may name people, and is private.
	TypeFederationReceived: join(pub("peer", "peer_origin", "message", "message_seq", "message_type", "request", "sent",
		"late", "late_seconds", "outcome", "eido"), priv("reason")),
	TypeFederationDelivered: join(pub("peer", "peer_origin", "message", "seq", "type", "request", "receipt_seq",
		"receipt_size", "received", "outcome", "attempts"), priv("reason")),
	TypeFederationUndelivered: pub("peer", "peer_origin", "message", "seq", "type", "request", "error"),
	// Who subscribed a partner system to which events of an agency is
	// public; where they are sent is routing, as a message's (the secret
	// is never in the log).
	TypeWebhookSubscribed:   join(pub("webhook", "events"), priv("url")),
	TypeWebhookUnsubscribed: pub("webhook"),

	// Record ids are public, and archiving says nothing else.
	TypeRecordsArchived: pub("incidents", "requests", "messages", "bolos", "directives", "premises"),

	// EIDO conveyance (conveyance.go): which incidents, subscriptions,
	// agencies and partners, how large, with what outcome, are public; the
	// hash of an EIDO is private, for an unsalted hash of a document that
	// holds private facts would let anyone confirm a guess of them; a
	// recipient's username and a refusal's text are private too.
	TypeEIDOSent:     conveyed,
	TypeEIDOReceived: conveyed,

	// Audit events: who is the actor (its user a commitment); the facts
	// public are the kind of failure, counts and times, the route and
	// roles, and the node that relayed the event (http/relay.go). A
	// token's name is free text; the incidents a user read say who read
	// what.
	TypeLogin:         audit(pub("second_factor")),
	TypeLoginFailed:   audit(pub("reason")),
	TypeLocked:        audit(pub("failures", "until")),
	TypeUnlocked:      audit(),
	TypeLogout:        audit(),
	TypePasswordReset: audit(),
	TypeUserDisabled:  audit(),
	TypeTokenCreated:  audit(pub("roles"), priv("name")),
	TypeTokenRevoked:  audit(),
	TypeTokenUsed:     audit(),
	TypeAccessDenied:  audit(pub("route", "roles")),
	TypePrivateRead:   audit(pub("route", "fields"), priv("incidents")),
	TypeTOTPEnrolled:  audit(),
	// A rollback's sizes and the lost tree's root are what anyone holding
	// the published checkpoint compares; the operator's words are free
	// text.
	TypeRollbackAccepted: audit(pub("log_size", "published_size", "published_root", "restored"), priv("reason")),
}

// audit is the line of an audit event: its keys, and the relaying node's.
func audit(rs ...[]FieldRule) []FieldRule { return join(append(rs, pub("node"))...) }

// PrivateSubjects are the subject keys whose values are not record ids but
// persons: they enter the leaf as commitments too.
var PrivateSubjects = []string{"user"}

// EventTypes returns every event type the domain can emit, sorted: the
// table's (TestDisclosureHasEveryType holds it to the package's Type
// constants, and DecodeData reads each).
func EventTypes() []string {
	out := make([]string, 0, len(PayloadDisclosure))
	for t := range PayloadDisclosure {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// disclosureOf returns the disclosure the table gives the field at path of
// an event of type typ, and whether the table names it.
func disclosureOf(typ, path string) (Disclosure, bool) {
	for _, r := range PayloadDisclosure[typ] {
		if r.Path == path {
			return r.Is, true
		}
	}
	return 0, false
}

// declaresBelow reports whether the table names a field beneath path.
func declaresBelow(typ, path string) bool {
	for _, r := range PayloadDisclosure[typ] {
		if strings.HasPrefix(r.Path, path+".") || strings.HasPrefix(r.Path, path+"[]") {
			return true
		}
	}
	return false
}

// SplitPayload splits the JSON payload of an event of type typ by the
// table: it returns the payload with only its public fields, and the
// private ones by their JSON Pointer from the entry's root ("/data/…"),
// each with its JSON encoding as the plaintext to commit to.
func SplitPayload(typ string, data json.RawMessage) (json.RawMessage, map[string]string, error) {
	if len(data) == 0 || string(data) == "null" {
		return data, nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber() // numbers keep their exact text
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, nil, fmt.Errorf("%s payload: %w", typ, err)
	}
	private := map[string]string{}
	out, keep, err := split(typ, "", "/data", v, private)
	if err != nil {
		return nil, nil, err
	}
	if !keep {
		out = map[string]any{}
	}
	b, err := marshal(out)
	if err != nil {
		return nil, nil, fmt.Errorf("%s payload: %w", typ, err)
	}
	if len(private) == 0 {
		private = nil
	}
	return b, private, nil
}

// split returns v without its private fields, and whether anything of it
// stays public; path is its path in the table, ptr its JSON Pointer.
func split(typ, path, ptr string, v any, private map[string]string) (any, bool, error) {
	if path != "" {
		if d, ok := disclosureOf(typ, path); ok {
			if d == Public {
				return v, true, nil
			}
			b, err := marshal(v)
			if err != nil {
				return nil, false, err
			}
			private[ptr] = string(b)
			return nil, false, nil
		}
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, fv := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			sv, keep, err := split(typ, p, ptr+"/"+escapePointer(k), fv, private)
			if err != nil {
				return nil, false, err
			}
			if keep {
				out[k] = sv
			}
		}
		// An object stays, if empty, so that its private fields have a
		// place to go back to.
		return out, true, nil
	case []any:
		if path != "" && declaresBelow(typ, path) {
			out := make([]any, len(x))
			for i, ev := range x {
				sv, keep, err := split(typ, path+"[]", ptr+"/"+strconv.Itoa(i), ev, private)
				if err != nil {
					return nil, false, err
				}
				if !keep {
					sv = map[string]any{}
				}
				out[i] = sv
			}
			return out, true, nil
		}
	}
	// A field the table does not name is private.
	b, err := marshal(v)
	if err != nil {
		return nil, false, err
	}
	private[ptr] = string(b)
	return nil, false, nil
}

// JoinPayload puts the opened private fields of an entry back in its
// payload: the inverse of SplitPayload. Openings whose names are not
// "/data/…" pointers (the domain's own private fields, the actor's user)
// are left alone; a field whose opening is erased stays absent.
func JoinPayload(data json.RawMessage, openings map[string]string) (json.RawMessage, error) {
	var names []string
	for n := range openings {
		if strings.HasPrefix(n, "/data/") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return data, nil
	}
	sort.Strings(names) // so that "/x/0" comes before "/x/1"
	var root any = map[string]any{}
	if len(data) > 0 && string(data) != "null" {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&root); err != nil {
			return nil, fmt.Errorf("payload: %w", err)
		}
	}
	for _, n := range names {
		d := json.NewDecoder(strings.NewReader(openings[n]))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("opening of %s: %w", n, err)
		}
		var err error
		if root, err = setPointer(root, strings.Split(n, "/")[2:], v); err != nil {
			return nil, fmt.Errorf("opening of %s: %w", n, err)
		}
	}
	return marshal(root)
}

// setPointer sets the value at the JSON Pointer tokens in doc, making the
// objects on the way that are missing.
func setPointer(doc any, tokens []string, v any) (any, error) {
	if len(tokens) == 0 {
		return v, nil
	}
	tok := unescapePointer(tokens[0])
	switch x := doc.(type) {
	case nil:
		m := map[string]any{}
		sv, err := setPointer(nil, tokens[1:], v)
		if err != nil {
			return nil, err
		}
		m[tok] = sv
		return m, nil
	case map[string]any:
		sv, err := setPointer(x[tok], tokens[1:], v)
		if err != nil {
			return nil, err
		}
		x[tok] = sv
		return x, nil
	case []any:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(x) {
			return nil, fmt.Errorf("no element %q in an array of %d", tok, len(x))
		}
		sv, err := setPointer(x[i], tokens[1:], v)
		if err != nil {
			return nil, err
		}
		x[i] = sv
		return x, nil
	}
	return nil, fmt.Errorf("%q is beneath a value that is not an object or an array", tok)
}

// escapePointer and unescapePointer escape a JSON Pointer reference token
// (RFC 6901, section 4).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// marshal encodes v as JSON without escaping HTML, as the log does.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
