package auth

import (
	"context"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// Certificate returns the actor of a partner who presented a TLS client
// certificate that the server verified and pinned to username (mutual TLS,
// NENA-STA-024.1a section 2.1.1): the user, in all of its roles, refused as
// a token would be when the account is disabled or locked.
func (s *Service) Certificate(ctx context.Context, username string) (dispatch.Actor, error) {
	u, err := s.activeUser(ctx, username)
	if err != nil {
		return dispatch.Actor{}, err
	}
	if u.LockedUntil.After(s.now()) {
		return dispatch.Actor{}, dispatch.Errorf(dispatch.EUNAUTHORIZED, "the certificate's account is locked until %s; an administrator can lift the lock", u.LockedUntil.Format("15:04 MST"))
	}
	if len(u.Roles) == 0 {
		return dispatch.Actor{}, dispatch.Errorf(dispatch.EUNAUTHORIZED, "the certificate's account has no role")
	}
	return dispatch.Actor{User: u.Username, Agency: u.Agency, Role: primary(u.Roles), Roles: u.Roles}, nil
}
