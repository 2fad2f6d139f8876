package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// Outcomes of an import (ImportResult.Outcome).
const (
	ImportCreated   = "created"
	ImportUpdated   = "updated"
	ImportUnchanged = "unchanged"
)

// ImportResult is what an import of another system's incident did: the
// incident it created or updated (or found unchanged), the events it
// recorded, and the open incidents the imported one may duplicate, as
// the answer to a new incident names them (dispatch.PossibleDuplicates).
type ImportResult struct {
	Incident           string
	Outcome            string
	Result             Result
	PossibleDuplicates []dispatch.PossibleDuplicate
}

// Import executes an import (dispatch.ImportIncident) as every command is
// executed (Execute): its location placed on the map, the decision taken
// against the live state, the events logged with the actor — the user who
// imports, or the system for a partner's feed. An import that changes
// nothing records nothing and answers ImportUnchanged.
func (e *Engine) Import(ctx context.Context, actor dispatch.Actor, cmd dispatch.ImportIncident) (ImportResult, error) {
	res, err := e.Execute(ctx, actor, cmd)
	if err != nil {
		return ImportResult{}, err
	}
	out := ImportResult{Result: res, Outcome: ImportUnchanged}
	if len(res.Events) == 0 {
		var ok bool
		e.read(func(s *dispatch.State) { out.Incident, ok = s.ImportedIncident(cmd.Agency, cmd.Ref) })
		if !ok {
			// Unchanged means the state holds it; archived between the
			// decision and this read, it is answered as the archive says.
			return ImportResult{}, fmt.Errorf("import of %s: unchanged, but the incident is no longer open", cmd.Ref)
		}
		return out, nil
	}
	out.Incident = res.Events[0].Subject["incident"]
	out.Outcome = ImportUpdated
	if res.Events[0].Type == dispatch.TypeIncidentImported {
		out.Outcome = ImportCreated
		if out.PossibleDuplicates, err = e.PossibleDuplicates(actor, out.Incident); err != nil {
			return ImportResult{}, err
		}
	}
	return out, nil
}

// importArchived hands an import what deciding needs to know of an
// incident an earlier import of the same Ref made and that has since been
// archived: the live state forgets archived incidents (their Refs too), the
// store's subject index (dispatch.SubjectEIDORef) does not. The index is
// asked only when the open state does not hold the Ref, so an import costs
// what is open. Whatever Archived the command came with is replaced.
func (e *Engine) importArchived(ctx context.Context, c dispatch.ImportIncident) (dispatch.ImportIncident, error) {
	c.Archived = nil
	open := false
	e.read(func(s *dispatch.State) { _, open = s.ImportedIncident(c.Agency, c.Ref) })
	if open || e.history == nil {
		return c, nil
	}
	seqs, err := e.history.SubjectSeqs(ctx, dispatch.SubjectEIDORef, dispatch.ImportKey(c.Agency, c.Ref))
	if err != nil {
		return c, fmt.Errorf("find the import of %s: %w", c.Ref, err)
	}
	if len(seqs) == 0 {
		return c, nil
	}
	entries, err := e.log.Entries(ctx, seqs[0], seqs[0]+1)
	if err != nil || len(entries) != 1 {
		return c, fmt.Errorf("read event %d: %d entries, %w", seqs[0], len(entries), err)
	}
	en, err := ledger.ParseEntry(entries[0])
	if err != nil {
		return c, fmt.Errorf("read event %d: %w", seqs[0], err)
	}
	ev, err := FromEntry(en, nil) // the subject is public: no opening needed
	if err != nil {
		return c, fmt.Errorf("read event %d: %w", seqs[0], err)
	}
	id := ev.Subject["incident"]
	a, err := e.history.ArchivedRecord(ctx, dispatch.ArchiveIncident, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return c, nil // not archived yet: the live state decides
	case err != nil:
		return c, fmt.Errorf("read archived incident %s: %w", id, err)
	}
	c.Archived = &dispatch.ArchivedRef{Kind: a.Kind, ID: a.ID, Agency: a.Agency, Agencies: a.Agencies, Closed: a.Closed}
	return c, nil
}
