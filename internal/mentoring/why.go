package mentoring

import (
	"fmt"
	"strings"
)

// gapOrdinals name a gap by its rank, as the directory's recommendations do.
var gapOrdinals = []string{"largest", "second-largest", "third-largest"}

// Why says in a few words why a mentor is recommended, in the same voice as the directory's
// recommendations ("helps with Influence, your largest gap; 2 levels ahead of you; offers
// video; free; 2 of 3 places free"). picked means the gaps are elements the person chose
// rather than measured ones. Every phrase comes from a part of the score or the listing, so
// the sentence never claims what the score did not count.
func (r *Ranked) Why(n Need, picked bool) []string {
	var why []string
	if len(r.Working) > 0 {
		first := r.Working[0]
		rank := 0
		for i, g := range n.Gaps {
			if g.Ref == first.Ref {
				rank = i
				break
			}
		}
		phrase := "helps with " + first.Title
		switch {
		case picked && rank == 0:
			phrase += ", your first choice"
		case picked:
			phrase += ", which you chose"
		case rank < len(gapOrdinals):
			phrase += ", your " + gapOrdinals[rank] + " gap"
		default:
			phrase += ", one of your gaps"
		}
		if more := len(r.Working) - 1; more == 1 {
			phrase += ", and 1 more"
		} else if more > 1 {
			phrase += fmt.Sprintf(", and %d more", more)
		}
		why = append(why, phrase)
	}
	for _, p := range r.Score.Parts {
		switch p.Name {
		case "Career level", "Places":
			why = append(why, p.Detail)
		case "Mode":
			if p.Points > 0 && len(n.Modes) > 0 {
				why = append(why, p.Detail)
			}
		}
	}
	if a := r.Mentor.Accredited(); a != "" {
		why = append(why, strings.ToLower(a[:1])+a[1:])
	}
	why = append(why, strings.ToLower(r.Mentor.FeeLabel()))
	return why
}
