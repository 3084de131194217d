package citation

import (
	"net"
	"net/url"
	"strings"
	"unicode"
)

// CheckURL returns "" when s is a web address Pillars will link to, or a sentence saying what is
// wrong. Only absolute http and https addresses with a host are accepted: anything else
// (javascript:, data:, file:, ftp:, a relative path) would run script, reach into the reader's own
// computer or go nowhere when a practitioner clicks it. An address with a user name before the
// host is refused too, because https://nhs.uk@example.com does not go to nhs.uk.
func CheckURL(s string) string {
	if scheme := urlScheme(s); scheme != "http" && scheme != "https" {
		return "The URL " + quote(s) + " is not a web address starting with http:// or https://."
	}
	incomplete := "The URL " + quote(s) + " is not a complete web address, like https://www.rcot.co.uk/."
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("{}\\\"<>", r)
	}) {
		return incomplete
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Hostname() == "" {
		return incomplete
	}
	if u.User != nil {
		return "The URL " + quote(s) + " has a name before the website's address, which can hide where it really goes. Remove everything between // and @."
	}
	return ""
}

// urlScheme is the lower-cased scheme of s, or "" when s has none.
func urlScheme(s string) string {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return ""
	}
	for j, r := range s[:i] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || j > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return ""
		}
	}
	return strings.ToLower(s[:i])
}

// doiPrefixes are what exporters put before a DOI; they are compared in lower case.
var doiPrefixes = []string{"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi.org/", "dx.doi.org/", "doi:", "doi "}

// NormaliseDOI returns a DOI in normal form: without a resolver address or "doi:" in front, and
// in lower case, since DOIs ignore case. ok is false when what is left does not look like a DOI:
// "10.", a registrant number, a slash and a suffix without spaces.
func NormaliseDOI(s string) (doi string, ok bool) {
	d := strings.ToLower(strings.TrimSpace(s))
	for again := true; again; {
		again = false
		for _, p := range doiPrefixes {
			if strings.HasPrefix(d, p) {
				d, again = strings.TrimSpace(d[len(p):]), true
			}
		}
	}
	d = strings.TrimSpace(strings.TrimSuffix(d, "[doi]")) // PubMed's habit
	return d, looksLikeDOI(d)
}

func looksLikeDOI(d string) bool {
	prefix, suffix, found := strings.Cut(d, "/")
	if !found || suffix == "" || !strings.HasPrefix(prefix, "10.") || len(prefix) < 4 {
		return false
	}
	for _, r := range prefix[3:] {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return !strings.ContainsFunc(suffix, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '{' || r == '}' || r == '\\'
	})
}

// trackingParams are query parameters that say where a link was shared, not what it points to.
var trackingParams = []string{"utm_", "fbclid", "gclid"}

// Identity is the key two references share when they are the same resource, for flagging a
// suggestion that duplicates one already listed: "doi:" and the DOI when there is one (also when
// the URL is a doi.org link), otherwise the URL with its scheme and host in lower case, http taken
// as https, default ports, fragment, trailing slash and tracking parameters (utm_*, fbclid, gclid)
// removed. It is "" when a reference has neither a DOI nor a usable URL.
func Identity(r Reference) string {
	if d, ok := NormaliseDOI(r.DOI); ok {
		return "doi:" + d
	}
	s := strings.TrimSpace(r.URL)
	if s == "" || CheckURL(s) != "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host == "doi.org" || host == "dx.doi.org" || host == "www.doi.org" {
		if p, err := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), "/")); err == nil {
			if d, ok := NormaliseDOI(p); ok {
				return "doi:" + d
			}
		}
	}
	if port := u.Port(); port != "" && port != "80" && port != "443" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 address keeps its brackets
	}
	var query []string
	for _, p := range strings.Split(u.RawQuery, "&") {
		if p != "" && !tracking(p) {
			query = append(query, p)
		}
	}
	id := "https://" + host + strings.TrimRight(u.EscapedPath(), "/")
	if len(query) > 0 {
		id += "?" + strings.Join(query, "&")
	}
	return id
}

func tracking(param string) bool {
	name, _, _ := strings.Cut(strings.ToLower(param), "=")
	for _, t := range trackingParams {
		if strings.HasPrefix(name, t) && (strings.HasSuffix(t, "_") || name == t) {
			return true
		}
	}
	return false
}
