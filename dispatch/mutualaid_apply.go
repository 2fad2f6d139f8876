package dispatch

import (
	"fmt"
	"slices"
)

// assistPayload is every assist.* payload: each embeds an AssistRef.
type assistPayload interface{ assistRef() AssistRef }

func (r AssistRef) assistRef() AssistRef { return r }

// applyMutualAid folds the events of mutual aid into the state: plans, requests
// and directives. Any other payload is an error.
func (s *State) applyMutualAid(e Event) error {
	switch d := e.Data.(type) {
	case *MutualAidPlanSet:
		a, ok := s.Agencies[e.Agency]
		if !ok {
			return fmt.Errorf("mutual-aid plan of unknown agency %q", e.Agency)
		}
		p := d.MutualAidPlan.clone()
		a.Plan = &p
	case *AssistRequested:
		if _, ok := s.Requests[d.Request]; ok {
			return fmt.Errorf("request %q requested twice", d.Request)
		}
		mirror := d.Origin != ""
		if d.FromAgency != e.Agency || (!mirror && s.Agencies[d.FromAgency] == nil) || (mirror && PeerOfAgency(d.FromAgency) != d.Origin) {
			return fmt.Errorf("request %q from unknown agency %q", d.Request, d.FromAgency)
		}
		for _, ag := range d.Asked {
			if !s.known(ag) || (mirror && IsRemote(ag)) {
				return fmt.Errorf("request %q asks unknown agency %q", d.Request, ag)
			}
		}
		r := newAssistRequest(e, d)
		if err := r.fold(e); err != nil {
			return err
		}
		s.Requests[r.ID] = r
		if !mirror {
			s.requestSerial[serialKey(d.FromAgency, e.Time.UTC().Year())]++
		}
	case *AssistAccepted:
		r, ok := s.Requests[d.Request]
		if !ok {
			return fmt.Errorf("%s: request %q does not exist", e.Type, d.Request)
		}
		remote := IsRemote(d.ToAgency)
		for i, id := range d.Units {
			if remote {
				if remoteUnit(id, d.ToAgency) != nil || r.Helper(id) != nil || slices.Contains(d.Units[:i], id) {
					return fmt.Errorf("request %q accepted with unit %q, which %s cannot send", d.Request, id, d.ToAgency)
				}
				continue
			}
			u, ok := s.Units[id]
			if !ok || u.Agency != d.ToAgency || u.Status != StatusAvailable || u.Incident != "" || u.Request != "" || slices.Contains(d.Units[:i], id) {
				return fmt.Errorf("request %q accepted with unit %q, which %s cannot send", d.Request, id, d.ToAgency)
			}
		}
		if err := r.fold(e); err != nil {
			return err
		}
		// Each unit's change to DISPATCHED follows.
		for _, id := range d.Units {
			if !remote {
				s.Units[id].Request = r.ID
			}
		}
	case assistPayload:
		id := d.assistRef().Request
		r, ok := s.Requests[id]
		if !ok {
			return fmt.Errorf("%s: request %q does not exist", e.Type, id)
		}
		if esc, ok := d.(*AssistEscalated); ok {
			for _, ag := range esc.Asked {
				if !s.known(ag) {
					return fmt.Errorf("request %q escalated to unknown agency %q", id, ag)
				}
			}
		}
		return r.fold(e)
	case *DirectiveIssued, *DirectiveRevocation, *DirectiveExpiry, *DirectiveOverride:
		return s.applyDirective(e)
	default:
		return fmt.Errorf("event %s: unknown payload %T", e.Type, e.Data)
	}
	return nil
}
