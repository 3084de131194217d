package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/stories"
	"github.com/pillars-ot/pillars/internal/valid"
)

// The level-to-level comparison: a practitioner's level's targets beside the next level's, with
// where they stand, stories from people at the next level and programmes that develop what
// rises. The work is bounded: the person's gaps (which read both levels' targets) or two target
// look-ups, one query for stories, and a directory search for each of the few elements that
// rise most.

const (
	careerElements       = 3 // rising elements to search the directory for
	careerMaxProgrammes  = 8 // programmes shown
	careerStoriesToShow  = 4
	careerDefaultFromKey = assess.DefaultFramework
)

type bridgeProgramme struct {
	Entry    *directory.Entry
	Develops []string // the rising elements it develops, as titles
}

type careerData struct {
	Frameworks   []framework.Summary
	FrameworkKey string
	From, To     int
	Levels       []levelOption // choices for "from": 1 to 8
	ToLevels     []levelOption // choices for "to": 2 to 9
	LevelNames   map[int]string
	Ask          bool // no level recorded or chosen: ask for one
	Comparison   *stories.Comparison
	Source       string // where the person's ratings come from, when they have some
	Stories      []*stories.Story
	Programmes   []bridgeProgramme
	Rising       int
}

func (s *Server) career(w http.ResponseWriter, r *http.Request) {
	if shortenQuery(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	q := r.URL.Query()
	fws, _, err := s.assessable(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := &careerData{Frameworks: fws, FrameworkKey: strings.TrimSpace(q.Get("framework"))}
	if d.FrameworkKey == "" {
		d.FrameworkKey = careerDefaultFromKey
	}
	var errs valid.Errors
	known := false
	for _, f := range fws {
		known = known || f.Key == d.FrameworkKey
	}
	if !known {
		errs.Add("framework", "Choose a framework from the list")
	}
	d.From = u.CareerLevel
	if v := strings.TrimSpace(q.Get("from")); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1 || n > stories.Levels:
			errs.Add("from", "Choose your career level from 1 to 8")
		case n == stories.Levels:
			errs.Add("from", "Level 9 is the top level: choose a lower level to compare with the one above it")
		default:
			d.From = n
		}
	} else if d.From == stories.Levels {
		d.From = stories.Levels - 1 // at the top level, the nearest comparison is 8 to 9
	}
	if d.From > 0 {
		d.To = d.From + 1
	}
	if v := strings.TrimSpace(q.Get("to")); v != "" && errs.For("from") == "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= d.From || n > stories.Levels {
			errs.Add("to", "Choose a level above the one you compare from, up to level 9")
		} else {
			d.To = n
		}
	}
	d.LevelNames = s.careerLevelNames(r)
	all := levelChoices(d.LevelNames, 0)
	d.Levels, d.ToLevels = all[:stories.Levels-1], all[1:]
	form := url.Values{"framework": {d.FrameworkKey}}
	title := "Compare career levels"
	switch {
	case errs.Any():
		for _, k := range []string{"from", "to"} {
			form.Set(k, q.Get(k))
		}
		s.render(w, r, http.StatusUnprocessableEntity, "career", view{Title: title, Errors: errs, Form: form, Data: d})
		return
	case d.From == 0:
		// No level recorded and none chosen: ask, rather than guess or fail.
		d.Ask = true
		s.render(w, r, http.StatusOK, "career", view{Title: title, Form: form, Data: d})
		return
	}
	form.Set("from", strconv.Itoa(d.From))
	// "to" stays "The next level" unless it was chosen, so changing "from" alone moves both.
	form.Set("to", strings.TrimSpace(q.Get("to")))
	if !s.compareLevels(w, r, u, d) {
		return
	}
	s.render(w, r, http.StatusOK, "career", view{Title: title, Form: form, Data: d})
}

// compareLevels fills in the comparison, the stories and the programmes. It answers the request
// itself, and returns false, when something fails.
func (s *Server) compareLevels(w http.ResponseWriter, r *http.Request, u *auth.User, d *careerData) bool {
	ctx := r.Context()
	f, _, err := s.frameworks.Get(ctx, d.FrameworkKey, "")
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	// The person's standing comes from their gaps, read as if they were at the level compared
	// from (their own by default), which also reads both levels' targets when they are next
	// to each other.
	var from, to map[string]int
	var current map[string]float64
	at := *u
	at.CareerLevel = d.From
	g, err := s.assess.Gaps(ctx, &at, d.FrameworkKey)
	switch {
	case err == nil:
		f = g.Framework
		d.Source = g.Source
		from, current = map[string]int{}, map[string]float64{}
		if d.To == g.NextLevel {
			to = map[string]int{}
		}
		for _, row := range g.Rows {
			from[row.Element.Key] = row.Target
			if to != nil {
				to[row.Element.Key] = row.NextTarget
			}
			if row.HasCurrent {
				current[row.Element.Key] = row.Current
			}
		}
	case errors.Is(err, assess.ErrNotFound), errors.Is(err, framework.ErrNotFound):
		// No self-assessment yet: the targets alone.
	default:
		s.serverError(w, r, err)
		return false
	}
	if from == nil {
		if from, err = s.assess.Targets(ctx, d.FrameworkKey, d.From); err != nil {
			s.serverError(w, r, err)
			return false
		}
	}
	if to == nil {
		if to, err = s.assess.Targets(ctx, d.FrameworkKey, d.To); err != nil {
			s.serverError(w, r, err)
			return false
		}
	}
	d.Comparison = stories.Compare(f, d.From, d.To, from, to, current)
	d.Rising = len(d.Comparison.Rising(0))
	if d.Stories, err = s.stories.AtLevel(ctx, d.To, careerStoriesToShow); err != nil {
		s.serverError(w, r, err)
		return false
	}
	if d.Programmes, err = s.bridgingProgrammes(r, d); err != nil {
		s.serverError(w, r, err)
		return false
	}
	return true
}

// bridgingProgrammes finds programmes and courses that suit the level compared to and develop
// the elements that rise most: one directory search (its first page) for each of the few
// elements rising most. Those developing more of the rising elements come first, then those
// that suit both levels (they bridge the step), then the order the searches found them.
func (s *Server) bridgingProgrammes(r *http.Request, d *careerData) ([]bridgeProgramme, error) {
	c := d.Comparison
	rising := map[string]string{} // "framework:element" -> title, for every rising element
	for _, st := range c.Rising(0) {
		rising[c.Framework.Key+":"+st.Element.Key] = st.Element.Title
	}
	type candidate struct {
		bridgeProgramme
		bridges bool
		found   int
	}
	// The searches are independent reads, so they run side by side: the page waits for the
	// slowest, not for all of them in turn.
	top := c.Rising(careerElements)
	results := make([]*directory.Results, len(top))
	errs := make([]error, len(top))
	var wg sync.WaitGroup
	for i, st := range top {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.directory.Search(r.Context(), directory.Filter{Group: directory.GroupCourses, Level: d.To,
				Element: c.Framework.Key + ":" + st.Element.Key})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var found []*candidate
	seen := map[int64]bool{}
	for _, res := range results {
		for _, e := range res.Entries {
			if seen[e.ID] {
				continue
			}
			seen[e.ID] = true
			cand := &candidate{bridgeProgramme: bridgeProgramme{Entry: e}, found: len(found)}
			for _, ref := range e.Elements {
				if t, ok := rising[ref]; ok {
					cand.Develops = append(cand.Develops, t)
				}
			}
			cand.bridges = slices.Contains(e.Levels, d.From)
			found = append(found, cand)
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if len(a.Develops) != len(b.Develops) {
			return len(a.Develops) > len(b.Develops)
		}
		if a.bridges != b.bridges {
			return a.bridges
		}
		return a.found < b.found
	})
	var out []bridgeProgramme
	for _, cand := range found {
		if len(out) == careerMaxProgrammes {
			break
		}
		out = append(out, cand.bridgeProgramme)
	}
	return out, nil
}
