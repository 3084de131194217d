package citation

import (
	"reflect"
	"testing"
)

func TestBibNames(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Smith, Jane and Jones, Ali", []string{"Smith, Jane", "Jones, Ali"}},
		{"Jane Smith AND Ali Jones", []string{"Smith, Jane", "Jones, Ali"}},
		{"Jane Q. Smith", []string{"Smith, Jane Q."}},
		{"Ludwig van Beethoven", []string{"van Beethoven, Ludwig"}},
		{"Jean de la Fontaine", []string{"de la Fontaine, Jean"}},
		{"van Beethoven, Ludwig", []string{"van Beethoven, Ludwig"}},
		{"King, Jr, Martin Luther", []string{"King, Martin Luther, Jr"}},
		{"{World Health Organization}", []string{"World Health Organization"}},
		{"{Barnes and Noble} and Smith, J.", []string{"Barnes and Noble", "Smith, J."}},
		{"Plato", []string{"Plato"}},
		{"Smith, J. and others", []string{"Smith, J."}},
		{"M{\\\"u}ller, Anna and Se{\\'a}n {\\'O} Br{\\'\\i}ain", []string{"Müller, Anna", "Bríain, Seán Ó"}},
		{"J.~R.~R. Tolkien", []string{"Tolkien, J. R. R."}},
		{"{Van} Gogh, Vincent", []string{"Van Gogh, Vincent"}},
		{"Vincent {van} Gogh", []string{"Gogh, Vincent van"}},
		{"Smith, and and Jones,", []string{"Smith", "Jones"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		if got := bibNames(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("bibNames(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBibWriteName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Smith, Jane", "Smith, Jane"},
		{"King, Martin Luther, Jr", "King, Jr, Martin Luther"},
		{"World Health Organization", "{World Health Organization}"},
		{"Smith and Sons, Ann", "{Smith and Sons}, Ann"},
		{"A, B, C, D", "A, {C, D}, B"},
		{"A, , C", "A, C, "},
		{"Mc{Donald}, Ronald", `Mc\{Donald\}, Ronald`},
	}
	for _, tt := range tests {
		got := bibWriteName(tt.in)
		if got != tt.want {
			t.Errorf("bibWriteName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := bibNames(got); len(back) != 1 || back[0] != tt.in {
			t.Errorf("bibNames(%q) = %q, want [%q]", got, back, tt.in)
		}
	}
}
