// Package cli holds what the example programs share: exit codes and the
// handling of flag errors.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit codes of the example programs.
const (
	ExitOK      = 0
	ExitFailure = 1 // the computation, a connection or a check failed
	ExitUsage   = 2 // invalid flags, configuration or data
	// ExitInterrupted: stopped by a signal (Ctrl-C or SIGTERM), as shells
	// report a program that SIGINT ended (128 + 2).
	ExitInterrupted = 130
)

// ErrFlagsPrinted reports invalid flags whose error the flag package has
// already printed, with the usage.
var ErrFlagsPrinted = errors.New("invalid flags")

// Parse parses args with fs, which must print its own errors
// (flag.ContinueOnError), and refuses positional arguments. It returns
// flag.ErrHelp for -h, ErrFlagsPrinted for an error already printed, or an
// error still to print.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return ErrFlagsPrinted
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (all options are flags; see -h)", fs.Arg(0))
	}
	return nil
}

// UsageExit turns an error from parsing or checking flags into an exit
// code, printing it as "prog: err" unless the flag package already has.
// It returns ExitOK for -h.
func UsageExit(prog string, err error, stderr io.Writer) int {
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.Is(err, ErrFlagsPrinted):
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return ExitUsage
	}
}

// Failer returns a function that prints "prog: " and a formatted message
// on its own line to stderr and returns code, for a program's run function
// to end with: return fail(cli.ExitFailure, "connect: %v", err).
func Failer(prog string, stderr io.Writer) func(code int, format string, args ...any) int {
	return func(code int, format string, args ...any) int {
		fmt.Fprintf(stderr, "%s: %s\n", prog, fmt.Sprintf(format, args...))
		return code
	}
}
