package dispatch

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Peers (issue 17, "Federation"): the partner installations this one knows,
// each by a name, the URL it serves at, the origin of its log and the note
// verifier key its checkpoints are signed with. Knowing a peer is a fact of
// the log, decided by an installation administrator; the witness cosigns
// the checkpoints of the peers' logs alone (package witness). A peer's URL,
// origin and key are public: they name a public log, never a person.

// Event types of peers and of the witness.
const (
	TypePeerAdded   = "peer.added"
	TypePeerRemoved = "peer.removed"
	// TypeWitnessFork is the alert of a fork of a log this installation
	// witnesses: a checkpoint that contradicts the one it cosigned.
	TypeWitnessFork = "witness.fork_detected"
)

// A Peer is a partner installation.
type Peer struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Origin string `json:"origin"`
	Key    string `json:"key"`
	// WitnessKey is the cosignature/v1 verifier key of the peer's witness
	// (what its GET /witness/key serves), if the administrator named it;
	// empty: the key is trusted on first use.
	WitnessKey string    `json:"witness_key,omitempty"`
	Added      time.Time `json:"added"`
}

// PeerAdded is the payload of peer.added.
type PeerAdded struct {
	Name       string `json:"name"`
	URL        string `json:"url"`
	Origin     string `json:"origin"`
	Key        string `json:"key"`
	WitnessKey string `json:"witness_key,omitempty"`
}

// PeerRemoved is the payload of peer.removed.
type PeerRemoved struct {
	Name string `json:"name"`
}

// AddPeer records a partner installation.
type AddPeer struct {
	Name   string
	URL    string
	Origin string
	Key    string
	// WitnessKey, optional, is the cosignature/v1 verifier key of the
	// peer's witness (CheckCosignerKey).
	WitnessKey string
}

// installAdmin refuses all but an installation administrator (or the
// system): peers are the installation's, not an agency's.
func installAdmin(actor Actor, what string) error {
	if actor.IsSystem() || (actor.Role == RoleAdmin && actor.Agency == "") {
		return nil
	}
	return Errorf(EFORBIDDEN, "only an installation administrator may %s", what)
}

// Decide implements Command. The key must be an Ed25519 note verifier key
// whose name is the origin: a checkpoint names its log by its origin
// (C2SP tlog-checkpoint), and the witness looks the key up by it.
func (c AddPeer) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if err := installAdmin(actor, "add a peer"); err != nil {
		return nil, err
	}
	if !slugRE.MatchString(c.Name) {
		return nil, Errorf(EINVALID, "peer name %q must be 2 to 32 lower-case letters, digits or dashes, starting with a letter", c.Name)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || len(c.URL) > 200 {
		return nil, Errorf(EINVALID, "peer URL %q must be an http or https URL of at most 200 characters, with no user, query or fragment", c.URL)
	}
	if c.Origin == "" || len(c.Origin) > 200 || strings.ContainsFunc(c.Origin, unicode.IsSpace) || strings.Contains(c.Origin, "+") {
		return nil, Errorf(EINVALID, "peer origin %q must be 1 to 200 characters with no space and no '+'", c.Origin)
	}
	v, err := note.NewVerifier(strings.TrimSpace(c.Key))
	if err != nil {
		return nil, Errorf(EINVALID, "peer key is not a note verifier key (<name>+<hash>+<key>): %v", err)
	}
	if v.Name() != c.Origin {
		return nil, Errorf(EINVALID, "peer key is named %q, not the origin %q", v.Name(), c.Origin)
	}
	wkey := strings.TrimSpace(c.WitnessKey)
	if wkey != "" {
		if err := CheckCosignerKey(wkey); err != nil {
			return nil, Errorf(EINVALID, "peer witness key: %v", err)
		}
	}
	if _, ok := s.Peers[c.Name]; ok {
		return nil, Errorf(ECONFLICT, "peer %s already exists", c.Name)
	}
	for _, p := range s.Peers {
		if p.Origin == c.Origin {
			return nil, Errorf(ECONFLICT, "peer %s already has the origin %s", p.Name, c.Origin)
		}
	}
	return []Event{{
		Time: now, Type: TypePeerAdded, Actor: actor,
		Subject: map[string]string{"peer": c.Name},
		Data:    &PeerAdded{Name: c.Name, URL: strings.TrimRight(u.String(), "/"), Origin: c.Origin, Key: strings.TrimSpace(c.Key), WitnessKey: wkey},
	}}, nil
}

// cosignatureV1 is the signature type byte of an Ed25519 cosignature/v1
// key (C2SP tlog-cosignature, "Format"); package witness has the same.
const cosignatureV1 = 0x04

// CheckCosignerKey checks that vkey is an Ed25519 cosignature/v1 verifier
// key in C2SP signed-note form, "<name>+<key ID>+<base64(0x04 || 32-byte
// public key)>", whose key ID is the first four bytes of SHA-256(name ||
// "\n" || 0x04 || key) (C2SP tlog-cosignature, "Format"). It is the check
// witness.ParseVerifier makes, written out here because the domain imports
// no package of tenfour's.
func CheckCosignerKey(vkey string) error {
	name, rest, ok1 := strings.Cut(vkey, "+")
	hash, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || name == "" || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsSpace) {
		return errors.New("want a cosignature/v1 verifier key, <name>+<key ID>+<key>")
	}
	if len(hash) != 8 || strings.Trim(hash, "0123456789abcdef") != "" {
		return fmt.Errorf("key ID %q is not 8 lower-case hex digits", hash)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return errors.New("the key is not base64")
	}
	if len(key) != 33 || key[0] != cosignatureV1 {
		return errors.New("not an Ed25519 cosignature/v1 key (type 0x04, 32 bytes)")
	}
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(key)
	id := fmt.Sprintf("%08x", binary.BigEndian.Uint32(h.Sum(nil)))
	if id != hash {
		return fmt.Errorf("key ID %s, the name and key give %s", hash, id)
	}
	return nil
}

// RemovePeer forgets a partner installation. Its log is no longer
// witnessed; what was cosigned and any fork evidence stay in the store.
type RemovePeer struct {
	Name string
}

// Decide implements Command.
func (c RemovePeer) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if err := installAdmin(actor, "remove a peer"); err != nil {
		return nil, err
	}
	if _, ok := s.Peers[c.Name]; !ok {
		return nil, Errorf(ENOTFOUND, "there is no peer %s", c.Name)
	}
	return []Event{{
		Time: now, Type: TypePeerRemoved, Actor: actor,
		Subject: map[string]string{"peer": c.Name},
		Data:    &PeerRemoved{Name: c.Name},
	}}, nil
}

// PeerList returns the peers by name, as the actor may see them: all to an
// installation administrator, none to anyone else (a forbidden error).
func PeerList(s *State, actor Actor) ([]Peer, error) {
	if err := installAdmin(actor, "list peers"); err != nil {
		return nil, err
	}
	out := make([]Peer, 0, len(s.Peers))
	for _, p := range s.Peers {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Peer) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// MayReadFederation says who may read the federation's status (GET
// /api/v1/federation): the installation's administrators and the
// supervisors and auditors of any agency, who answer for what partners
// were told and whether this log is held to its history. It is all public
// (peers name public logs), but an officer or a call-taker has no use for it.
func MayReadFederation(actor Actor) error {
	if actor.IsSystem() || (actor.Role == RoleAdmin && actor.Agency == "") {
		return nil
	}
	if actor.Agency != "" && (actor.Role == RoleSupervisor || actor.Role == RoleAuditor) {
		return nil
	}
	return Errorf(EFORBIDDEN, "only an installation administrator or a supervisor or auditor may read the federation's status")
}

// FederationPeers returns the peers by name to those who may read the
// federation's status (MayReadFederation), a forbidden error to others.
func FederationPeers(s *State, actor Actor) ([]Peer, error) {
	if err := MayReadFederation(actor); err != nil {
		return nil, err
	}
	return PeerList(s, Actor{System: "federation"})
}

// PeerOf returns the peer whose log has the origin.
func PeerOf(s *State, origin string) (Peer, bool) {
	for _, p := range s.Peers {
		if p.Origin == origin {
			return *p, true
		}
	}
	return Peer{}, false
}

// WitnessFork is the payload of witness.fork_detected: the fork evidence
// the witness kept (its id in the store), the log (and the peer, if it is
// one) and the two trees, held and submitted. All of it is public: it is
// what the two signed checkpoints say.
type WitnessFork struct {
	Evidence      int64  `json:"evidence"`
	Origin        string `json:"origin"`
	Peer          string `json:"peer,omitempty"`
	HeldSize      int64  `json:"held_size"`
	HeldRoot      string `json:"held_root"`
	SubmittedSize int64  `json:"submitted_size"`
	SubmittedRoot string `json:"submitted_root"`
}

// RecordFork raises a fork the witness found as an alert in the log, to the
// installation's administrators (an event of no agency reaches those who
// see every agency). Only the system records one: the witness, once it has
// kept the evidence.
type RecordFork struct {
	Fork WitnessFork
}

// Decide implements Command.
func (c RecordFork) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() {
		return nil, Errorf(EFORBIDDEN, "a fork is recorded by the witness alone")
	}
	f := c.Fork
	if p, ok := PeerOf(s, f.Origin); ok {
		f.Peer = p.Name
	}
	subject := map[string]string{"origin": f.Origin}
	if f.Peer != "" {
		subject["peer"] = f.Peer
	}
	return []Event{{Time: now, Type: TypeWitnessFork, Actor: actor, Subject: subject, Data: &f}}, nil
}

func (s *State) applyPeer(e Event) error {
	switch d := e.Data.(type) {
	case *PeerAdded:
		if _, ok := s.Peers[d.Name]; ok {
			return Errorf(ECONFLICT, "peer %q added twice", d.Name)
		}
		s.Peers[d.Name] = &Peer{Name: d.Name, URL: d.URL, Origin: d.Origin, Key: d.Key, WitnessKey: d.WitnessKey, Added: e.Time}
	case *PeerRemoved:
		if _, ok := s.Peers[d.Name]; !ok {
			return Errorf(ENOTFOUND, "peer %q removed but never added", d.Name)
		}
		delete(s.Peers, d.Name)
	}
	return nil
}
