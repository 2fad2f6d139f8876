package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// The credentials' tests use times with nanoseconds, in zones other than UTC,
// since a store must give back the same instants to the nanosecond.
var (
	east = time.FixedZone("UTC+2", 2*60*60)
	west = time.FixedZone("UTC-5", -5*60*60)
)

// hash returns the SHA-256 of s, as a token's or a session's secret is stored.
func hash(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// tokenID returns the conventional public id of the token whose secret is s:
// the hex of its hash's first 8 bytes.
func tokenID(s string) string { return hex.EncodeToString(hash(s)[:8]) }

func ptr[T any](v T) *T { return &v }

func mustCreateUser(tb testing.TB, st Store, u store.User) {
	tb.Helper()
	if err := st.CreateUser(context.Background(), u); err != nil {
		tb.Fatalf("CreateUser(%q) = %v", u.Username, err)
	}
}

// mustCreateUsers creates users with the given names and nothing else set
// beyond a role and a creation time.
func mustCreateUsers(tb testing.TB, st Store, names ...string) {
	tb.Helper()
	for _, n := range names {
		mustCreateUser(tb, st, store.User{Username: n, Roles: []string{"dispatcher"}, Created: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
}

func mustCreateToken(tb testing.TB, st Store, t store.Token) {
	tb.Helper()
	if err := st.CreateToken(context.Background(), t); err != nil {
		tb.Fatalf("CreateToken(%s) = %v", t.ID, err)
	}
}

func mustToken(tb testing.TB, st Store, h []byte) store.Token {
	tb.Helper()
	t, err := st.TokenByHash(context.Background(), h)
	if err != nil {
		tb.Fatalf("TokenByHash(%x) = %v", h[:4], err)
	}
	return t
}

// equalToken reports whether a and b are the same token: times the same
// instants (zero for zero), and no roles whether nil or empty.
func equalToken(a, b store.Token) bool {
	return a.ID == b.ID && bytes.Equal(a.Hash, b.Hash) && a.Username == b.Username && a.Name == b.Name &&
		slices.Equal(a.Roles, b.Roles) && a.Created.Equal(b.Created) && a.Expires.Equal(b.Expires) &&
		a.Revoked == b.Revoked && a.LastUsed.Equal(b.LastUsed)
}

func tokenIDs(ts []store.Token) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

func userNames(us []store.User) []string {
	ns := make([]string, len(us))
	for i, u := range us {
		ns[i] = u.Username
	}
	return ns
}

func testUpdateUser(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	base := store.User{
		Agency:       "north",
		Roles:        []string{"dispatcher", "supervisor"},
		PasswordHash: "$argon2id$old",
		Created:      time.Date(2025, 3, 4, 5, 6, 7, 123456789, east),
	}
	locked := time.Date(2025, 3, 4, 5, 21, 7, 987654321, west)
	later := time.Date(2025, 3, 5, 0, 0, 0, 1, time.UTC)
	tests := []struct {
		name   string
		before func(u *store.User) // how the user is created, from base
		upd    store.UserUpdate
		after  func(u *store.User) // what the update makes of it
	}{
		{"Nothing", nil, store.UserUpdate{}, nil},
		{"PasswordHash", nil, store.UserUpdate{PasswordHash: ptr("$argon2id$new")},
			func(u *store.User) { u.PasswordHash = "$argon2id$new" }},
		{"Disable", nil, store.UserUpdate{Disabled: ptr(true)},
			func(u *store.User) { u.Disabled = true }},
		{"Enable", func(u *store.User) { u.Disabled = true }, store.UserUpdate{Disabled: ptr(false)},
			func(u *store.User) { u.Disabled = false }},
		{"TOTPSecret", nil, store.UserUpdate{TOTPSecret: ptr("JBSWY3DPEHPK3PXP")},
			func(u *store.User) { u.TOTPSecret = "JBSWY3DPEHPK3PXP" }},
		{"ClearTOTPSecret", func(u *store.User) { u.TOTPSecret = "JBSWY3DPEHPK3PXP" }, store.UserUpdate{TOTPSecret: ptr("")},
			func(u *store.User) { u.TOTPSecret = "" }},
		{"Lock", nil, store.UserUpdate{LockedUntil: ptr(locked)},
			func(u *store.User) { u.LockedUntil = locked }},
		{"Relock", func(u *store.User) { u.LockedUntil = locked }, store.UserUpdate{LockedUntil: ptr(later)},
			func(u *store.User) { u.LockedUntil = later }},
		{"Unlock", func(u *store.User) { u.LockedUntil = locked }, store.UserUpdate{LockedUntil: ptr(time.Time{})},
			func(u *store.User) { u.LockedUntil = time.Time{} }},
		{"Several", func(u *store.User) { u.LockedUntil = locked },
			store.UserUpdate{PasswordHash: ptr("$argon2id$reset"), Disabled: ptr(true), LockedUntil: ptr(time.Time{})},
			func(u *store.User) { u.PasswordHash, u.Disabled, u.LockedUntil = "$argon2id$reset", true, time.Time{} }},
		{"All", func(u *store.User) { u.TOTPSecret, u.Disabled = "OLDSECRET", true },
			store.UserUpdate{PasswordHash: ptr("$argon2id$all"), Disabled: ptr(false), TOTPSecret: ptr("NEWSECRET"), LockedUntil: ptr(locked)},
			func(u *store.User) {
				u.PasswordHash, u.Disabled, u.TOTPSecret, u.LockedUntil = "$argon2id$all", false, "NEWSECRET", locked
			}},
	}
	// A user that no update names, to see that each changes only its own.
	bystander := base
	bystander.Username, bystander.TOTPSecret, bystander.LockedUntil = "bystander", "BYSTANDER", locked
	mustCreateUser(t, st, bystander)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := base
			u.Username = strings.ToLower(tt.name)
			if tt.before != nil {
				tt.before(&u)
			}
			mustCreateUser(t, st, u)
			want := u
			if tt.after != nil {
				tt.after(&want)
			}
			got, err := st.UpdateUser(ctx, u.Username, tt.upd)
			if err != nil {
				t.Fatalf("UpdateUser(%q) = %v", u.Username, err)
			}
			if !equalUser(got, want) {
				t.Errorf("UpdateUser(%q) = %+v, want %+v", u.Username, got, want)
			}
			if got, err := st.User(ctx, u.Username); err != nil || !equalUser(got, want) {
				t.Errorf("User(%q) after UpdateUser = %+v, %v, want %+v", u.Username, got, err, want)
			}
			if got, err := st.User(ctx, bystander.Username); err != nil || !equalUser(got, bystander) {
				t.Errorf("User(%q) after UpdateUser(%q) = %+v, %v, want it unchanged, %+v", bystander.Username, u.Username, got, err, bystander)
			}
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, upd := range []store.UserUpdate{{}, {PasswordHash: ptr("x"), Disabled: ptr(true), TOTPSecret: ptr("X"), LockedUntil: ptr(locked)}} {
			if u, err := st.UpdateUser(ctx, "nobody", upd); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UpdateUser(nobody, %+v) = %+v, %v, want ErrNotFound", upd, u, err)
			}
		}
		if u, err := st.UpdateUser(ctx, "BYSTANDER", store.UserUpdate{Disabled: ptr(true)}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateUser(BYSTANDER) = %+v, %v, want ErrNotFound (names are exact)", u, err)
		}
		if u, err := st.User(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("User(nobody) after UpdateUser(nobody) = %+v, %v, want ErrNotFound", u, err)
		}
	})
}

func testListUsers(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	if us, err := st.ListUsers(ctx); err != nil || len(us) != 0 {
		t.Fatalf("ListUsers() of a new store = %+v, %v, want none", us, err)
	}
	users := []store.User{
		{Username: "carl", Agency: "south", Roles: []string{"unit"}, PasswordHash: "h1", Created: time.Date(2025, 3, 4, 5, 6, 7, 1, east)},
		{Username: "ann", Agency: "north", Roles: []string{"dispatcher", "supervisor"}, PasswordHash: "h2", Created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			TOTPSecret: "JBSWY3DPEHPK3PXP", LockedUntil: time.Date(2025, 3, 4, 5, 21, 7, 987654321, west)},
		{Username: "Bob", Agency: "", Roles: []string{"admin"}, PasswordHash: "h3", Created: time.Date(2030, 12, 31, 23, 59, 59, 999999999, time.UTC), Disabled: true,
			TOTPSecret: "GEZDGNBVGY3TQOJQ"},
		{Username: "ann.b", Agency: "north", Roles: nil, PasswordHash: "", Created: time.Date(2025, 6, 1, 12, 0, 0, 500000000, time.UTC),
			LockedUntil: time.Date(2025, 6, 1, 12, 15, 0, 0, time.UTC)},
		{Username: "_feed", Agency: "south", Roles: []string{"integration"}, PasswordHash: "h5", Created: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)},
		{Username: "zoë", Agency: "north", Roles: []string{"dispatcher"}, PasswordHash: "h6", Created: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)},
	}
	for _, u := range users {
		mustCreateUser(t, st, u)
	}
	// By name as bytes compare, whatever the database's locale: upper case
	// before "_" before lower case.
	want := slices.SortedFunc(slices.Values(users), func(a, b store.User) int { return strings.Compare(a.Username, b.Username) })
	got, err := st.ListUsers(ctx)
	if err != nil {
		t.Fatalf("ListUsers() = %v", err)
	}
	if !slices.Equal(userNames(got), userNames(want)) {
		t.Fatalf("ListUsers() = %q, want %q", userNames(got), userNames(want))
	}
	for i := range got {
		if !equalUser(got[i], want[i]) {
			t.Errorf("ListUsers()[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	// And after an update, the list shows the user as it now is.
	if _, err := st.UpdateUser(ctx, "ann", store.UserUpdate{LockedUntil: ptr(time.Time{}), TOTPSecret: ptr("")}); err != nil {
		t.Fatalf("UpdateUser(ann) = %v", err)
	}
	got, err = st.ListUsers(ctx)
	if err != nil {
		t.Fatalf("ListUsers() = %v", err)
	}
	i := slices.IndexFunc(got, func(u store.User) bool { return u.Username == "ann" })
	if i < 0 || !got[i].LockedUntil.IsZero() || got[i].TOTPSecret != "" {
		t.Errorf("ListUsers() after unlocking ann and clearing her secret = %+v, want ann unlocked, with no secret", got)
	}
}

func testLoginFailures(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	mustCreateUsers(t, st, "ann", "bob")
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	add := func(user string, at time.Time) {
		t.Helper()
		if err := st.AddLoginFailure(ctx, user, at); err != nil {
			t.Fatalf("AddLoginFailure(%s, %v) = %v", user, at, err)
		}
	}
	count := func(user string, since time.Time) int {
		t.Helper()
		n, err := st.CountLoginFailures(ctx, user, since)
		if err != nil {
			t.Fatalf("CountLoginFailures(%s, %v) = %v", user, since, err)
		}
		return n
	}
	if n := count("ann", time.Time{}); n != 0 {
		t.Fatalf("CountLoginFailures(ann) of a new store = %d, want 0", n)
	}
	// Whole seconds beside fractions, and a zone other than UTC: a store
	// that compared the times as text would miscount.
	ann := []time.Time{
		t0,
		t0.Add(500 * time.Millisecond).In(east),
		t0.Add(time.Second + time.Nanosecond),
		t0.Add(2 * time.Second).In(west),
		t0.Add(2 * time.Second), // the same instant twice: two failures
		t0.Add(10 * time.Second),
	}
	for _, at := range ann {
		add("ann", at)
	}
	add("bob", t0.Add(time.Second))
	tests := []struct {
		user  string
		since time.Time
		want  int
	}{
		{"ann", time.Time{}, 6},
		{"ann", t0.Add(-time.Hour), 6},
		{"ann", t0, 6}, // at the boundary: counted
		{"ann", t0.In(west), 6},
		{"ann", t0.Add(time.Nanosecond), 5},
		{"ann", t0.Add(500 * time.Millisecond), 5},
		{"ann", t0.Add(500*time.Millisecond + time.Nanosecond), 4},
		{"ann", t0.Add(time.Second), 4},
		{"ann", t0.Add(time.Second + time.Nanosecond), 4},
		{"ann", t0.Add(time.Second + 2*time.Nanosecond).In(east), 3},
		{"ann", t0.Add(2 * time.Second), 3},
		{"ann", t0.Add(2*time.Second + time.Nanosecond), 1},
		{"ann", t0.Add(10 * time.Second), 1},
		{"ann", t0.Add(10*time.Second + time.Nanosecond), 0},
		{"bob", time.Time{}, 1},
		{"bob", t0.Add(time.Second), 1},
		{"bob", t0.Add(time.Second + time.Nanosecond), 0},
		{"nobody", time.Time{}, 0},
		{"ANN", time.Time{}, 0},
	}
	for _, tt := range tests {
		if n := count(tt.user, tt.since); n != tt.want {
			t.Errorf("CountLoginFailures(%s, %v) = %d, want %d", tt.user, tt.since, n, tt.want)
		}
	}

	if err := st.ClearLoginFailures(ctx, "ann"); err != nil {
		t.Fatalf("ClearLoginFailures(ann) = %v", err)
	}
	if n := count("ann", time.Time{}); n != 0 {
		t.Errorf("CountLoginFailures(ann) after ClearLoginFailures(ann) = %d, want 0", n)
	}
	if n := count("bob", time.Time{}); n != 1 {
		t.Errorf("CountLoginFailures(bob) after ClearLoginFailures(ann) = %d, want 1", n)
	}
	for _, user := range []string{"ann", "nobody"} {
		if err := st.ClearLoginFailures(ctx, user); err != nil {
			t.Errorf("ClearLoginFailures(%s) with no failures = %v, want nil", user, err)
		}
	}
	add("ann", t0.Add(time.Minute))
	if n := count("ann", t0); n != 1 {
		t.Errorf("CountLoginFailures(ann) after a failure following ClearLoginFailures = %d, want 1", n)
	}
}

func testTokenIDs(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	mustCreateUsers(t, st, "ann", "bob")
	created := time.Date(2025, 2, 3, 4, 5, 6, 7, time.UTC)
	first := store.Token{ID: tokenID("first"), Hash: hash("first"), Username: "ann", Name: "tablet", Created: created}
	mustCreateToken(t, st, first)
	tests := []struct {
		name string
		t    store.Token
	}{
		// Another secret under an id that is taken, even for another user.
		{"SameID", store.Token{ID: first.ID, Hash: hash("second"), Username: "bob", Name: "laptop", Created: created.Add(time.Hour)}},
		// The same secret under another id.
		{"SameHash", store.Token{ID: tokenID("second"), Hash: first.Hash, Username: "ann", Created: created}},
		// A token of no user: the foreign key refuses it.
		{"UnknownUser", store.Token{ID: tokenID("third"), Hash: hash("third"), Username: "nobody", Created: created}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := st.CreateToken(ctx, tt.t); !errors.Is(err, store.ErrConflict) {
				t.Errorf("CreateToken(%s, %x…, %s) = %v, want ErrConflict", tt.t.ID, tt.t.Hash[:4], tt.t.Username, err)
			}
			if got := mustToken(t, st, first.Hash); !equalToken(got, first) {
				t.Errorf("TokenByHash(first) after a refused CreateToken = %+v, want %+v", got, first)
			}
			if !bytes.Equal(tt.t.Hash, first.Hash) {
				if got, err := st.TokenByHash(ctx, tt.t.Hash); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("TokenByHash of a refused token = %+v, %v, want ErrNotFound", got, err)
				}
			}
			ts, err := st.ListTokens(ctx, "")
			if err != nil || len(ts) != 1 || !equalToken(ts[0], first) {
				t.Errorf("ListTokens() after a refused CreateToken = %+v, %v, want only %+v", ts, err, first)
			}
		})
	}
	t.Run("Distinct", func(t *testing.T) {
		second := store.Token{ID: tokenID("second"), Hash: hash("second"), Username: "ann", Created: created}
		mustCreateToken(t, st, second)
		if got := mustToken(t, st, second.Hash); got.ID != second.ID {
			t.Errorf("TokenByHash(second).ID = %q, want %q", got.ID, second.ID)
		}
	})
}

func testTokenFields(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	mustCreateUsers(t, st, "ann", "bob")
	tokens := []store.Token{
		{ID: tokenID("plain"), Hash: hash("plain"), Username: "ann", Created: time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)},
		{ID: tokenID("named"), Hash: hash("named"), Username: "ann", Name: "unit 1A12 tablet — nattskift, ✓", Roles: []string{"unit"},
			Created: time.Date(2025, 2, 3, 4, 5, 7, 1, east), Expires: time.Date(2026, 2, 3, 4, 5, 7, 999999999, west)},
		{ID: tokenID("scoped"), Hash: hash("scoped"), Username: "bob", Name: "feed", Roles: []string{"dispatcher", "supervisor", "reader"},
			Created: time.Date(2025, 2, 3, 4, 5, 8, 123456789, time.UTC), LastUsed: time.Date(2025, 2, 4, 0, 0, 0, 1, west)},
		{ID: tokenID("spent"), Hash: hash("spent"), Username: "bob", Name: "old", Created: time.Date(2025, 2, 3, 4, 5, 9, 0, time.UTC),
			Expires: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Revoked: true, LastUsed: time.Date(2025, 2, 28, 23, 59, 59, 999999999, time.UTC)},
	}
	for _, tk := range tokens {
		mustCreateToken(t, st, tk)
	}
	for _, want := range tokens {
		if got := mustToken(t, st, want.Hash); !equalToken(got, want) {
			t.Errorf("TokenByHash(%s) = %+v, want %+v", want.ID, got, want)
		}
	}
	all, err := st.ListTokens(ctx, "")
	if err != nil {
		t.Fatalf("ListTokens() = %v", err)
	}
	if len(all) != len(tokens) {
		t.Fatalf("ListTokens() = %q, want %d tokens", tokenIDs(all), len(tokens))
	}
	for _, want := range tokens {
		i := slices.IndexFunc(all, func(t store.Token) bool { return t.ID == want.ID })
		if i < 0 || !equalToken(all[i], want) {
			t.Errorf("ListTokens() holds %+v, want %+v", all, want)
		}
	}
}

func testListTokens(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	mustCreateUsers(t, st, "ann", "bob", "carl")
	t0 := time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)
	// Created out of order, in several zones, some a nanosecond apart.
	tokens := []store.Token{
		{ID: tokenID("a1"), Hash: hash("a1"), Username: "ann", Created: t0.Add(2 * time.Hour)},
		{ID: tokenID("b1"), Hash: hash("b1"), Username: "bob", Created: t0.Add(time.Hour).In(east)},
		{ID: tokenID("a2"), Hash: hash("a2"), Username: "ann", Created: t0.Add(-24 * time.Hour).In(west)},
		{ID: tokenID("a3"), Hash: hash("a3"), Username: "ann", Created: t0.Add(3*time.Hour + 123456789)},
		{ID: tokenID("b2"), Hash: hash("b2"), Username: "bob", Created: t0.Add(3*time.Hour + 123456788).In(west)},
		{ID: tokenID("a4"), Hash: hash("a4"), Username: "ann", Created: t0.Add(3*time.Hour + 123456790), Revoked: true},
		// Whole seconds beside fractions: RFC 3339 text of these does not
		// sort as time.
		{ID: tokenID("c1"), Hash: hash("c1"), Username: "carl", Created: t0.Add(4 * time.Hour)},
		{ID: tokenID("c2"), Hash: hash("c2"), Username: "carl", Created: t0.Add(4*time.Hour + 500*time.Millisecond)},
	}
	for _, tk := range tokens {
		mustCreateToken(t, st, tk)
	}
	newest := func(user string) []string {
		var ts []store.Token
		for _, tk := range tokens {
			if user == "" || tk.Username == user {
				ts = append(ts, tk)
			}
		}
		slices.SortFunc(ts, func(a, b store.Token) int { return b.Created.Compare(a.Created) })
		return tokenIDs(ts)
	}
	for _, user := range []string{"", "ann", "bob", "carl", "nobody"} {
		ts, err := st.ListTokens(ctx, user)
		if err != nil {
			t.Fatalf("ListTokens(%q) = %v", user, err)
		}
		if got, want := tokenIDs(ts), newest(user); !slices.Equal(got, want) {
			t.Errorf("ListTokens(%q) = %q, want %q (newest first)", user, got, want)
		}
		for _, tk := range ts {
			if user != "" && tk.Username != user {
				t.Errorf("ListTokens(%q) holds a token of %q", user, tk.Username)
			}
		}
	}
}

func testRevokeToken(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	mustCreateUsers(t, st, "ann")
	created := time.Date(2025, 2, 3, 4, 5, 6, 7, time.UTC)
	keep := store.Token{ID: tokenID("keep"), Hash: hash("keep"), Username: "ann", Name: "keep", Created: created}
	revoke := store.Token{ID: tokenID("revoke"), Hash: hash("revoke"), Username: "ann", Name: "revoke", Roles: []string{"unit"},
		Created: created, Expires: created.Add(time.Hour), LastUsed: created.Add(time.Minute)}
	mustCreateToken(t, st, keep)
	mustCreateToken(t, st, revoke)

	if err := st.RevokeToken(ctx, revoke.ID); err != nil {
		t.Fatalf("RevokeToken(%s) = %v", revoke.ID, err)
	}
	want := revoke
	want.Revoked = true
	if got := mustToken(t, st, revoke.Hash); !equalToken(got, want) {
		t.Errorf("TokenByHash after RevokeToken = %+v, want %+v", got, want)
	}
	if got := mustToken(t, st, keep.Hash); !equalToken(got, keep) {
		t.Errorf("TokenByHash of another token after RevokeToken = %+v, want it unchanged, %+v", got, keep)
	}
	ts, err := st.ListTokens(ctx, "ann")
	if err != nil {
		t.Fatalf("ListTokens(ann) = %v", err)
	}
	if i := slices.IndexFunc(ts, func(t store.Token) bool { return t.ID == revoke.ID }); i < 0 || !ts[i].Revoked {
		t.Errorf("ListTokens(ann) after RevokeToken(%s) = %+v, want it revoked", revoke.ID, ts)
	}
	// Revoking a revoked token leaves it revoked.
	if err := st.RevokeToken(ctx, revoke.ID); err != nil {
		t.Errorf("RevokeToken(%s) again = %v, want nil", revoke.ID, err)
	}
	if got := mustToken(t, st, revoke.Hash); !got.Revoked {
		t.Errorf("TokenByHash after a second RevokeToken = %+v, want it revoked", got)
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{tokenID("unknown"), "", keep.ID[:8], strings.ToUpper(keep.ID), keep.ID + "00"} {
			if err := st.RevokeToken(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("RevokeToken(%q) = %v, want ErrNotFound", id, err)
			}
		}
		if got := mustToken(t, st, keep.Hash); got.Revoked {
			t.Errorf("TokenByHash(keep) after refused revocations = %+v, want it not revoked", got)
		}
	})
}

func testTouchToken(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	st := open(t)
	mustCreateUsers(t, st, "ann")
	created := time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)
	used := store.Token{ID: tokenID("used"), Hash: hash("used"), Username: "ann", Name: "used", Roles: []string{"unit"}, Created: created, Expires: created.Add(24 * time.Hour)}
	idle := store.Token{ID: tokenID("idle"), Hash: hash("idle"), Username: "ann", Name: "idle", Created: created}
	mustCreateToken(t, st, used)
	mustCreateToken(t, st, idle)
	if got := mustToken(t, st, used.Hash); !got.LastUsed.IsZero() {
		t.Fatalf("TokenByHash of a token never used: LastUsed = %v, want the zero time", got.LastUsed)
	}
	for _, at := range []time.Time{
		created.Add(time.Minute + 123456789).In(east),
		created.Add(2 * time.Minute), // whole seconds after a fraction
		created.Add(2*time.Minute + 1).In(west),
	} {
		if err := st.TouchToken(ctx, used.ID, at); err != nil {
			t.Fatalf("TouchToken(%s, %v) = %v", used.ID, at, err)
		}
		want := used
		want.LastUsed = at
		if got := mustToken(t, st, used.Hash); !equalToken(got, want) {
			t.Errorf("TokenByHash after TouchToken(%v) = %+v, want %+v", at, got, want)
		}
	}
	if got := mustToken(t, st, idle.Hash); !equalToken(got, idle) {
		t.Errorf("TokenByHash of another token after TouchToken = %+v, want it unchanged, %+v", got, idle)
	}
}

// equalSession reports whether a and b are the same session, times the same
// instants.
func equalSession(a, b store.Session) bool {
	return bytes.Equal(a.Hash, b.Hash) && a.Username == b.Username && a.Created.Equal(b.Created) &&
		a.LastSeen.Equal(b.LastSeen) && a.Expires.Equal(b.Expires)
}

func testSessions(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	t0 := time.Date(2025, 2, 3, 4, 5, 6, 123456789, east)
	session := func(secret, user string) store.Session {
		return store.Session{Hash: hash(secret), Username: user, Created: t0, LastSeen: t0, Expires: t0.Add(12 * time.Hour).In(west)}
	}
	mustCreate := func(t *testing.T, st Store, s store.Session) {
		t.Helper()
		if err := st.CreateSession(ctx, s); err != nil {
			t.Fatalf("CreateSession(%x…, %s) = %v", s.Hash[:4], s.Username, err)
		}
	}
	// check fails unless each session is stored as given, and each hash of
	// gone is not found.
	check := func(t *testing.T, st Store, ss []store.Session, gone ...[]byte) {
		t.Helper()
		for _, want := range ss {
			got, err := st.SessionByHash(ctx, want.Hash)
			if err != nil || !equalSession(got, want) {
				t.Errorf("SessionByHash(%x…) = %+v, %v, want %+v", want.Hash[:4], got, err, want)
			}
		}
		for _, h := range gone {
			if got, err := st.SessionByHash(ctx, h); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SessionByHash(%x…) = %+v, %v, want ErrNotFound", h[:4], got, err)
			}
		}
	}
	setup := func(t *testing.T) (Store, []store.Session) {
		t.Helper()
		st := open(t)
		mustCreateUsers(t, st, "ann", "bob")
		ss := []store.Session{session("ann1", "ann"), session("ann2", "ann"), session("bob1", "bob")}
		ss[1].Created, ss[1].LastSeen = t0.Add(time.Second), t0.Add(time.Second+1)
		for _, s := range ss {
			mustCreate(t, st, s)
		}
		return st, ss
	}

	t.Run("OK", func(t *testing.T) {
		st, ss := setup(t)
		check(t, st, ss)
	})
	t.Run("Touch", func(t *testing.T) {
		st, ss := setup(t)
		for _, at := range []time.Time{t0.Add(time.Minute).In(time.UTC), t0.Add(time.Minute + 1), t0.Add(2 * time.Minute).In(west)} {
			if err := st.TouchSession(ctx, ss[0].Hash, at); err != nil {
				t.Fatalf("TouchSession(ann1, %v) = %v", at, err)
			}
			ss[0].LastSeen = at
			check(t, st, ss)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		st, ss := setup(t)
		if err := st.DeleteSession(ctx, ss[0].Hash); err != nil {
			t.Fatalf("DeleteSession(ann1) = %v", err)
		}
		check(t, st, ss[1:], ss[0].Hash)
		for _, h := range [][]byte{ss[0].Hash, hash("unknown")} {
			if err := st.DeleteSession(ctx, h); err != nil {
				t.Errorf("DeleteSession(%x…) of no session = %v, want nil", h[:4], err)
			}
		}
		check(t, st, ss[1:], ss[0].Hash)
	})
	t.Run("DeleteUserSessions", func(t *testing.T) {
		st, ss := setup(t)
		if err := st.DeleteUserSessions(ctx, "ann"); err != nil {
			t.Fatalf("DeleteUserSessions(ann) = %v", err)
		}
		check(t, st, ss[2:], ss[0].Hash, ss[1].Hash)
		for _, user := range []string{"ann", "nobody"} {
			if err := st.DeleteUserSessions(ctx, user); err != nil {
				t.Errorf("DeleteUserSessions(%s) with no sessions = %v, want nil", user, err)
			}
		}
		check(t, st, ss[2:])
		// The user may sign in again.
		again := session("ann3", "ann")
		mustCreate(t, st, again)
		check(t, st, []store.Session{again, ss[2]})
	})
	t.Run("ErrConflict", func(t *testing.T) {
		st, ss := setup(t)
		dup := session("ann1", "bob")
		dup.Created = t0.Add(time.Hour)
		if err := st.CreateSession(ctx, dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateSession of a hash already stored = %v, want ErrConflict", err)
		}
		// A session of no user: the foreign key refuses it.
		orphan := session("orphan", "nobody")
		if err := st.CreateSession(ctx, orphan); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateSession for an unknown user = %v, want ErrConflict", err)
		}
		check(t, st, ss, orphan.Hash)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		st, ss := setup(t)
		check(t, st, nil, hash("unknown"), ss[0].Hash[:16], append(slices.Clone(ss[0].Hash), 0))
	})
}
