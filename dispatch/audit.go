package dispatch

import (
	"slices"
	"time"
)

// Audit event types: who signed in, who failed, who was locked out, which
// tokens were made and used, which requests were refused, and who read which
// private fields. They change no dispatch state; they are in the log so that
// access is accounted for as dispatch is (CJIS Security Policy, audit and
// accountability). No secret is ever in them.
const (
	TypeLogin         = "auth.login"
	TypeLoginFailed   = "auth.login_failed"
	TypeLocked        = "auth.locked"
	TypeUnlocked      = "auth.unlocked"
	TypeLogout        = "auth.logout"
	TypePasswordReset = "auth.password_reset"
	TypeUserDisabled  = "user.disabled"
	TypeTokenCreated  = "token.created"
	TypeTokenRevoked  = "token.revoked"
	TypeTokenUsed     = "token.used"
	TypeAccessDenied  = "access.denied"
	TypePrivateRead   = "private.read"
	TypeTOTPEnrolled  = "auth.totp_enrolled"
	// TypeRollbackAccepted records that an operator let a node sequence a
	// log shorter than a checkpoint it had published (a restore from an
	// older copy): who, why, and both sizes (docs/operations.md).
	TypeRollbackAccepted = "log.rollback_accepted"
)

// AuditTypes lists the audit event types.
var AuditTypes = []string{
	TypeLogin, TypeLoginFailed, TypeLocked, TypeUnlocked, TypeLogout, TypePasswordReset,
	TypeUserDisabled, TypeTokenCreated, TypeTokenRevoked, TypeTokenUsed, TypeAccessDenied,
	TypePrivateRead, TypeTOTPEnrolled, TypeRollbackAccepted,
}

// Audited is the payload of an audit event: plain facts, such as the route
// refused or the incidents read, as strings.
type Audited map[string]string

// RecordAudit records an access event. It is accepted from the system only:
// the authentication layer records what it observed, not what a user asks.
type RecordAudit struct {
	Type    string
	Agency  string
	Subject map[string]string
	Data    Audited
	Private map[string]string // such as a mistyped username, kept as a commitment
	As      Actor             // who the event is about (the user signing in)
}

// Decide implements Command.
func (c RecordAudit) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	if !actor.IsSystem() {
		return nil, Errorf(EFORBIDDEN, "audit events are recorded by tenfour itself")
	}
	if !slices.Contains(AuditTypes, c.Type) {
		return nil, Errorf(EINVALID, "%q is not an audit event type", c.Type)
	}
	who := c.As
	if who.User == "" && who.System == "" {
		who = actor
	}
	who.Roles = nil // the log records the role acted in
	return []Event{{
		Time: now, Type: c.Type, Agency: c.Agency, Actor: who,
		Subject: c.Subject, Data: &c.Data, Private: c.Private,
	}}, nil
}
