package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// The inputs of check: a snapshot directory (or, without one, the live APIs), and what a
// pipeline is about to deploy (a service file, a Terraform plan), applied on top of it.
// docs/ci.md is the user's guide to the CI gate.

// inputFlags say what check reads.
func inputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "from", Usage: "snapshot directory: gcloud describe/list output, YAML or JSON, any file names (without it: the live APIs)"},
		&cli.BoolFlag{Name: "all", Usage: "with --from: check every service (of --region, if given) that has VPC egress or a Redis-looking env, in one report, as a live run without --service does"},
		&cli.StringFlag{Name: "service-file", Usage: "the Cloud Run service about to be deployed: a service.yaml (Knative) or Cloud Run v2 JSON; it replaces the snapshot's or live service"},
		&cli.StringFlag{Name: "terraform-plan", Usage: "the output of `terraform show -json PLAN`: what the plan creates or changes replaces the snapshot's or live resources"},
	}
}

// inputs is what the input flags say.
type inputs struct {
	from, serviceFile, terraformPlan string
	all                              bool
}

func inputsFrom(c *cli.Context) inputs {
	return inputs{from: c.String("from"), all: c.Bool("all"), serviceFile: c.String("service-file"), terraformPlan: c.String("terraform-plan")}
}

// refuseOverwrite is a usage error when an --output path would overwrite what the run
// reads: the --service-file or --terraform-plan file, or a file in (or the whole of) the
// --from directory, where the report would also be read as input by the next run.
func (in inputs) refuseOverwrite(outputs []outputSpec) error {
	for _, spec := range outputs {
		if spec.path == "" {
			continue
		}
		for _, input := range []struct{ flag, path string }{{"--service-file", in.serviceFile}, {"--terraform-plan", in.terraformPlan}} {
			if input.path != "" && sameFile(spec.path, input.path) {
				return usage("--output %s=%s: that is the %s file; name another path", spec.format, spec.path, input.flag)
			}
		}
		if in.from != "" && within(spec.path, in.from) {
			return usage("--output %s=%s: that is inside the --from directory, whose every file is read as input; name a path outside it", spec.format, spec.path)
		}
	}
	return nil
}

// sameFile reports whether two paths name one existing file (through links and other
// spellings of the path).
func sameFile(a, b string) bool {
	ai, err := os.Stat(a)
	if err != nil {
		return false
	}
	bi, err := os.Stat(b)
	return err == nil && os.SameFile(ai, bi)
}

// within reports whether path is dir or lies beneath it, comparing the directories with
// their links resolved (the file itself may not exist yet).
func within(path, dir string) bool {
	resolve := func(p string) (string, bool) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", false
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			return real, true
		}
		return abs, true
	}
	d, ok := resolve(dir)
	if !ok {
		return false
	}
	parent, ok := resolve(filepath.Dir(path))
	if !ok {
		return false
	}
	target := filepath.Join(parent, filepath.Base(path))
	rel, err := filepath.Rel(d, target)
	return err == nil && (rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))))
}

// load reads the inventory: the snapshot directory, else the live APIs for the selection
// (whose project and region then come from the flags, the environment or the gcloud
// configuration), with the deploy's files applied on top. It returns the selector to
// check and the report's target.
func (in inputs) load(ctx context.Context, sel selection) (*inventory.Inventory, inventory.Selector, report.Target, error) {
	var inv *inventory.Inventory
	var target report.Target
	selector := sel.selector(in.all)
	if in.from != "" {
		var err error
		if inv, err = snapshot.LoadDir(in.from); err != nil {
			return nil, selector, target, inputError(err)
		}
		target = report.Target{Source: "snapshot", Input: in.from}
	} else {
		opts, err := sel.live()
		if err != nil {
			return nil, selector, target, err
		}
		if inv, err = live.Load(ctx, opts); err != nil {
			return nil, selector, target, liveError(err)
		}
		selector.Project, selector.Region = opts.Project, opts.Region
		selector.All = selector.Service == ""
		target = report.Target{Source: "live"}
	}
	if err := in.apply(ctx, inv, sel.timeout); err != nil {
		return nil, selector, target, err
	}
	in.retarget(&target)
	return inv, selector, target, nil
}

// apply puts the deploy described by --terraform-plan and --service-file into the
// inventory, before any check reads it. The plan goes first, so a service file (the most
// specific description of what is deployed) wins over the plan's service. A bad file is a
// one-line error naming it, exit 2. timeout bounds reading the plan (a plan is data from a
// pull request).
func (in inputs) apply(ctx context.Context, inv *inventory.Inventory, timeout time.Duration) error {
	if path := in.terraformPlan; path != "" {
		data, err := readInput(path, terraform.MaxPlanBytes)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		err = terraform.ApplyPlanContext(ctx, inv, data, path)
		cancel()
		if err != nil {
			return inputError(err)
		}
	}
	if path := in.serviceFile; path != "" {
		data, err := readInput(path, inventory.MaxFileBytes)
		if err != nil {
			return err
		}
		file := &inventory.Inventory{}
		if err := snapshot.AddFile(file, path, data); err != nil {
			return inputError(err)
		}
		if len(file.Services) == 0 {
			return usage("%s: holds no Cloud Run service (give the service.yaml or Cloud Run v2 JSON you deploy)", path)
		}
		if len(file.Services) > 1 {
			return usage("%s: holds %d Cloud Run services; give the one you deploy", path, len(file.Services))
		}
		// The file is what will run: it replaces every service of the snapshot or live
		// inventory, so the check is about it without --service.
		inv.Services = file.Services
		inv.Reindex()
		inv.MarkListed(inventory.KindService)
		if inv.Sources == nil {
			inv.Sources = map[string]string{}
		}
		for name, source := range file.Sources {
			inv.Sources[name] = source
		}
	}
	return nil
}

// retarget marks the report target as a check of a deploy described by a file: results are
// then located on that file (SARIF locations, GitHub annotations). The service file is the
// more precise location when both are given.
func (in inputs) retarget(target *report.Target) {
	for _, path := range []string{in.serviceFile, in.terraformPlan} {
		if path != "" {
			target.Source, target.Input = "plan", path
			return
		}
	}
}

// hostsTrusted is true when the instances come from the live APIs alone, whose answers
// the user's own credentials fetched from Google; a snapshot or a plan was written by
// someone else.
func (in inputs) hostsTrusted() bool {
	return in.from == "" && in.terraformPlan == ""
}

// readInput reads a file named by a flag: a regular file of at most limit bytes, or a
// one-line usage error naming it (exit 2).
func readInput(path string, limit int64) ([]byte, error) {
	data, err := inventory.ReadInputFile(path, limit)
	if err != nil {
		return nil, inputError(err)
	}
	return data, nil
}
