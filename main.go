// Command vpcdoctor answers one question: why can't my Cloud Run service reach its
// Memorystore for Redis instance? It reads every hop of the path (service, connector or
// Direct VPC, network, Redis), runs ordered checks, and prints the broken hop and the fix.
// The commands live in internal/cli.
package main

import (
	"os"

	"github.com/vpcdoctor/vpcdoctor/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args, os.Stdout, os.Stderr)) }
