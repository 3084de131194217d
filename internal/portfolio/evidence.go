package portfolio

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// File is one evidence file, without its content.
type File struct {
	ID          int64
	EntryID     int64
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	CreatedAt   time.Time
}

// fileKind is a type of evidence file Pillars accepts, recognised by its content.
type fileKind struct {
	name        string   // for messages: "a PDF"
	contentType string   // stored and sent
	extensions  []string // names it may carry
}

var fileKinds = map[string]fileKind{
	"pdf":  {"a PDF", "application/pdf", []string{".pdf"}},
	"png":  {"a PNG image", "image/png", []string{".png"}},
	"jpeg": {"a JPEG image", "image/jpeg", []string{".jpg", ".jpeg"}},
	"gif":  {"a GIF image", "image/gif", []string{".gif"}},
	"webp": {"a WebP image", "image/webp", []string{".webp"}},
	"docx": {"a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}},
	"xlsx": {"an Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}},
	"pptx": {"a PowerPoint presentation", "application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{".pptx"}},
	"odt":  {"an OpenDocument text", "application/vnd.oasis.opendocument.text", []string{".odt"}},
	"ods":  {"an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", []string{".ods"}},
	"odp":  {"an OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", []string{".odp"}},
	"ole":  {"an older Office document", "application/x-ole-storage", []string{".doc", ".xls", ".ppt"}},
}

// AcceptedExtensions lists the file names evidence may have, for the form's hint.
const AcceptedExtensions = ".pdf, .png, .jpg, .gif, .webp, .docx, .xlsx, .pptx, .odt, .ods, .odp, .doc, .xls, .ppt"

// sniff recognises a file by its content, never its name. It returns "" for anything else.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "ole"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return sniffZip(b)
	}
	return ""
}

// sniffZip tells Office Open XML and OpenDocument files apart by the names inside. It reads only
// the archive's directory (and OpenDocument's tiny mimetype entry), never decompresses the rest,
// so a zip bomb costs nothing.
func sniffZip(b []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return ""
	}
	names := map[string]*zip.File{}
	for _, f := range zr.File {
		names[f.Name] = f
	}
	if names["[Content_Types].xml"] != nil {
		switch {
		case names["word/document.xml"] != nil:
			return "docx"
		case names["xl/workbook.xml"] != nil:
			return "xlsx"
		case names["ppt/presentation.xml"] != nil:
			return "pptx"
		}
	}
	if f := names["mimetype"]; f != nil && f.UncompressedSize64 < 100 {
		rc, err := f.Open()
		if err != nil {
			return ""
		}
		defer rc.Close()
		m, _ := io.ReadAll(io.LimitReader(rc, 100))
		switch string(m) {
		case "application/vnd.oasis.opendocument.text":
			return "odt"
		case "application/vnd.oasis.opendocument.spreadsheet":
			return "ods"
		case "application/vnd.oasis.opendocument.presentation":
			return "odp"
		}
	}
	return ""
}

// CleanFilename keeps a file's base name, without folders or control characters, so a name can
// never leave its folder in an export.
func CleanFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == ':' || r == '"' || r == '<' || r == '>' || r == '|' || r == '?' || r == '*' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.Trim(name, "."))
	if r := []rune(name); len(r) > 150 {
		ext := path.Ext(name)
		// An "extension" that is most of the name (e.g. "a." and 300 letters) is not one to keep:
		// cutting before it would slice past the start and panic on a crafted upload name.
		if len([]rune(ext)) > 20 {
			ext = ""
		}
		name = string(r[:150-len([]rune(ext))]) + ext
	}
	if name == "" {
		name = "evidence"
	}
	return name
}

// CheckFile checks an uploaded file's size and that its content is what its name says. It
// returns the content type to store.
func CheckFile(filename string, data []byte) (string, valid.Errors) {
	var errs valid.Errors
	shown := CleanFilename(filename)
	if len(data) == 0 {
		errs.Add("evidence", fmt.Sprintf("%q is empty: choose the file again", shown))
		return "", errs
	}
	if len(data) > MaxFileBytes {
		errs.Add("evidence", fmt.Sprintf("%q is %s: each file must be %s or smaller. Save a smaller copy, for example a PDF of the pages that matter", shown, SizeLabel(int64(len(data))), SizeLabel(MaxFileBytes)))
		return "", errs
	}
	ext := strings.ToLower(path.Ext(shown))
	kind := sniff(data)
	k, known := fileKinds[kind]
	claimed := ""
	for key, fk := range fileKinds {
		for _, e := range fk.extensions {
			if e == ext {
				claimed = key
			}
		}
	}
	switch {
	case claimed == "":
		errs.Add("evidence", fmt.Sprintf("%q is not a type Pillars keeps as evidence: use a PDF, an image or an office document (%s)", shown, AcceptedExtensions))
	case !known:
		errs.Add("evidence", fmt.Sprintf("%q is named as %s but its content is not: check you chose the right file, or save it again from the program that made it", shown, fileKinds[claimed].name))
	case claimed != kind:
		errs.Add("evidence", fmt.Sprintf("%q is named as %s but its content is %s: rename it or choose the right file", shown, fileKinds[claimed].name, k.name))
	}
	if errs.Any() {
		return "", errs
	}
	return k.contentType, nil
}

// SizeLabel shows a size for people: "812 KB", "8 MB".
func SizeLabel(n int64) string {
	switch {
	case n >= 1<<20:
		// Tenths of a MB rounded up, as KB are, so a file just over the 8 MB limit reads
		// "8.1 MB" rather than "8.0 MB" beside "must be 8 MB or smaller"; whole MB without ".0",
		// as documented above.
		tenths := (n*10 + 1<<20 - 1) >> 20
		if tenths%10 == 0 {
			return fmt.Sprintf("%d MB", tenths/10)
		}
		return fmt.Sprintf("%d.%d MB", tenths/10, tenths%10)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+(1<<10)-1)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// AddFile attaches a checked evidence file to one of the owner's entries, within the per-person
// limit. A rejected file changes nothing.
func (s *Service) AddFile(ctx context.Context, ownerID, entryID int64, filename string, data []byte) (*File, error) {
	contentType, errs := CheckFile(filename, data)
	if errs.Any() {
		return nil, errs
	}
	sum := sha256.Sum256(data)
	f := File{EntryID: entryID, Filename: CleanFilename(filename), ContentType: contentType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.now()}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// Lock the person's row on PostgreSQL so two uploads at once cannot both pass the limit
		// (SQLite has one writer, so the check and insert are already serialised).
		if tx.Dialect() == store.Postgres {
			if _, err := tx.Exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, ownerID); err != nil {
				return err
			}
		}
		var owned int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM cpd_entries WHERE id = ? AND user_id = ?`, entryID, ownerID).Scan(&owned); err != nil {
			return err
		}
		if owned == 0 {
			return ErrNotFound
		}
		var used int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(size), 0) FROM cpd_evidence WHERE user_id = ?`, ownerID).Scan(&used); err != nil {
			return err
		}
		if used+f.Size > MaxPersonBytes {
			var errs valid.Errors
			errs.Add("evidence", fmt.Sprintf("Your evidence would use %s, over your limit of %s: remove files you no longer need, or save smaller copies", SizeLabel(used+f.Size), SizeLabel(MaxPersonBytes)))
			return errs
		}
		id, err := tx.Insert(ctx, `INSERT INTO cpd_evidence (entry_id, user_id, filename, content_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			entryID, ownerID, f.Filename, f.ContentType, f.Size, f.SHA256, data, f.CreatedAt)
		f.ID = id
		return err
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// files lists an entry's evidence.
func (s *Service) files(ctx context.Context, ownerID, entryID int64) ([]File, error) {
	rows, err := s.db.Query(ctx, `SELECT id, entry_id, filename, content_type, size, sha256, created_at FROM cpd_evidence WHERE entry_id = ? AND user_id = ? ORDER BY id`, entryID, ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.ID, &f.EntryID, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, &f.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FileData returns one of the owner's evidence files with its content.
func (s *Service) FileData(ctx context.Context, ownerID, fileID int64) (*File, []byte, error) {
	var f File
	var data []byte
	err := s.db.QueryRow(ctx, `SELECT id, entry_id, filename, content_type, size, sha256, created_at, data FROM cpd_evidence WHERE id = ? AND user_id = ?`, fileID, ownerID).
		Scan(&f.ID, &f.EntryID, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, &f.CreatedAt, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("portfolio: read file %d: %w", fileID, err)
	}
	return &f, data, nil
}

// RemoveFile deletes one of the owner's evidence files, and any audit-pack export that may hold
// a copy of it.
func (s *Service) RemoveFile(ctx context.Context, ownerID, fileID int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM cpd_evidence WHERE id = ? AND user_id = ?`, fileID, ownerID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return dropExports(ctx, tx, ownerID)
	})
}

// StorageUsed is how much evidence the person keeps, in bytes.
func (s *Service) StorageUsed(ctx context.Context, ownerID int64) (int64, error) {
	var used int64
	err := s.db.QueryRow(ctx, `SELECT COALESCE(SUM(size), 0) FROM cpd_evidence WHERE user_id = ?`, ownerID).Scan(&used)
	return used, err
}
