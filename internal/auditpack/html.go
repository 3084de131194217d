package auditpack

import (
	"fmt"
	"html/template"
	"io"
)

// RenderHTML writes the profile as one standalone HTML page: no scripts and nothing fetched from
// elsewhere, so it opens the same offline, in an email attachment or years later, and prints
// cleanly from any browser. html/template escapes everything the person typed.
func RenderHTML(w io.Writer, p *Pack) error {
	data := struct {
		Title  string
		Author string
		Blocks []block
	}{docTitle(p), p.Owner, layout(p)}
	if err := htmlPage.Execute(w, data); err != nil {
		return fmt.Errorf("auditpack: render HTML: %w", err)
	}
	return nil
}

// The style is for reading on screen and for print: A4 pages, table headers repeated on each
// printed page, rows and headings kept whole. Colours pass WCAG AA contrast on white.
var htmlPage = template.Must(template.New("pack").Funcs(template.FuncMap{"lines": splitLines}).Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{with .Author}}<meta name="author" content="{{.}}">
{{end}}<style>
body { font-family: Arial, Helvetica, sans-serif; font-size: 1rem; line-height: 1.5; color: #212b32; margin: 0; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 2rem; color: #005eb8; border-bottom: 3px solid #005eb8; padding-bottom: .25rem; }
h2 { font-size: 1.5rem; margin-top: 2.5rem; }
h3 { font-size: 1.2rem; margin-top: 1.5rem; }
h4 { font-size: 1rem; margin: 1rem 0 .25rem; }
p { margin: 0 0 .75rem; }
.note { font-style: italic; color: #425563; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.5rem; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1.5rem; font-size: .9rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #768692; padding: .3rem .45rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #e8edee; }
tbody th { font-weight: normal; }
.num { text-align: right; }
@page { size: A4; margin: 2cm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h1, h2, h3, h4, caption { break-after: avoid; }
  tr, dl.facts { break-inside: avoid; }
  thead { display: table-header-group; }
}
</style>
</head>
<body>
<main>
{{range .Blocks}}{{if .IsHeading}}{{if eq .Level 1}}<h1>{{.Text}}</h1>
{{else if eq .Level 2}}<h2>{{.Text}}</h2>
{{else if eq .Level 3}}<h3>{{.Text}}</h3>
{{else}}<h4>{{.Text}}</h4>
{{end}}{{else if .IsPara}}<p{{if .Note}} class="note"{{end}}>{{template "lines" .Lines}}</p>
{{else if .IsFacts}}<dl class="facts">
{{range .Facts}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>
{{end}}</dl>
{{else if .IsTable}}{{with .Table}}{{$t := .}}<table>
<caption>{{.Caption}}</caption>
<thead><tr>{{range $i, $h := .Head}}<th scope="col"{{if index $t.Right $i}} class="num"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}{{if eq $i 0}}<th scope="row"{{if index $t.Right $i}} class="num"{{end}}>{{template "lines" (lines $c)}}</th>{{else}}<td{{if index $t.Right $i}} class="num"{{end}}>{{template "lines" (lines $c)}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{end}}{{end}}</main>
</body>
</html>
{{define "lines"}}{{range $i, $l := .}}{{if $i}}<br>{{end}}{{$l}}{{end}}{{end}}`))
