package finding

import (
	"fmt"

	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// Sanitize returns f with every string that may carry input (a name, a value, a server's
// reply) made one printable line by sanitize.Line: no finding, in any report, carries a
// control character, an escape sequence or a line break that came from input. The check
// engine applies it to every check's finding and the probe to its own; reporters then
// escape for their sink (Markdown, XML, workflow commands) on top. A remediation command
// that was withheld because a value it needed is not a valid name (see sanitize.Command)
// is left out, and the message says so.
func Sanitize(f Finding) Finding {
	f = withheldCommands(f)
	f.ID, f.Title, f.Service, f.Resource, f.Message = sanitize.Line(f.ID), sanitize.Line(f.Title), sanitize.Line(f.Service), sanitize.Line(f.Resource), sanitize.Line(f.Message)
	f.Docs, f.Source = sanitize.Line(f.Docs), sanitize.Line(f.Source)
	if f.Remediation != nil {
		r := &Remediation{Text: sanitize.Line(f.Remediation.Text), Commands: make([]string, 0, len(f.Remediation.Commands))}
		for _, c := range f.Remediation.Commands {
			r.Commands = append(r.Commands, sanitize.Line(c))
		}
		f.Remediation = r
	}
	return f
}

// withheldCommands drops the commands sanitize.Command refused to build, because a value they
// would carry is not a valid name, and says so in the finding: the run completes and
// reports what it found, but no reviewer is handed a command built from hostile input.
func withheldCommands(f Finding) Finding {
	if f.Remediation == nil {
		return f
	}
	kept := make([]string, 0, len(f.Remediation.Commands))
	var bad []string
	for _, c := range f.Remediation.Commands {
		if value, ok := sanitize.Withheld(c); ok {
			bad = append(bad, value)
			continue
		}
		kept = append(kept, c)
	}
	if len(bad) == 0 {
		return f
	}
	r := *f.Remediation
	r.Commands = kept
	f.Remediation = &r
	f.Message += fmt.Sprintf(" (%q is not a valid Google Cloud name, so the remediation command that would carry it is left out)", bad[0])
	return f
}
