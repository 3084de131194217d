package citation

import (
	"reflect"
	"testing"
)

func TestNewKey(t *testing.T) {
	tests := []struct {
		ref  Reference
		want string
	}{
		{Reference{Authors: []string{"Smith, Jane"}, Year: 2020, Title: "Occupational therapy leadership"}, "smith2020occupational"},
		{Reference{Authors: []string{"Ó Briain, Seán"}, Year: 2019, Title: "The role of supervision"}, "obriain2019role"},
		{Reference{Authors: []string{"Maßmann, Gréta"}, Title: "À la carte"}, "massmannla"},
		{Reference{Authors: []string{"World Health Organization"}, Year: 2022, Title: "A framework"}, "worldhealthorganization2022framework"},
		{Reference{Title: "On the of and"}, "anon"},
		{Reference{Authors: []string{"李, 明"}, Year: 2021, Title: "研究"}, "anon2021"},
	}
	for _, tt := range tests {
		if got := newKey(tt.ref); got != tt.want {
			t.Errorf("newKey(%v) = %q, want %q", tt.ref, got, tt.want)
		}
	}
}

func TestAssignKeys(t *testing.T) {
	refs := []Reference{
		{Authors: []string{"Smith, Jane"}, Year: 2020, Title: "Leadership"},
		{Key: "smith2020leadership", Title: "Taken first by an explicit key"},
		{Key: "Dup", Title: "x"},
		{Key: "dup", Title: "y"},
		{Key: "dupa", Title: "z"},
		{Authors: []string{"Smith, Jane"}, Year: 2020, Title: "Leadership again"},
	}
	assignKeys(refs, true)
	var got []string
	for _, r := range refs {
		got = append(got, r.Key)
	}
	want := []string{"smith2020leadershipa", "smith2020leadership", "Dup", "dupb", "dupa", "smith2020leadershipb"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	// Keys already unique are left alone, so reading what was written keeps them.
	again := append([]Reference(nil), refs...)
	assignKeys(again, true)
	if !reflect.DeepEqual(again, refs) {
		t.Error("assignKeys changed unique keys")
	}
	// Without generate (RIS), an empty key stays empty.
	ris := []Reference{{Title: "a"}, {Key: "x", Title: "b"}, {Key: "X", Title: "c"}}
	assignKeys(ris, false)
	if ris[0].Key != "" || ris[1].Key != "x" || ris[2].Key != "Xa" {
		t.Errorf("RIS keys %q %q %q", ris[0].Key, ris[1].Key, ris[2].Key)
	}
}

func TestCleanKey(t *testing.T) {
	for in, want := range map[string]string{"smith2020": "smith2020", "smith_2020:ot-1.2/x+y": "smith_2020:ot-1.2/x+y", "o'brien 2020{}": "obrien2020", "müller2020": "müller2020"} {
		if got := cleanKey(in); got != want {
			t.Errorf("cleanKey(%q) = %q, want %q", in, got, want)
		}
	}
}
