package stories

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Filter narrows the published stories. Every field is optional.
type Filter struct {
	Level   int    // 1-9; -1 when something other than a number was asked for
	Setting string // a Settings key
	Query   string // words to find
	Page    int    // from 1
}

// FilterFrom reads a filter from the browse page's query string (its address is shareable).
func FilterFrom(q url.Values) Filter {
	f := Filter{Setting: strings.TrimSpace(q.Get("setting")), Query: q.Get("q")}
	if lv := strings.TrimSpace(q.Get("level")); lv != "" {
		if n, err := strconv.Atoi(lv); err == nil {
			f.Level = n
		} else {
			f.Level = -1
		}
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	return f
}

// Values is the filter as query parameters, for links that keep it (other pages).
func (f Filter) Values() url.Values {
	v := url.Values{}
	if f.Level > 0 {
		v.Set("level", strconv.Itoa(f.Level))
	}
	if f.Setting != "" {
		v.Set("setting", f.Setting)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		v.Set("q", q)
	}
	return v
}

// CheckFilter tidies a filter and says, field by field, what cannot be searched for.
func CheckFilter(f *Filter) valid.Errors {
	var errs valid.Errors
	f.Query = strings.TrimSpace(f.Query)
	if utf8.RuneCountInString(f.Query) > 200 {
		errs.Add("q", "Search for 200 characters or fewer")
	}
	if f.Level != 0 && (f.Level < 1 || f.Level > Levels) {
		errs.Add("level", "Choose a career level from 1 to 9")
	}
	if f.Setting != "" && SettingLabel(f.Setting) == "" {
		errs.Add("setting", "Choose NHS, social care, independent practice or education")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	return errs
}

// Results is one page of stories.
type Results struct {
	Stories []*Story
	Total   int
	Page    int
	Pages   int
}

// Search lists published stories matching the filter, 25 a page: by relevance when there are
// words to find, otherwise newest first.
func (s *Service) Search(ctx context.Context, f Filter) (*Results, error) {
	if errs := CheckFilter(&f); errs.Any() {
		return nil, errs
	}
	from := storyFrom
	where := []string{"s.status = 'published'"}
	var args, orderArgs []any
	order := "s.published_at DESC, s.id DESC"
	if words := store.SearchTerms(f.Query); len(words) > 0 {
		if s.db.Dialect == store.SQLite {
			// CROSS JOIN: run the full-text query once and look stories up by id (see portfolio).
			from = "career_story_search CROSS JOIN career_stories s ON s.id = career_story_search.rowid LEFT JOIN career_story_attachments a ON a.story_id = s.id"
			where = append(where, "career_story_search MATCH ?")
			args = append(args, store.FTS5Match(words))
			order = "bm25(career_story_search, 3.0, 1.0), s.id DESC"
		} else {
			tsquery := store.TSQuery(words)
			where = append(where, "s.search @@ to_tsquery('english', ?)")
			args = append(args, tsquery)
			order = "ts_rank(s.search, to_tsquery('english', ?)) DESC, s.id DESC"
			orderArgs = []any{tsquery}
		}
	}
	if f.Level > 0 {
		where, args = append(where, "s.level = ?"), append(args, f.Level)
	}
	if f.Setting != "" {
		where, args = append(where, "s.setting = ?"), append(args, f.Setting)
	}
	cond := strings.Join(where, " AND ")
	res := &Results{Page: f.Page}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM `+from+` WHERE `+cond, args...).Scan(&res.Total); err != nil {
		return nil, fmt.Errorf("stories: count: %w", err)
	}
	res.Pages = max(1, (res.Total+PageSize-1)/PageSize)
	if res.Total == 0 || (f.Page-1)*PageSize >= res.Total {
		return res, nil
	}
	pageArgs := append(append(append([]any{}, args...), orderArgs...), PageSize, (f.Page-1)*PageSize)
	var err error
	res.Stories, err = s.list(ctx, `SELECT `+storyCols+` FROM `+from+` WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`, pageArgs...)
	return res, err
}

// AtLevel returns up to n published stories at a career level, newest first, in one query.
func (s *Service) AtLevel(ctx context.Context, level, n int) ([]*Story, error) {
	return s.list(ctx, `SELECT `+storyCols+` FROM `+storyFrom+` WHERE s.status = 'published' AND s.level = ? ORDER BY s.published_at DESC, s.id DESC LIMIT ?`, level, n)
}
