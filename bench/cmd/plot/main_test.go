package main

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/bench/internal/scaling"
)

func TestFigureIsWellFormedSVG(t *testing.T) {
	res := scaling.Results{
		Rows: []scaling.Row{
			{N: 3, Protocol: scaling.Bitwise, Seconds: 0.0004, BytesTotal: 2704, ModelBytes: 1900},
			{N: 50, Protocol: scaling.Bitwise, Seconds: 0.02, BytesTotal: 0.4e6, ModelBytes: 0.18e6},
			{N: 50, Protocol: scaling.Tournament, Seconds: 0.06, BytesTotal: 2.3e6},
		},
		Thesis: scaling.Thesis,
	}
	svg := figure(res)
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	require.Contains(t, svg, "Cohort, bitwise (default)")
	require.Contains(t, svg, "Cohort, tournament (v1)")
	require.Contains(t, svg, "thesis: n = 100 could not run")
}
