// Package leap2a reads and writes a portfolio.Archive as LEAP2A, the UK ePortfolio interchange
// format used by Mahara and PebblePad: an Atom 1.0 feed with LEAP2A extensions (leap2a.xml),
// zipped with the evidence files under files/.
//
// Write produces a feed other systems can read (activities with dates, a readable reflection,
// evidence as resources, collections as selections) and, in a Pillars extension namespace, the
// exact structured record, so that Read gives back the same Archive. Read also accepts exports
// from other systems, turning their activities and blog posts into free-text entries with their
// attached files.
//
// Everything read is untrusted. The XML parser never resolves entities or fetches anything and
// refuses any document type declaration; sizes, counts, nesting and every path inside the zip are
// checked before and while reading, and problems come back as valid.Errors on the field "file".
package leap2a

import (
	"fmt"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Namespaces and schemes. LEAP2A 2010-07 (http://www.leapspecs.org/2010-07/2A/) is written;
// older and newer LEAP2A namespaces are accepted on reading.
const (
	nsAtom       = "http://www.w3.org/2005/Atom"
	nsRDF        = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsLeap2      = "http://terms.leapspecs.org/"
	nsCategories = "http://wiki.leapspecs.org/2A/categories/"
	nsXHTML      = "http://www.w3.org/1999/xhtml"
	leapVersion  = "http://www.leapspecs.org/2010-07/2A/"

	// nsPillars is the Pillars extension namespace. The .example domain is reserved (RFC 2606),
	// so the name can never resolve to anyone's site: it only has to be unique, not fetchable.
	nsPillars = "https://pillars.example/leap2a/1/"
	// Category schemes for the activity type and framework tags, in the Pillars namespace.
	schemeActivityType = nsPillars + "activity_type#"
	schemeTag          = nsPillars + "tag#"
)

// File names inside the zip.
const (
	feedName = "leap2a.xml"
	filesDir = "files/"
)

// limits bound what Read accepts. Tests shrink them to stay fast.
type limits struct {
	archiveBytes int64 // everything in the zip, unpacked
	fileBytes    int64 // one evidence file, unpacked
	xmlBytes     int64 // leap2a.xml
	zipEntries   int   // files and folders in the zip
	depth        int   // XML nesting
	elements     int   // XML elements in the whole feed: bounds the memory one entry can take
}

var defaultLimits = limits{
	archiveBytes: portfolio.MaxArchiveBytes,
	fileBytes:    portfolio.MaxFileBytes,
	xmlBytes:     50 << 20,
	zipEntries:   10000,
	depth:        100,
	elements:     500000,
}

// exportAgain ends most messages: the fix is nearly always a fresh export.
const exportAgain = "Export it again from the system it came from."

// problem is a plain-English refusal of the whole file.
func problem(format string, args ...any) error {
	return valid.Errors{{Field: "file", Message: fmt.Sprintf(format, args...)}}
}
