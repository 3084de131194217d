package match

import (
	"math"
	"reflect"
	"testing"
)

// A mentee and a mentor who score full marks on every part; each case changes one thing.
func baseMentee() Mentee {
	return Mentee{ID: 1, Level: 3, Gaps: map[string]float64{"influence-and-advocacy": 3, "systems-thinking": 1},
		Modes: []string{"video"}, Region: "London", Managers: []int64{10, 20}}
}

func baseMentor() Mentor {
	return Mentor{ID: 2, Level: 5, Elements: []string{"influence-and-advocacy", "systems-thinking"},
		Modes: []string{"video", "phone"}, Region: "London", Capacity: 1, Chain: []int64{2, 11, 21}}
}

func part(t *testing.T, s Score, name string) Part {
	t.Helper()
	for _, p := range s.Parts {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no part %q in %+v", name, s.Parts)
	return Part{}
}

func TestScoreOneParts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Mentee, *Mentor)
		part   string
		points float64
		detail string
	}{
		{"every gap covered", nil, "Elements", 50,
			"helps with Influence and advocacy and Systems thinking, 100% of your gaps"},
		{"part of the gaps covered", func(me *Mentee, mo *Mentor) {
			me.Gaps = map[string]float64{"influence-and-advocacy": 31, "systems-thinking": 19}
			mo.Elements = []string{"influence-and-advocacy", "quality-improvement"}
		}, "Elements", 31, "helps with Influence and advocacy, 62% of your gaps"},
		{"largest gaps named first, then how many more", func(me *Mentee, mo *Mentor) {
			me.Gaps = map[string]float64{"a": 1, "b": 5, "c": 2, "d": 4, "e": 3}
			mo.Elements = []string{"a", "b", "c", "d", "e", "e"}
		}, "Elements", 50, "helps with B, D, E and 2 more, 100% of your gaps"},
		{"a tiny share is not shown as 0%", func(me *Mentee, mo *Mentor) {
			me.Gaps = map[string]float64{"a": 1, "b": 999}
			mo.Elements = []string{"a"}
		}, "Elements", 0.05, "helps with A, 1% of your gaps"},
		{"a nearly whole share is not shown as 100%", func(me *Mentee, mo *Mentor) {
			me.Gaps = map[string]float64{"a": 999, "b": 1}
			mo.Elements = []string{"a"}
		}, "Elements", 49.95, "helps with A, 99% of your gaps"},
		{"no gap covered", func(me *Mentee, mo *Mentor) { mo.Elements = []string{"research"} },
			"Elements", 0, "does not help with any of your gaps"},
		{"no gaps recorded", func(me *Mentee, mo *Mentor) { me.Gaps = nil },
			"Elements", 0, "you have no gaps recorded yet"},
		{"zero, negative, NaN and infinite gaps are ignored", func(me *Mentee, mo *Mentor) {
			me.Gaps = map[string]float64{"a": 2, "b": 0, "c": -1, "d": math.NaN(), "e": math.Inf(1)}
			mo.Elements = []string{"a"}
		}, "Elements", 50, "helps with A, 100% of your gaps"},

		{"1 level ahead", func(me *Mentee, mo *Mentor) { mo.Level = 4 }, "Career level", 25, "1 level ahead of you"},
		{"2 levels ahead", nil, "Career level", 25, "2 levels ahead of you"},
		{"3 levels ahead", func(me *Mentee, mo *Mentor) { mo.Level = 6 }, "Career level", 25, "3 levels ahead of you"},
		{"4 levels ahead", func(me *Mentee, mo *Mentor) { mo.Level = 7 }, "Career level", 10, "4 levels ahead of you"},
		{"same level", func(me *Mentee, mo *Mentor) { mo.Level = 3 }, "Career level", 10, "at your level"},
		{"1 level below", func(me *Mentee, mo *Mentor) { mo.Level = 2 }, "Career level", 0, "1 level below you"},
		{"2 levels below", func(me *Mentee, mo *Mentor) { mo.Level = 1 }, "Career level", 0, "2 levels below you"},

		{"a shared mode", nil, "Mode", 10, "offers video"},
		{"two shared modes, in the mentee's order", func(me *Mentee, mo *Mentor) {
			me.Modes = []string{"phone", "video"}
		}, "Mode", 10, "offers phone and video"},
		{"modes match whatever their case and spacing", func(me *Mentee, mo *Mentor) {
			me.Modes = []string{" Video "}
		}, "Mode", 10, "offers video"},
		{"no shared mode", func(me *Mentee, mo *Mentor) {
			me.Modes = []string{"in person", "phone"}
			mo.Modes = []string{"video"}
		}, "Mode", 0, "does not offer in person or phone"},
		{"a mentee with no preference takes any mode", func(me *Mentee, mo *Mentor) {
			me.Modes = nil
			mo.Modes = []string{"in person"}
		}, "Mode", 10, "offers in person"},
		{"a mentor who gives no mode", func(me *Mentee, mo *Mentor) { mo.Modes = nil },
			"Mode", 0, "has not said how they meet"},

		{"same region", func(me *Mentee, mo *Mentor) { me.Modes = []string{"in person"}; mo.Modes = nil },
			"Region", 5, "also in London"},
		{"another region, meeting by video", func(me *Mentee, mo *Mentor) { mo.Region = "North West" },
			"Region", 5, "meets by video, so distance does not matter"},
		{"another region, and the mentor's video is not wanted", func(me *Mentee, mo *Mentor) {
			me.Modes = []string{"in person"}
			mo.Region = "North West"
		}, "Region", 0, "in North West, not your region"},
		{"another region, and the mentee's video is not offered", func(me *Mentee, mo *Mentor) {
			me.Modes = []string{"video", "in person"}
			mo.Modes = []string{"in person"}
			mo.Region = "Wales"
		}, "Region", 0, "in Wales, not your region"},
		{"the mentee gave no region", func(me *Mentee, mo *Mentor) {
			me.Region, me.Modes = "", []string{"phone"}
		}, "Region", 0, "in London; you have not given a region"},
		{"the mentor gave no region", func(me *Mentee, mo *Mentor) {
			mo.Region, me.Modes = "", []string{"phone"}
		}, "Region", 0, "has not given a region"},

		{"three of four places free", func(me *Mentee, mo *Mentor) { mo.Capacity, mo.Active = 4, 1 },
			"Places", 7.5, "3 of 4 places free"},
		{"one place, free", nil, "Places", 10, "their one place is free"},
		{"one of three places free", func(me *Mentee, mo *Mentor) { mo.Capacity, mo.Active = 3, 2 },
			"Places", 10.0 / 3, "1 of 3 places free"},

		{"outside the chain", nil, "Line management", 0, "outside your line-management chain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			me, mo := baseMentee(), baseMentor()
			if tc.change != nil {
				tc.change(&me, &mo)
			}
			s := ScoreOne(me, mo)
			p := part(t, s, tc.part)
			if math.Abs(p.Points-tc.points) > 1e-9 || p.Detail != tc.detail {
				t.Errorf("%s = %v %q, want %v %q", tc.part, p.Points, p.Detail, tc.points, tc.detail)
			}
			if !s.Eligible || s.Reason != "" {
				t.Errorf("not eligible: %q", s.Reason)
			}
			sum := 0.0
			for _, p := range s.Parts {
				sum += p.Points
			}
			if math.Abs(sum-s.Total) > 1e-9 {
				t.Errorf("parts add up to %v, total is %v", sum, s.Total)
			}
		})
	}
}

func TestScoreOneFullMarks(t *testing.T) {
	s := ScoreOne(baseMentee(), baseMentor())
	want := Score{MentorID: 2, Total: 100, Eligible: true, Parts: []Part{
		{"Elements", "helps with Influence and advocacy and Systems thinking, 100% of your gaps", 50},
		{"Career level", "2 levels ahead of you", 25},
		{"Mode", "offers video", 10},
		{"Region", "also in London", 5},
		{"Places", "their one place is free", 10},
		{"Line management", "outside your line-management chain", 0},
	}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("ScoreOne =\n%+v\nwant\n%+v", s, want)
	}
}

func TestScoreOneIneligible(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Mentee, *Mentor)
		reason string
		part   string // the part that says why
	}{
		{"the mentor is the mentee's line manager", func(me *Mentee, mo *Mentor) { me.Managers = []int64{2, 20} },
			ReasonChain, "Line management"},
		{"the mentor is further up the mentee's chain", func(me *Mentee, mo *Mentor) { me.Managers = []int64{10, 2} },
			ReasonChain, "Line management"},
		{"the mentee manages the mentor", func(me *Mentee, mo *Mentor) { mo.Chain = []int64{2, 1, 20} },
			ReasonChain, "Line management"},
		{"they share a manager", func(me *Mentee, mo *Mentor) { mo.Chain = []int64{2, 11, 20} },
			ReasonChain, "Line management"},
		{"a chain without the mentor's own id still counts them", func(me *Mentee, mo *Mentor) {
			me.Managers = []int64{2}
			mo.Chain = nil
		}, ReasonChain, "Line management"},
		{"the mentor is the mentee", func(me *Mentee, mo *Mentor) { mo.ID = 1; mo.Chain = []int64{1, 10, 20} },
			ReasonSelf, "Line management"},
		{"no places left", func(me *Mentee, mo *Mentor) { mo.Capacity, mo.Active = 2, 2 },
			ReasonFull, "Places"},
		{"more mentees than places", func(me *Mentee, mo *Mentor) { mo.Capacity, mo.Active = 2, 3 },
			ReasonFull, "Places"},
		{"no places at all", func(me *Mentee, mo *Mentor) { mo.Capacity = 0 }, ReasonFull, "Places"},
		{"a shared chain is named before a full diary", func(me *Mentee, mo *Mentor) {
			me.Managers = []int64{2}
			mo.Active = 1
		}, ReasonChain, "Line management"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			me, mo := baseMentee(), baseMentor()
			tc.change(&me, &mo)
			s := ScoreOne(me, mo)
			if s.Eligible || s.Reason != tc.reason {
				t.Errorf("Eligible %v, Reason %q; want false, %q", s.Eligible, s.Reason, tc.reason)
			}
			if p := part(t, s, tc.part); p.Detail != tc.reason || p.Points != 0 {
				t.Errorf("%s = %v %q, want 0 %q", tc.part, p.Points, p.Detail, tc.reason)
			}
		})
	}
}

func TestScoreOneWithTitles(t *testing.T) {
	titles := map[string]string{"influence-and-advocacy": "Influence and Advocacy"}
	s := ScoreOneWith(baseMentee(), baseMentor(), func(k string) string { return titles[k] })
	want := "helps with Influence and Advocacy and Systems thinking, 100% of your gaps"
	if got := part(t, s, "Elements").Detail; got != want {
		t.Errorf("Elements detail = %q, want %q (an unknown title falls back to the key)", got, want)
	}
}

func TestRankOrder(t *testing.T) {
	me := baseMentee()
	mentor := func(id int64, level int, change func(*Mentor)) Mentor {
		mo := baseMentor()
		mo.ID, mo.Level, mo.Chain = id, level, []int64{id}
		if change != nil {
			change(&mo)
		}
		return mo
	}
	mentors := []Mentor{
		mentor(7, 2, nil), // below: 75
		mentor(3, 9, func(m *Mentor) { m.Capacity = 0 }), // full: ineligible
		mentor(9, 5, nil), // 100
		mentor(4, 4, nil), // 100, lower id than 9
		mentor(8, 5, func(m *Mentor) { m.Chain = []int64{8, 10} }), // shares a manager: ineligible, 100 points
		mentor(6, 7, nil), // 4 ahead: 85
		mentor(5, 5, func(m *Mentor) { m.Elements = nil }), // 50
	}
	var got []int64
	for _, s := range Rank(me, mentors) {
		got = append(got, s.MentorID)
	}
	// Eligible by total then id; then the ineligible, by total then id.
	want := []int64{4, 9, 6, 7, 5, 8, 3}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Rank order = %v, want %v", got, want)
	}
	if len(Rank(me, nil)) != 0 {
		t.Error("Rank of no mentors is not empty")
	}
}
