// Command chengyun is the city operations command center: `chengyun serve` runs it,
// `chengyun verify` checks the event log's hash chain, `chengyun reset-password` lets a locked-out
// admin back in, `chengyun simulate` drives a server like its city would.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "verify":
		var code int
		code, err = verify(os.Args[2:], os.Stdout)
		if err == nil {
			os.Exit(code)
		}
	case "simulate":
		err = simulate(os.Args[2:], os.Stdout)
	case "rebuild":
		err = rebuild(os.Args[2:], os.Stdout)
	case "reset-password":
		err = resetPassword(os.Args[2:], os.Stdout)
	case "version":
		fmt.Println(version)
	case "help", "-h", "--help":
		usage()
	default:
		fmt.Fprintf(os.Stderr, "chengyun: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chengyun:", err)
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `chengyun — city operations command center (城运)

Usage:
  chengyun serve  [flags]   run the server (chengyun serve --help lists flags and CHENGYUN_* variables)
  chengyun verify [flags]   walk the event log and check its hash chain
  chengyun rebuild [flags] [projection ...]
                            drop read models and replay them from the log (stop the server first)
  chengyun reset-password --login admin
                            give a user a new one-time password (stop an embedded store's server first)
  chengyun simulate [flags] simulate the city's citizens and staff against a running server;
                            with --rate N a load test reporting rate and latency percentiles
  chengyun version          print the version
`)
}
