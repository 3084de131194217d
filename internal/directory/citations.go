package directory

import (
	"context"
	"fmt"
	"io"

	"github.com/pillars-ot/pillars/internal/citation"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// MaxExport bounds one export: a reading list, not a copy of the whole database.
const MaxExport = 2000

// resources lists the published resources matching a filter (its group is ignored), by title.
func (s *Service) resources(ctx context.Context, f Filter) ([]citation.Reference, error) {
	f.Group = GroupResources
	if errs := CheckFilter(&f); errs.Any() {
		return nil, errs
	}
	from, cond, args, _, _ := s.where(f)
	var entries []*Entry
	if err := s.list(ctx, &entries, `SELECT `+entryCols+` FROM `+from+` WHERE `+cond+` ORDER BY d.title, d.id LIMIT ?`, append(args, MaxExport)...); err != nil {
		return nil, err
	}
	refs := make([]citation.Reference, 0, len(entries))
	for _, e := range entries {
		refs = append(refs, e.Reference())
	}
	return refs, nil
}

// Reference is the entry as a citation.
func (e *Entry) Reference() citation.Reference {
	kind := e.Kind
	if !validCitationKind(kind) {
		kind = "other"
	}
	r := citation.Reference{Kind: kind, Authors: e.Authors, Year: e.Year, Title: e.Title, Journal: e.Journal, Volume: e.Volume,
		Issue: e.Issue, Pages: e.Pages, Publisher: e.Publisher, DOI: e.DOI, URL: e.URL, Annotation: e.Annotation, Key: e.Key}
	if n, errs := citation.Normalise(r); !errs.Any() {
		return n
	}
	return r
}

func validCitationKind(k string) bool {
	for _, c := range citation.Kinds {
		if c == k {
			return true
		}
	}
	return false
}

// ExportBibTeX writes the published resources matching the filter as BibTeX.
func (s *Service) ExportBibTeX(ctx context.Context, w io.Writer, f Filter) error {
	refs, err := s.resources(ctx, f)
	if err != nil {
		return err
	}
	return citation.WriteBibTeX(w, refs)
}

// ExportRIS writes the published resources matching the filter as RIS.
func (s *Service) ExportRIS(ctx context.Context, w io.Writer, f Filter) error {
	refs, err := s.resources(ctx, f)
	if err != nil {
		return err
	}
	return citation.WriteRIS(w, refs)
}

// Imported says what an import did.
type Imported struct {
	Added      int
	Duplicates []string // titles already listed (the same DOI or URL), which were skipped
}

// ImportCitations adds references as published resources, all or nothing. A reference whose DOI
// or URL is already listed is skipped and named in the result rather than added twice.
func (s *Service) ImportCitations(ctx context.Context, moderatorID int64, refs []citation.Reference) (*Imported, error) {
	if len(refs) == 0 {
		return nil, valid.Errors{{Field: "file", Message: "The file has no references in it"}}
	}
	var entries []*Entry
	var errs valid.Errors
	for i, r := range refs {
		n, problems := citation.Normalise(r)
		for _, p := range problems {
			errs.Add("file", fmt.Sprintf("Reference %d: %s", i+1, p.Message))
		}
		kind := n.Kind
		switch kind {
		case "article", "web", "book", "report":
		default:
			kind = "report"
		}
		provider := n.Journal
		if provider == "" {
			provider = n.Publisher
		}
		entries = append(entries, &Entry{Kind: kind, Group: GroupResources, Provider: provider, Title: n.Title, Summary: n.Annotation,
			Annotation: n.Annotation, Authors: n.Authors, Year: n.Year, Journal: n.Journal, Volume: n.Volume, Issue: n.Issue, Pages: n.Pages,
			Publisher: n.Publisher, DOI: n.DOI, URL: n.URL, Status: StatusPublished})
	}
	if errs.Any() {
		return nil, errs
	}
	res := &Imported{}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		seen := map[string]bool{}
		for _, e := range entries {
			e.Identity = identityOf(e)
			if e.Identity != "" {
				dup, err := s.duplicateOf(ctx, tx, e.Identity, 0)
				if err != nil {
					return err
				}
				if dup != nil || seen[e.Identity] {
					res.Duplicates = append(res.Duplicates, e.Title)
					continue
				}
				seen[e.Identity] = true
			}
			if err := s.insert(ctx, tx, e); err != nil {
				return err
			}
			if moderatorID != 0 {
				if _, err := tx.Exec(ctx, `UPDATE directory_items SET moderated_by = ? WHERE id = ?`, moderatorID, e.ID); err != nil {
					return err
				}
			}
			res.Added++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func identityOf(e *Entry) string {
	return citation.Identity(citation.Reference{DOI: e.DOI, URL: e.URL})
}
