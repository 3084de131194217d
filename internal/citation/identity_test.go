package citation

import (
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // "" when accepted, else the start of the message
	}{
		{"https://www.rcot.co.uk/", ""},
		{"http://example.org/a?b=c#d", ""},
		{"HTTPS://Example.ORG/Path", ""},
		{"https://[2001:db8::1]:8443/x", ""},
		{"https://例え.jp/パス", ""},
		{"javascript:alert(1)", `The URL "javascript:alert(1)" is not a web address starting with http:// or https://.`},
		{"JavaScript:alert(1)", "The URL \"JavaScript:alert(1)\" is not a web address starting"},
		{"data:text/html,<script>alert(1)</script>", "The URL \"data:text/html,<script>alert(1)</script>\" is not a web address starting"},
		{"vbscript:msgbox", "The URL \"vbscript:msgbox\" is not a web address starting"},
		{"ftp://example.org/file", "The URL \"ftp://example.org/file\" is not a web address starting"},
		{"file:///etc/passwd", "The URL \"file:///etc/passwd\" is not a web address starting"},
		{"/relative/page", "The URL \"/relative/page\" is not a web address starting"},
		{"//example.org/no-scheme", "The URL \"//example.org/no-scheme\" is not a web address starting"},
		{"www.example.org", "The URL \"www.example.org\" is not a web address starting"},
		{"https://", `The URL "https://" is not a complete web address, like https://www.rcot.co.uk/.`},
		{"https:///path", "The URL \"https:///path\" is not a complete web address"},
		{"http:example.org", "The URL \"http:example.org\" is not a complete web address"},
		{"https://exa mple.org", "The URL \"https://exa mple.org\" is not a complete web address"},
		{"https://example.org/{x}", "The URL \"https://example.org/{x}\" is not a complete web address"},
		{"https://example.org/\x00", "The URL \"https://example.org/\" is not a complete web address"},
		{"https://www.nhs.uk@evil.example/", "The URL \"https://www.nhs.uk@evil.example/\" has a name before the website's address"},
		{"javascript:" + strings.Repeat("a", 100), "The URL \"javascript:" + strings.Repeat("a", 49) + "…\" is not a web address starting"},
	}
	for _, tt := range tests {
		got := CheckURL(tt.url)
		if tt.want == "" && got != "" || !strings.HasPrefix(got, tt.want) {
			t.Errorf("CheckURL(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestNormaliseDOI(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"10.1177/0308022620912345", "10.1177/0308022620912345", true},
		{"https://doi.org/10.1177/0308022620ABC", "10.1177/0308022620abc", true},
		{"http://dx.doi.org/10.5014/AJOT.2020.040105", "10.5014/ajot.2020.040105", true},
		{"doi:10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O", "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-o", true},
		{"DOI: 10.1/x", "10.1/x", true},
		{"10.1177/123 [doi]", "10.1177/123", true},
		{"  10.1/x  ", "10.1/x", true},
		{"not a doi", "not a doi", false},
		{"10.1177", "10.1177", false},
		{"10.1177/", "10.1177/", false},
		{"11.1177/x", "11.1177/x", false},
		{"10.ab/x", "10.ab/x", false},
		{"10.1177/a b", "10.1177/a b", false},
		{"10.1177/a{b}", "10.1177/a{b}", false},
	}
	for _, tt := range tests {
		got, ok := NormaliseDOI(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormaliseDOI(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIdentity(t *testing.T) {
	tests := []struct {
		name string
		ref  Reference
		want string
	}{
		{"DOI", Reference{DOI: "10.1177/ABC"}, "doi:10.1177/abc"},
		{"DOI with a resolver", Reference{DOI: "https://doi.org/10.1177/abc"}, "doi:10.1177/abc"},
		{"DOI beats URL", Reference{DOI: "10.1177/abc", URL: "https://example.org/x"}, "doi:10.1177/abc"},
		{"doi.org URL", Reference{URL: "https://dx.doi.org/10.1177/ABC"}, "doi:10.1177/abc"},
		{"escaped doi.org URL", Reference{URL: "https://doi.org/10.1002/%28SICI%291097"}, "doi:10.1002/(sici)1097"},
		{"URL", Reference{URL: "https://www.rcot.co.uk/careers"}, "https://www.rcot.co.uk/careers"},
		{"case of scheme and host", Reference{URL: "HTTPS://WWW.RCOT.CO.UK/Careers"}, "https://www.rcot.co.uk/Careers"},
		{"http as https", Reference{URL: "http://www.rcot.co.uk/careers"}, "https://www.rcot.co.uk/careers"},
		{"trailing slash", Reference{URL: "https://www.rcot.co.uk/careers/"}, "https://www.rcot.co.uk/careers"},
		{"root", Reference{URL: "https://www.rcot.co.uk/"}, "https://www.rcot.co.uk"},
		{"fragment", Reference{URL: "https://www.rcot.co.uk/careers#top"}, "https://www.rcot.co.uk/careers"},
		{"tracking", Reference{URL: "https://www.rcot.co.uk/careers?utm_source=x&id=4&UTM_Medium=y&fbclid=z&gclid=q"}, "https://www.rcot.co.uk/careers?id=4"},
		{"only tracking", Reference{URL: "https://www.rcot.co.uk/careers/?utm_campaign=x#a"}, "https://www.rcot.co.uk/careers"},
		{"utm lookalike kept", Reference{URL: "https://example.org/?utmost=1&gclid2=2"}, "https://example.org?utmost=1&gclid2=2"},
		{"default port", Reference{URL: "https://example.org:443/a"}, "https://example.org/a"},
		{"other port", Reference{URL: "https://example.org:8443/a"}, "https://example.org:8443/a"},
		{"IPv6", Reference{URL: "http://[2001:db8::1]/a"}, "https://[2001:db8::1]/a"},
		{"bad URL", Reference{URL: "javascript:alert(1)"}, ""},
		{"bad DOI and no URL", Reference{DOI: "nonsense"}, ""},
		{"nothing", Reference{Title: "Just a title"}, ""},
	}
	for _, tt := range tests {
		if got := Identity(tt.ref); got != tt.want {
			t.Errorf("%s: Identity = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestDuplicates checks the use Identity is for: finding which suggestions are already listed.
func TestDuplicates(t *testing.T) {
	listed := []Reference{
		{Title: "A", DOI: "10.1177/0308022620912345"},
		{Title: "B", URL: "https://www.rcot.co.uk/career-development-framework"},
	}
	suggested := []struct {
		ref  Reference
		dupe bool
	}{
		{Reference{Title: "A again", DOI: "doi:10.1177/0308022620912345"}, true},
		{Reference{Title: "A by link", URL: "https://doi.org/10.1177/0308022620912345"}, true},
		{Reference{Title: "B shared", URL: "http://WWW.rcot.co.uk/career-development-framework/?utm_source=twitter#pillars"}, true},
		{Reference{Title: "B's neighbour", URL: "https://www.rcot.co.uk/career-development-framework/part-2"}, false},
		{Reference{Title: "New", DOI: "10.1177/0308022620999999"}, false},
		{Reference{Title: "No link"}, false},
	}
	seen := map[string]bool{}
	for _, r := range listed {
		seen[Identity(r)] = true
	}
	for _, s := range suggested {
		id := Identity(s.ref)
		if got := id != "" && seen[id]; got != s.dupe {
			t.Errorf("%s (%q): duplicate %v, want %v", s.ref.Title, id, got, s.dupe)
		}
	}
}

// TestParsersRefuseBadURLs checks the same rule on the way in, in both formats.
func TestParsersRefuseBadURLs(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "ftp://example.org/a", "/local/page", "https://", "https://user:pw@example.org/"} {
		bib := "@misc{k, title = {A page}, url = {" + u + "}}"
		ris := "TY  - ELEC\nTI  - A page\nUR  - " + u + "\nER  - \n"
		for _, tt := range []struct {
			f  format
			in string
		}{{formats[0], bib}, {formats[1], ris}} {
			refs, err := tt.f.parse([]byte(tt.in))
			if refs != nil || !strings.Contains(fileMessage(t, err), "the URL \""+u+"\"") {
				t.Errorf("%s accepted %q or did not name it: %v", tt.f.name, u, err)
			}
		}
	}
}
