package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// TestTokenCache: two nodes share a store. A token revoked and a user
// disabled on one node stop working there at once, and on the other within
// Policy.TokenCache, never later.
func TestTokenCache(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	clock := now
	tick := func() time.Time { return clock }
	rec := &recorder{}
	here := &auth.Service{Accounts: st, Policy: auth.DefaultPolicy(), Clock: tick, Record: rec.record}
	there := &auth.Service{Accounts: st, Policy: auth.DefaultPolicy(), Clock: tick, Record: rec.record}
	ann := store.User{Username: "ann", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Created: now}
	tok := MustCreateUser(t, st, ann, store.Token{Created: now})
	bob := MustCreateUser(t, st, store.User{Username: "bob", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Created: now}, store.Token{Created: now})
	root := dispatch.Actor{User: "root", Role: dispatch.RoleAdmin}
	for _, svc := range []*auth.Service{here, there} {
		for _, k := range []string{tok, bob} {
			if _, err := svc.Token(ctx, k); err != nil {
				t.Fatalf("Token = %v", err)
			}
		}
	}

	ts, err := st.ListTokens(ctx, "ann")
	if err != nil || len(ts) != 1 {
		t.Fatalf("ListTokens = %v, %v", ts, err)
	}
	if err := here.RevokeToken(ctx, root, ts[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := here.DisableUser(ctx, root, "bob"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{tok, bob} {
		if _, err := here.Token(ctx, k); dispatch.ErrorCode(err) != dispatch.EUNAUTHORIZED {
			t.Errorf("Token on the node that made the change = %v, want refused at once", err)
		}
	}
	// The other node trusts what it checked for at most TokenCache.
	clock = clock.Add(auth.DefaultPolicy().TokenCache - time.Millisecond)
	if _, err := there.Token(ctx, tok); err != nil {
		t.Errorf("Token on the other node within the cache = %v; the test expects the cache to hold", err)
	}
	clock = clock.Add(time.Millisecond)
	for _, k := range []string{tok, bob} {
		if _, err := there.Token(ctx, k); dispatch.ErrorCode(err) != dispatch.EUNAUTHORIZED {
			t.Errorf("Token on the other node after TokenCache = %v, want refused", err)
		}
	}

	// With no cache, every request reads the store.
	p := auth.DefaultPolicy()
	p.TokenCache = 0
	nocache := &auth.Service{Accounts: st, Policy: p, Clock: tick}
	carl := MustCreateUser(t, st, store.User{Username: "carl", Agency: "metro", Roles: []string{dispatch.RoleDispatcher}, Created: now}, store.Token{Created: now})
	if _, err := nocache.Token(ctx, carl); err != nil {
		t.Fatal(err)
	}
	ts, _ = st.ListTokens(ctx, "carl")
	if err := st.RevokeToken(ctx, ts[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := nocache.Token(ctx, carl); dispatch.ErrorCode(err) != dispatch.EUNAUTHORIZED {
		t.Errorf("Token without a cache after a revocation = %v, want refused", err)
	}
}
