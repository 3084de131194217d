package testutil

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
)

type mimeDecoder struct{ mime.WordDecoder }

func (d *mimeDecoder) header(s string) string {
	out, err := d.DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

// decodeBody undoes the transfer encoding mail libraries apply, so tests can read links.
func decodeBody(encoding, body string) string {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		if err == nil {
			return string(b)
		}
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
		if err == nil {
			return string(b)
		}
	}
	return body
}
