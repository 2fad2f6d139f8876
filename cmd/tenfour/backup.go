package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store/sqlite"
	"golang.org/x/mod/sumdb/note"
)

// backupMeta is what a backup file says it holds, kept in the copy's own
// settings (meta "backup") and, after a restore, in DATA/restored.json.
type backupMeta struct {
	Format     string    `json:"format"`
	Made       time.Time `json:"made"`
	Node       string    `json:"node,omitempty"` // the node of the data directory backed up
	Key        string    `json:"key"`            // the verifier key of the log
	Size       int64     `json:"size"`           // events in the copy
	Root       string    `json:"root"`           // the RFC 6962 root of those events
	Checkpoint string    `json:"checkpoint"`     // the newest signed checkpoint in the copy
	// Restored is when the copy was restored, and RestoredAs the new
	// node's id (restored.json only).
	Restored   time.Time `json:"restored,omitzero"`
	RestoredAs string    `json:"restored_as,omitempty"`
}

// backupFormat names this layout of a backup: a SQLite database made by
// VACUUM INTO, with backupMeta under the setting "backup".
const backupFormat = "tenfour-backup/1"

// restoredFile marks a data directory restored from a backup; serve holds
// the node read-only while it is there (Main.guard).
const restoredFile = "restored.json"

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlags("backup", `tenfour backup — write a verified copy of a node's SQLite database, while it serves.

The copy is consistent (SQLite's VACUUM INTO, one read transaction), then
opened and verified as "tenfour verify" does: every event against the Merkle
tree, the newest checkpoint's signature by the log's key and its root. The
file records what it holds (events, root, checkpoint); stdout says so. It
holds no signing key: keep log.key apart, secretly. For PostgreSQL, see
docs/operations.md (pg_dump, base backups).`, stderr)
	data := flags.String("data", "tenfour-data", "the node's data `directory`")
	out := flags.String("out", "", "the backup `file` to write (must not exist)")
	keyFile := flags.String("key", "", "signing key `file` (default DATA/log.key): the copy must verify against it")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *out == "" || flags.NArg() > 0 {
		flags.Usage()
		return errors.New("backup takes --data DIR --out FILE and no arguments")
	}
	key, err := readSigningKey(*keyFile, *data)
	if err != nil {
		return err
	}
	node := ""
	if id, err := os.ReadFile(filepath.Join(*data, "node-id")); err == nil {
		node = string(trimNL(id))
	}
	meta, err := backup(ctx, filepath.Join(*data, "tenfour.db"), *out, key.Text, node)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %d events to %s, verified: root %s, checkpoint %s @ %d, signed by %s\n",
		meta.Size, *out, meta.Root, key.Verifier.Name(), checkpointSize(meta), key.Text)
	if after := meta.Size - checkpointSize(meta); after > 0 {
		// Signed next by the node, within --checkpoint-interval.
		fmt.Fprintf(stdout, "the last %d events are not yet under a checkpoint: checked by their hashes only\n", after)
	}
	return nil
}

// backup copies the database at db to out, verifies the copy against the
// verifier key vkey, and records in it what it holds. A copy that does not
// verify is removed.
func backup(ctx context.Context, db, out, vkey, node string) (meta backupMeta, err error) {
	if err := sqlite.Backup(ctx, db, out); err != nil {
		return meta, err
	}
	defer func() {
		if err != nil {
			os.Remove(out)
		}
	}()
	st, err := sqlite.Open(ctx, out)
	if err != nil {
		return meta, fmt.Errorf("open the copy: %w", err)
	}
	defer st.Close()
	rep, err := ledger.VerifyStore(ctx, st, vkey)
	if err != nil {
		return meta, fmt.Errorf("the copy %s does not verify, removed: %w", out, err)
	}
	meta = backupMeta{Format: backupFormat, Made: time.Now().UTC(), Node: node, Key: vkey, Size: rep.Size,
		Root: rep.Root.String(), Checkpoint: string(rep.Note)}
	b, err := json.Marshal(meta)
	if err != nil {
		return meta, err
	}
	if err := st.SetMeta(ctx, "backup", string(b)); err != nil {
		return meta, fmt.Errorf("record what the copy holds: %w", err)
	}
	return meta, nil
}

// verifyBackup checks a backup file against the verifier key vkey and
// returns what it records, checked against what it holds.
func verifyBackup(ctx context.Context, path, vkey string) (backupMeta, error) {
	var meta backupMeta
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return meta, fmt.Errorf("open backup %s: %w", path, err)
	}
	defer st.Close()
	raw, err := st.Meta(ctx, "backup")
	if err != nil {
		return meta, fmt.Errorf("backup %s: not a tenfour backup (no record of what it holds): %w", path, err)
	}
	if err := json.Unmarshal([]byte(raw), &meta); err != nil || meta.Format != backupFormat {
		return meta, fmt.Errorf("backup %s: unreadable record of what it holds (format %q)", path, meta.Format)
	}
	rep, err := ledger.VerifyStore(ctx, st, vkey)
	if err != nil {
		return meta, fmt.Errorf("backup %s does not verify: %w", path, err)
	}
	if rep.Size != meta.Size || rep.Root.String() != meta.Root || string(rep.Note) != meta.Checkpoint {
		return meta, fmt.Errorf("backup %s holds %d events (root %s), not the %d (root %s) it records", path, rep.Size, rep.Root, meta.Size, meta.Root)
	}
	return meta, nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlags("restore", `tenfour restore — put a backup into a data directory, verified first.

The backup is verified against the log's key before anything is written. The
restored directory gets a new node identity, the lease that came with the
copy is cleared, and it is marked restored: "tenfour serve" on it is
read-only until it is shown the original's newest checkpoint
(--checkpoint-from) and its log is not shorter, or an operator accepts the
rollback (--accept-rollback --reason). See docs/operations.md.`, stderr)
	in := flags.String("in", "", "the backup `file`")
	data := flags.String("data", "tenfour-data", "the data `directory` to restore into")
	keyFile := flags.String("key", "", "signing key `file`, copied into DATA (default: DATA/log.key, which must then exist)")
	force := flags.Bool("force", false, "restore into a directory that is not empty (replacing its database)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *in == "" || flags.NArg() > 0 {
		flags.Usage()
		return errors.New("restore takes --in FILE --data DIR and no arguments")
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	entries, err := os.ReadDir(*data)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	for _, e := range entries {
		// The lock file is the directory's own, left by any tenfour.
		if e.Name() != "lock" && !*force {
			return fmt.Errorf("data directory %s is not empty (%s): restore into an empty one, or pass --force to replace its database", *data, e.Name())
		}
	}
	key, err := readSigningKey(*keyFile, *data)
	if err != nil {
		return fmt.Errorf("%w (pass --key with the log.key kept apart from the backup)", err)
	}
	lock, err := lockDir(*data)
	if err != nil {
		return err
	}
	defer lock.Close()
	// Verify a copy inside the directory, so that the final rename is
	// atomic and a backup that fails leaves the directory as it was.
	tmp := filepath.Join(*data, "tenfour.db.restoring")
	os.Remove(tmp)
	if err := copyFile(*in, tmp); err != nil {
		return err
	}
	meta, err := verifyBackup(ctx, tmp, key.Text)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("refusing to restore: %w", err)
	}
	st, err := sqlite.Open(ctx, tmp)
	if err != nil {
		os.Remove(tmp)
		return err
	}
	err = st.ForgetLease(ctx)
	if err = errors.Join(err, st.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	db := filepath.Join(*data, "tenfour.db")
	for _, f := range []string{db + "-wal", db + "-shm", tmp + "-wal", tmp + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp, db); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if *keyFile != "" {
		dst := filepath.Join(*data, "log.key")
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if err := writeSecret(dst, string(b)); err != nil {
			return err
		}
	}
	// A new node: it must be neither the original's follower nor its
	// rival under the same id.
	if err := os.Remove(filepath.Join(*data, "node-id")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore: %w", err)
	}
	if meta.RestoredAs, err = nodeID(*data); err != nil {
		return err
	}
	meta.Restored = time.Now().UTC()
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	os.Remove(filepath.Join(*data, restoredFile))
	if err := writeSecret(filepath.Join(*data, restoredFile), string(b)+"\n"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %d events (root %s, checkpoint @ %d) into %s as node %s; it starts read-only: see docs/operations.md\n",
		meta.Size, meta.Root, checkpointSize(meta), *data, meta.RestoredAs)
	return nil
}

// readSigningKey reads the signing key from file, or from DATA/log.key.
func readSigningKey(file, data string) (*ledger.Key, error) {
	if file == "" {
		file = filepath.Join(data, "log.key")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("signing key (--key): %w", err)
	}
	k, err := ledger.ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", file, err)
	}
	return k, nil
}

// copyFile copies src to a new file dst, only its owner's, durably.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, sqlite.FileMode)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("restore: copy %s: %w", src, err)
	}
	if err := errors.Join(out.Sync(), out.Close()); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// checkpointSize is the size of the checkpoint a backup records.
func checkpointSize(m backupMeta) int64 {
	if m.Checkpoint == "" {
		return 0
	}
	v, err := note.NewVerifier(m.Key)
	if err != nil {
		return 0
	}
	cp, err := ledger.OpenCheckpoint([]byte(m.Checkpoint), v)
	if err != nil {
		return 0
	}
	return cp.Size
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
