// Package sanitize makes a value read from untrusted input (a snapshot, a plan, a service file,
// an API answer, a Redis reply) safe for the sink it is written to. vpcdoctor runs as a CI gate
// on what a pull request wrote, so every name it prints may have been chosen by an attacker:
// each sink gets the one function that neutralises what is special to it.
package sanitize

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s as one printable line: control characters (C0, DEL, C1), Unicode format
// characters (bidirectional overrides, zero-width joiners), line and paragraph separators and
// invalid UTF-8 are written as Go-style escapes (\n, \x1b, \u202e). A terminal, a CI log or a
// GitHub workflow-command parser therefore never sees an escape sequence or a new line that
// came from input, so input cannot start a line of its own (such as "::error") or recolour one.
func Line(s string) string {
	if isPlainLine(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case needsEscape(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func isPlainLine(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// needsEscape reports whether r may not reach a terminal or a log verbatim.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) || r == utf8.RuneError
}

// shellSafe are the bytes a POSIX shell word may hold without quoting.
func shellSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("@%+=:,./_-", c) >= 0
}

// Shell quotes s as one POSIX shell word: unchanged when it holds only characters no shell
// treats specially, else in single quotes (a quote inside written as '\”). The result, pasted
// into sh, bash or zsh, is exactly one argument whose value is s.
func Shell(s string) string {
	if s == "" {
		return "''"
	}
	plain := true
	for i := 0; i < len(s); i++ {
		if !shellSafe(s[i]) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// markdownPunct are the ASCII characters CommonMark lets a backslash escape and that could
// start emphasis, a link, a heading, a list, a table cell or an autolink.
const markdownPunct = "\\`*_{}[]()#+-.!|~^$:"

// MarkdownText escapes s for Markdown prose or a table cell (GitHub Flavored Markdown): HTML
// metacharacters become entities, Markdown punctuation is backslash-escaped, and the result
// is one line (see Line), so input can neither add HTML, links, emphasis or table columns nor
// end the surrounding block.
func MarkdownText(s string) string {
	s = Line(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			if r < utf8.RuneSelf && strings.ContainsRune(markdownPunct, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MarkdownCode returns s as an inline code span: its content is shown literally (code spans
// interpret neither HTML nor Markdown), delimited by a run of backticks longer than any in s.
// In a table cell pass inTable, so that a '|' cannot end the cell (GFM reads "\|" as '|' there).
func MarkdownCode(s string, inTable bool) string {
	s = Line(s)
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s == "" {
		return "` `"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// MarkdownFence returns lines as a fenced code block with the given info string (such as
// "sh"): each line is made one printable line (see Line) and the fence is longer than any
// backtick run in the content, so no line can close the block early.
func MarkdownFence(info string, lines []string) string {
	safe := make([]string, len(lines))
	longest := 0
	for i, l := range lines {
		safe[i] = Line(l)
		if n := longestRun(safe[i], '`'); n > longest {
			longest = n
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + Line(info) + "\n" + strings.Join(safe, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// XML returns s with every character XML 1.0 forbids (most C0 controls, unpaired surrogates,
// U+FFFE/U+FFFF) and invalid UTF-8 written as visible escapes, so a document that carries
// input stays well-formed; markup characters are left to the XML encoder.
func XML(s string) string {
	ok := true
	for _, r := range s {
		if !xmlChar(r) {
			ok = false
			break
		}
	}
	if ok && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !xmlChar(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// Words is a piece of shell syntax that is already safe: a literal fragment of a command,
// or a command Command built. Command pastes a Words argument as it is.
type Words string

// withheldMark starts the text Command returns instead of a command that would have had to
// carry a value no name can be. It holds a NUL byte, which no argument Command accepts can
// contain, so no real command can carry it by accident.
const withheldMark = "\x00withheld\x00"

// Command formats a shell command like fmt.Sprintf, with each string argument (or
// fmt.Stringer) checked by IsName and written as one shell word by Shell; numbers and
// booleans are formatted as usual, and Words are pasted as they are. When an argument is
// not a name, Command returns a withheld marker instead of a command: Withheld recognises
// it (also inside a longer command built from it), so the caller can leave the command out
// and say why. A command from Command, pasted into sh, bash or zsh, therefore runs exactly
// the program and arguments its format names, with the values given.
func Command(format string, args ...any) string {
	quoted := make([]any, len(args))
	for i, arg := range args {
		var value string
		switch v := arg.(type) {
		case Words:
			quoted[i] = string(v)
			continue
		case string:
			value = v
		case fmt.Stringer:
			value = v.String()
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, bool:
			quoted[i] = v
			continue
		default:
			value = fmt.Sprint(v)
		}
		if !IsName(value) {
			return withheldMark + value + "\x00"
		}
		quoted[i] = Shell(value)
	}
	return fmt.Sprintf(format, quoted...)
}

// Withheld reports whether cmd is (or was built from) a command Command refused to build,
// and the value that was not a name.
func Withheld(cmd string) (value string, ok bool) {
	_, rest, found := strings.Cut(cmd, withheldMark)
	if !found {
		return "", false
	}
	value, _, _ = strings.Cut(rest, "\x00")
	return value, true
}

// maxNameLength bounds a name: Google Cloud's longest names (full resource paths of
// subnetworks and firewall rules, 255-character secret IDs) are far shorter.
const maxNameLength = 1024

// IsName reports whether s can be a Google Cloud name, ID or value that a remediation
// command carries: a project ID (also domain-scoped, example.com:project), a region, a
// resource name or a full resource path, a secret ID, a service account e-mail, a network
// tag, a CIDR range, an IP address or DNS name, an environment variable name. Every one of
// these is ASCII letters, digits and "-_.:/@", and starts with a letter or a digit. Anything
// else (a space, a quote, "$", ";", "|", a backtick, a control character) is no name Google
// Cloud accepts, so it came from corrupt or hostile input and must not reach a shell. The
// empty string is allowed: Shell writes it as an empty quoted word.
func IsName(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > maxNameLength || !isAlnum(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && strings.IndexByte("-_.:/@", c) < 0 {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
