package leap2a

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/pillars-ot/pillars/internal/valid"
)

// FuzzRead checks that no input makes Read panic, that every refusal is a plain valid.Errors,
// and that whatever it accepts survives Write and Read unchanged.
func FuzzRead(f *testing.F) {
	xmlDoc, err := os.ReadFile("testdata/mahara-export/leap2a.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(maharaZip(f))
	f.Add(xmlDoc)
	f.Add(writeZip(f, fullArchive(f)))
	f.Add(feedWith(`<content type="html">&lt;p&gt;Hi&lt;br&gt;there&lt;/p&gt;&lt;script&gt;x&lt;/script&gt;</content>`))
	f.Add(withSrc("files/../../x"))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><feed/>`))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		a, _, err := readBytes(in)
		if err != nil {
			var ve valid.Errors
			if !errors.As(err, &ve) || len(ve) == 0 || ve[0].Field != "file" || ve[0].Message == "" {
				t.Fatalf("refusal is not a plain problem on the file: %#v", err)
			}
			return
		}
		if a == nil {
			t.Fatal("no archive and no error")
		}
		var buf bytes.Buffer
		if err := Write(&buf, a); err != nil {
			t.Fatalf("Write of what Read gave: %v", err)
		}
		again, _, err := readBytes(buf.Bytes())
		if err != nil {
			t.Fatalf("Read of what Write gave: %v", err)
		}
		if !reflect.DeepEqual(again, a) {
			t.Fatalf("Write and Read changed the archive\n got: %#v\nwant: %#v", again, a)
		}
	})
}
