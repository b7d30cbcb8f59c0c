package main

import (
	"bytes"
	"context"
	"reflect"
	"testing"
)

func TestParseGoldenPackages(t *testing.T) {
	list := "github.com/vpcdoctor/vpcdoctor bytes github.com/vpcdoctor/vpcdoctor/internal/golden testing\n" +
		"github.com/vpcdoctor/vpcdoctor/firewall testing\n" +
		"github.com/vpcdoctor/vpcdoctor/internal/sanitize \n" +
		"github.com/vpcdoctor/vpcdoctor/report github.com/vpcdoctor/vpcdoctor/internal/golden\n"
	got := parseGoldenPackages(list)
	want := []string{"github.com/vpcdoctor/vpcdoctor", "github.com/vpcdoctor/vpcdoctor/report"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRunTakesNoArguments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"./checks"}, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
		t.Errorf("exit %d, stderr %q; want 2 and a usage line", code, stderr.String())
	}
}
