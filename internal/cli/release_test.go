package cli

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestReleaseConfig checks .goreleaser.yaml (goreleaser itself is not installed where the
// tests run; `goreleaser check` validates the file where it is): static builds carrying
// their version, the archive and checksum names action.yml downloads, SHA-256.
func TestReleaseConfig(t *testing.T) {
	data, err := os.ReadFile(repoPath(".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var config struct {
		Version int    `yaml:"version"`
		Project string `yaml:"project_name"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Binary  string   `yaml:"binary"`
			Env     []string `yaml:"env"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
		Archives []struct {
			Formats      []string `yaml:"formats"`
			NameTemplate string   `yaml:"name_template"`
			Overrides    []struct {
				Goos    string   `yaml:"goos"`
				Formats []string `yaml:"formats"`
			} `yaml:"format_overrides"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
	}
	if err := yaml.Unmarshal(data, &config); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if config.Version != 2 || config.Project != "vpcdoctor" || len(config.Builds) != 1 || len(config.Archives) != 1 {
		t.Fatalf("unexpected shape: %+v", config)
	}
	build := config.Builds[0]
	if build.Binary != "vpcdoctor" || !slices.Contains(build.Env, "CGO_ENABLED=0") ||
		!strings.Contains(strings.Join(build.Ldflags, " "), "-X github.com/vpcdoctor/vpcdoctor/internal/cli.version={{ .Tag }}") {
		t.Errorf("build %+v: want a static vpcdoctor binary with its version", build)
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(build.Goos, goos) {
			t.Errorf("no %s build", goos)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(build.Goarch, arch) {
			t.Errorf("no %s build", arch)
		}
	}
	archive := config.Archives[0]
	if archive.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" || !slices.Equal(archive.Formats, []string{"tar.gz"}) {
		t.Errorf("archive %+v", archive)
	}
	if config.Checksum.Algorithm != "sha256" || config.Checksum.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_checksums.txt" {
		t.Errorf("checksum %+v", config.Checksum)
	}
	// The names the action and the GitLab example download.
	action, _ := os.ReadFile(repoPath("action.yml"))
	gitlab, _ := os.ReadFile(repoPath("docs", "examples", "gitlab-ci.yml"))
	for _, want := range []string{`vpcdoctor_${number}_${os}_${arch}.tar.gz`, `vpcdoctor_${number}_checksums.txt`, "sha256sum -c"} {
		if !strings.Contains(string(action), want) {
			t.Errorf("action.yml does not download %s", want)
		}
	}
	for _, want := range []string{`vpcdoctor_${number}_linux_amd64.tar.gz`, `vpcdoctor_${number}_checksums.txt`, "sha256sum -c"} {
		if !strings.Contains(string(gitlab), want) {
			t.Errorf("the GitLab example does not download %s", want)
		}
	}
}
