package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the LISTEN/NOTIFY channel on which every Append, at its
// commit, announces the log's new size.
const notifyChannel = "tenfour_log"

// Backoff between attempts to listen again after the connection broke, and
// the time one attempt may take.
const (
	minBackoff    = 100 * time.Millisecond
	maxBackoff    = 5 * time.Second
	listenTimeout = 5 * time.Second
)

// Changes returns a channel that receives a value whenever a transaction,
// on any connection to the database, appended to the log: a node learns of
// another's appends this way. Values are coalesced (the channel holds one),
// and a value may come without an append, after the connection was lost and
// made again, since an append may have been missed meanwhile. The channel is
// closed when ctx is done or the DB is closed.
//
// When Changes returns, the subscription is in place (LISTEN has run) so an
// append that commits after it is signalled; if the database could not be
// reached within a few seconds, the first value comes once it has been.
func (db *DB) Changes(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		close(ch)
		return ch
	}
	db.listeners.Add(1)
	db.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(db.closing, cancel)
	conn, _ := db.listen(ctx) // on error, follow tries again
	go func() {
		defer db.listeners.Done()
		defer close(ch)
		defer stop()
		defer cancel()
		db.follow(ctx, conn, ch)
	}()
	return ch
}

// listen takes a connection out of the pool for good and listens on it. It
// must not go back to the pool: it would go on gathering notifications that
// nobody reads.
func (db *DB) listen(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, listenTimeout)
	defer cancel()
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	conn := pc.Hijack()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		closeConn(conn)
		return nil, fmt.Errorf("listen: %w", err)
	}
	return conn, nil
}

// follow signals ch at every notification on conn until ctx is done. When
// conn is nil or breaks, it listens again on a new one, waiting longer after
// each failure, and signals once it does.
func (db *DB) follow(ctx context.Context, conn *pgx.Conn, ch chan<- struct{}) {
	defer func() {
		if conn != nil {
			closeConn(conn)
		}
	}()
	backoff := minBackoff
	for {
		if conn == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
			c, err := db.listen(ctx)
			if err != nil {
				continue
			}
			conn = c
			signal(ch)
		}
		if _, err := conn.WaitForNotification(ctx); err != nil {
			closeConn(conn)
			conn = nil
			if ctx.Err() != nil {
				return
			}
			continue
		}
		backoff = minBackoff
		signal(ch)
	}
}

// signal sends on ch unless a signal is waiting there already.
func signal(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn.Close(ctx)
}
