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
			{N: 3, Seconds: 0.0004, BytesTotal: 2704, ModelBytes: 1900},
			{N: 50, Seconds: 0.05, BytesTotal: 2.3e6, ModelBytes: 1.9e6},
			{N: 50, Generic: true, Seconds: 0.06, BytesTotal: 4.2e6},
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
	require.Contains(t, svg, "Cohort, default path")
	require.Contains(t, svg, "thesis: n = 100 could not run")
}
