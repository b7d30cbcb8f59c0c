package report

import (
	_ "embed"
	"encoding/json"
	"io"
)

// JSONSchema is the JSON Schema (draft 2020-12) of the JSON report, committed as
// report/schema.json and validated against in the tests.
//
//go:embed schema.json
var JSONSchema []byte

// WriteJSON writes the document as one indented JSON object.
func WriteJSON(w io.Writer, doc *Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
