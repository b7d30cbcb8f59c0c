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

// WriteJSONCompact writes the same document as WriteJSON on one line, ended by a newline:
// a JSON Lines record. A log agent (Cloud Logging's, for a Cloud Run job) turns each line of
// a container's output into one entry, and parses a line that is a JSON object as a
// structured payload, so the whole report becomes one searchable entry instead of one
// entry per line of pretty-printed JSON.
func WriteJSONCompact(w io.Writer, doc *Document) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
