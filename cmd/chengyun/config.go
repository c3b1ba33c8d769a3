package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// flags is a flag set whose every flag can also come from a CHENGYUN_* environment variable;
// a flag given on the command line wins over the variable.
type flags struct {
	*flag.FlagSet
}

func newFlags(name, summary string) flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: chengyun %s [flags]\n\n%s\n\nFlags (each also read from the environment variable shown):\n", name, summary)
		fs.PrintDefaults()
	}
	return flags{fs}
}

func envName(flagName string) string {
	return "CHENGYUN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f flags) string(name, def, usage string) *string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	return f.String(name, def, usage+" (env "+envName(name)+")")
}

func (f flags) duration(name string, def time.Duration, usage string) *time.Duration {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if d, err := time.ParseDuration(v); err == nil {
			def = d
		} else {
			fmt.Fprintf(os.Stderr, "chengyun: ignoring %s=%q: %v\n", envName(name), v, err)
		}
	}
	return f.Duration(name, def, usage+" (env "+envName(name)+")")
}

func (f flags) float(name string, def float64, usage string) *float64 {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			def = x
		} else {
			fmt.Fprintf(os.Stderr, "chengyun: ignoring %s=%q: %v\n", envName(name), v, err)
		}
	}
	return f.Float64(name, def, usage+" (env "+envName(name)+")")
}

func (f flags) int(name string, def int, usage string) *int {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if n, err := strconv.Atoi(v); err == nil {
			def = n
		} else {
			fmt.Fprintf(os.Stderr, "chengyun: ignoring %s=%q: %v\n", envName(name), v, err)
		}
	}
	return f.Int(name, def, usage+" (env "+envName(name)+")")
}

func (f flags) bool(name string, def bool, usage string) *bool {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			def = b
		} else {
			fmt.Fprintf(os.Stderr, "chengyun: ignoring %s=%q: %v\n", envName(name), v, err)
		}
	}
	return f.Bool(name, def, usage+" (env "+envName(name)+")")
}

// storeFlags are shared by every command that opens the event store.
type storeFlags struct {
	url      *string
	pgSchema *string
}

func addStoreFlags(f flags) storeFlags {
	return storeFlags{
		url:      f.string("store", "var/data", "event store: a directory for the embedded store, postgres://… for PostgreSQL, esdb://… or kurrentdb://… for KurrentDB"),
		pgSchema: f.string("pg-schema", "chengyun", "PostgreSQL schema that holds the event tables"),
	}
}

func newLogger(level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}
