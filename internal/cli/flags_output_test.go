package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// withCIFlags runs action with a context parsed from args against the CI and output flags,
// as check will once it carries them. It returns the action's error.
func withCIFlags(t *testing.T, args []string, action func(c *cli.Context) error) error {
	t.Helper()
	var out bytes.Buffer
	app := &cli.App{
		Name: "vpcdoctor", Writer: &out, ErrWriter: &out,
		Flags:          concatFlags(inputFlags(), outputFlags(), []cli.Flag{outputListFlag()}),
		Action:         action,
		ExitErrHandler: func(*cli.Context, error) {},
	}
	return app.Run(append([]string{"vpcdoctor"}, args...))
}

func TestParseOutputs(t *testing.T) {
	tests := []struct {
		args    []string
		want    []outputSpec
		wantErr string
	}{
		// Without --output, --format's report streams to stdout: no outputs to write after.
		{args: nil, want: nil},
		{args: []string{"--format", "json"}, want: nil},
		{args: []string{"--output", "text", "--output", "sarif=testdata/vpcdoctor.sarif", "--output", "JUnit=vpcdoctor.xml"},
			want: []outputSpec{{format: "text"}, {format: "sarif", path: "testdata/vpcdoctor.sarif"}, {format: "junit", path: "vpcdoctor.xml"}}},
		{args: []string{"--output", "github", "--output", "markdown=summary.md", "--output", "json=r.json"},
			want: []outputSpec{{format: "github"}, {format: "markdown", path: "summary.md"}, {format: "json", path: "r.json"}}},
		{args: []string{"--output", "pdf=x"}, wantErr: `unknown format "pdf"`},
		{args: []string{"--output", "html=page.html"}, want: []outputSpec{{format: "html", path: "page.html"}}},
		// Line-oriented logs share stdout; a document format must be alone there.
		{args: []string{"--output", "text", "--output", "github"}, want: []outputSpec{{format: "text"}, {format: "github"}}},
		{args: []string{"--output", "github", "--output", "gitlab=gl-code-quality-report.json", "--output", "jsonl=r.jsonl"},
			want: []outputSpec{{format: "github"}, {format: "gitlab", path: "gl-code-quality-report.json"}, {format: "jsonl", path: "r.jsonl"}}},
		{args: []string{"--output", "text", "--output", "json"}, wantErr: "only text and github can share stdout; give json a path"},
		{args: []string{"--output", "sarif", "--output", "github"}, wantErr: "only text and github can share stdout; give sarif a path"},
		{args: []string{"--output", "github", "--output", "github"}, wantErr: "already goes to stdout"},
		{args: []string{"--output", "sarf=x"}, wantErr: `unknown format "sarf"; did you mean "sarif"?`},
		{args: []string{"--output", "sarif=a", "--output", "junit=a"}, wantErr: "two reports would be written to a"},
		{args: []string{"--output", "sarif="}, wantErr: "empty path"},
		{args: []string{"--format", "json", "--output", "sarif=a"}, wantErr: "cannot be combined"},
		// Refused before any check runs: a missing directory, a directory.
		{args: []string{"--output", "sarif=out/vpcdoctor.sarif"}, wantErr: "no such directory: out"},
		{args: []string{"--output", "sarif=testdata"}, wantErr: "is a directory"},
	}
	for _, tt := range tests {
		var got []outputSpec
		err := withCIFlags(t, tt.args, func(c *cli.Context) error {
			var err error
			got, err = parseOutputs(c, outputOptions{})
			return err
		})
		if tt.wantErr != "" {
			if exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want exit 2 with %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%v: %+v, want %+v", tt.args, got, tt.want)
			continue
		}
		for i := range got {
			if got[i].format != tt.want[i].format || got[i].path != tt.want[i].path || got[i].color {
				t.Errorf("%v: spec %d = %+v, want %+v (uncolored: stdout is not a terminal)", tt.args, i, got[i], tt.want[i])
			}
		}
	}
}
