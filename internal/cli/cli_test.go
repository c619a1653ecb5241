package cli_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/internal/cli"
)

func TestParseAndUsageExit(t *testing.T) {
	parse := func(args ...string) error {
		fs := flag.NewFlagSet("prog", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Int("n", 0, "")
		return cli.Parse(fs, args)
	}
	var out bytes.Buffer
	require.NoError(t, parse("-n", "3"))
	require.ErrorIs(t, parse("-h"), flag.ErrHelp)
	require.Equal(t, cli.ExitOK, cli.UsageExit("prog", parse("-h"), &out))
	require.ErrorIs(t, parse("-x"), cli.ErrFlagsPrinted)
	require.Equal(t, cli.ExitUsage, cli.UsageExit("prog", parse("-x"), &out))
	require.Empty(t, out.String())
	err := parse("-n", "3", "extra")
	require.ErrorContains(t, err, `unexpected argument "extra"`)
	require.Equal(t, cli.ExitUsage, cli.UsageExit("prog", errors.Join(err), &out))
	require.Equal(t, "prog: unexpected argument \"extra\" (all options are flags; see -h)\n", out.String())
}

func TestFailer(t *testing.T) {
	var out bytes.Buffer
	fail := cli.Failer("prog", &out)
	require.Equal(t, cli.ExitFailure, fail(cli.ExitFailure, "connect: %v", errors.New("refused")))
	require.Equal(t, cli.ExitUsage, fail(cli.ExitUsage, "100%% sure"))
	require.Equal(t, "prog: connect: refused\nprog: 100% sure\n", out.String())
}
