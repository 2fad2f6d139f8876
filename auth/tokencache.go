package auth

import (
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// maxCachedTokens bounds the token cache; past it the cache starts over,
// which costs one store lookup per token.
const maxCachedTokens = 10000

// A tokenCache remembers, for Policy.TokenCache, the tokens a node has
// checked against the store and their users, so that a busy client's
// every request does not cost two database reads. Its zero value is empty
// and ready.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken // by token hash
}

type cachedToken struct {
	t     store.Token
	u     store.User
	until time.Time
}

func (c *tokenCache) get(hash string, now time.Time) (store.Token, store.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !now.Before(e.until) {
		return store.Token{}, store.User{}, false
	}
	return e.t, e.u, true
}

func (c *tokenCache) put(hash string, t store.Token, u store.User, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = make(map[string]cachedToken)
	}
	c.m[hash] = cachedToken{t: t, u: u, until: until}
}

// touched records that the token's use was written to the store at now.
func (c *tokenCache) touched(hash string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[hash]; ok {
		e.t.LastUsed = now
		c.m[hash] = e
	}
}

// forget empties the cache: a user or token changed on this node.
func (c *tokenCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}
