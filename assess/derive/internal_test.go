package derive

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVectorScore(t *testing.T) {
	tests := []struct {
		vec, hint string
		score     float64
		version   string
		err       string
	}{
		{vec: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 9.8, version: CVSS31},
		{vec: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 8.1, version: CVSS30},
		{vec: "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", hint: CVSS31, score: 8.8, version: CVSS31}, // prefix-less, as CycloneDX writes it
		{vec: "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", score: 8.8, version: CVSS31},               // prefix-less, version inferred
		{vec: "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", hint: CVSS30, score: 9.8, version: CVSS30},
		{vec: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", score: 9.3, version: CVSS40},
		{vec: "AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", score: 9.3, version: CVSS40},
		{vec: "AV:N/AC:L/Au:N/C:P/I:P/A:P", score: 7.5, version: CVSS2},
		{vec: "(AV:N/AC:L/Au:N/C:P/I:P/A:P)", score: 7.5, version: CVSS2},    // NVD's v2 form
		{vec: "CVSS2#AV:N/AC:L/Au:N/C:C/I:C/A:C", score: 10, version: CVSS2}, // Nessus' v2 form
		{vec: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:P", score: 10, version: CVSS31},
		{vec: "CVSS:5.0/AV:N", err: "unknown version"},
		{vec: "", err: "empty CVSS vector"},
		{vec: "AV:N/AC:L", hint: "9.9", err: "not 2.0, 3.0, 3.1 or 4.0"},
		{vec: "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", err: "CVSS v3.1 vector"},
	}
	for _, tt := range tests {
		t.Run(tt.vec, func(t *testing.T) {
			score, version, err := vectorScore(tt.vec, tt.hint)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.score, score)
			assert.Equal(t, tt.version, version)
		})
	}
}

func TestLabels(t *testing.T) {
	for label, want := range map[string]int{
		"CRITICAL": 90, "Critical": 90, "high": 70, "Important": 70, "medium": 40, "MODERATE": 40, "low": 10, " Low ": 10,
	} {
		got, ok := bandOf(label)
		assert.True(t, ok, label)
		assert.Equal(t, want, got, label)
	}
	for _, label := range []string{"", "unknown", "UNKNOWN", "negligible", "none", "info", "Log", "severe"} {
		_, ok := bandOf(label)
		assert.False(t, ok, label)
	}
	for _, label := range []string{"negligible", "Unimportant", "none", "info", "informational", "Log", "debug"} {
		assert.True(t, isInformational(label), label)
	}
	for _, label := range []string{"", "unknown", "low", "critical"} {
		assert.False(t, isInformational(label), label)
	}
	for tenths, want := range map[int]string{100: "critical", 90: "critical", 89: "high", 70: "high", 69: "medium", 40: "medium", 39: "low", 1: "low", 0: "none"} {
		assert.Equal(t, want, labelOfScore(tenths), tenths)
	}
}

// TestScoreTiers checks the order in which the profile takes a finding's
// one score.
func TestScoreTiers(t *testing.T) {
	nvd3 := Score{Source: "nvd", Version: CVSS31, Value: 7.5}
	nvd30 := Score{Source: "nvd", Version: CVSS30, Value: 7.8}
	vendor3 := Score{Source: "redhat", Version: CVSS31, Value: 8.1}
	vendor3b := Score{Source: "ghsa", Version: CVSS31, Value: 8.6}
	vector3 := Score{Source: "ghsa", Version: CVSS31, Value: -1, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}
	v4 := Score{Source: "osv", Version: CVSS40, Value: 9.3}
	unversioned := Score{Source: "sarif", Value: 6.1}
	v2 := Score{Source: "nvd", Version: CVSS2, Value: 9.3}
	bad := Score{Source: "osv", Version: CVSS31, Value: -1, Vector: "CVSS:3.1/nonsense"}
	tests := []struct {
		name   string
		scores []Score
		labels []string
		tenths int
		tier   tier
		from   string
		warns  int
	}{
		{"NVD v3 first", []Score{v2, v4, vendor3, nvd3, unversioned}, []string{"critical"}, 75, tierNVD3, "NVD CVSS v3.1", 0},
		{"highest NVD v3 of two", []Score{nvd3, nvd30}, nil, 78, tierNVD3, "NVD CVSS v3.0", 0},
		{"vendor v3 next, the highest", []Score{v4, vendor3, vendor3b, unversioned}, nil, 86, tierVendor3, "CVSS v3.1 from ghsa", 0},
		{"vector without a score", []Score{vector3, v4}, nil, 75, tierVendor3, "CVSS v3.1 from ghsa, computed from its vector", 0},
		{"v4 next", []Score{v4, unversioned, v2}, []string{"low"}, 93, tierV4, "CVSS v4.0 from osv", 0},
		{"unversioned next", []Score{unversioned, v2}, []string{"critical"}, 61, tierUnversioned, "score of unstated version from sarif", 0},
		{"label before v2", []Score{v2}, []string{"medium", "high"}, 70, tierLabel, `severity label "high", its band's lower bound`, 0},
		{"v2 last", []Score{v2}, []string{"unknown"}, 93, tierV2, "CVSS v2 from nvd, the last resort", 0},
		{"label only", nil, []string{"moderate"}, 40, tierLabel, `severity label "moderate", its band's lower bound`, 0},
		{"bad vector skipped", []Score{bad, unversioned}, nil, 61, tierUnversioned, "score of unstated version from sarif", 1},
		{"nothing", []Score{bad}, []string{"unknown"}, -1, 0, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &merged{key: findingKey{"CVE-1", "a", "c"}, scores: tt.scores, labels: map[string]bool{}}
			for _, l := range tt.labels {
				m.labels[normLabel(l)] = true
			}
			warns := m.score()
			assert.Len(t, warns, tt.warns)
			assert.Equal(t, tt.tier, m.tier)
			if tt.tier != 0 {
				assert.Equal(t, tt.tenths, m.tenths)
				assert.Equal(t, tt.from, m.from)
			}
		})
	}
}

func TestResolveIDs(t *testing.T) {
	mk := func(id string, aliases ...string) *entry {
		return &entry{f: &Finding{ID: id, Aliases: aliases, Asset: "A", Component: "C@1"}}
	}
	entries := []*entry{
		mk("CVE-2021-44228"),
		mk("GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228"),
		mk("GO-2024-2687", "GHSA-4v7x-pqxf-cx7m"),   // no CVE itself: one through the GHSA
		mk("GHSA-4v7x-pqxf-cx7m", "cve-2023-45288"), // lower case
		mk("NESSUS-201198", "CVE-2024-38474", "CVE-2024-38476"),
		mk("GHSA-aaaa-bbbb-cccc"), // no CVE anywhere
		mk("CVE-2024-38474"),      // stays itself though a plugin lists it with another
		mk("CVE-2020-0001", "CVE-2020-0002"),
	}
	resolveIDs(entries)
	var got []string
	for _, e := range entries {
		got = append(got, e.key.Vuln)
	}
	assert.Equal(t, []string{
		"CVE-2021-44228", "CVE-2021-44228", "CVE-2023-45288", "CVE-2023-45288",
		"NESSUS-201198", "GHSA-AAAA-BBBB-CCCC", "CVE-2024-38474", "CVE-2020-0001",
	}, got)
	assert.Equal(t, findingKey{"CVE-2021-44228", "a", "c@1"}, entries[0].key)
}

func TestDates(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"2025-03-14T09:30:12.345678+01:00", utc(2025, 3, 14, 8, 30).Add(12*time.Second + 345678*time.Microsecond)},
		{"2025-03-14T06:12:40Z", utc(2025, 3, 14, 6, 12).Add(40 * time.Second)},
		{"2025-03-14T12:55:00+0000", utc(2025, 3, 14, 12, 55)},
		{"2025-03-14", utc(2025, 3, 14, 0, 0)},
	} {
		got, err := parseReportTime(tt.in, nil)
		require.NoError(t, err, tt.in)
		assert.True(t, tt.want.Equal(got), "%s: %v", tt.in, got)
	}
	_, err := parseReportTime("Fri Mar 14 09:12:54 2025", nil)
	require.ErrorContains(t, err, "has no time zone")
	got, err := parseReportTime("Fri Mar 14 09:12:54 2025", time.FixedZone("CET", 3600))
	require.NoError(t, err)
	assert.True(t, utc(2025, 3, 14, 8, 12).Add(54*time.Second).Equal(got))
	_, err = parseReportTime("yesterday", nil)
	require.ErrorContains(t, err, "not a date and time")

	for in, want := range map[string]time.Time{
		"2024/07/01":                utc(2024, 7, 1, 0, 0),
		"2021-12-10T10:15:00Z":      utc(2021, 12, 10, 0, 0),
		"2021-12-10T23:15:00-02:00": utc(2021, 12, 11, 0, 0), // the UTC day
		"2021-12-10T10:15:00":       utc(2021, 12, 10, 0, 0),
	} {
		got, err := parseDay(in)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%s: %v", in, got)
	}
	_, err = parseDay("2021-13-45")
	require.ErrorContains(t, err, `"2021-13-45" is not a date`)
	assert.Equal(t, 365, daysBetween(utc(2024, 3, 14, 0, 0), utc(2025, 3, 14, 0, 0)))
	assert.Equal(t, 739323, daysBetween(time.Time{}, utc(2025, 3, 14, 0, 0)))
}

func TestImageRepo(t *testing.T) {
	for in, want := range map[string]string{
		"registry.example/shop:1.4":            "registry.example/shop",
		"registry.example:5000/shop":           "",
		"registry.example:5000/shop:2":         "registry.example:5000/shop",
		"registry.example/shop@sha256:0f1e2d3": "registry.example/shop",
		"10.0.8.21":                            "",
	} {
		assert.Equal(t, want, imageRepo(in), in)
	}
}
