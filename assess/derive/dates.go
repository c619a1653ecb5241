package derive

import (
	"fmt"
	"strings"
	"time"
)

// zonedLayouts are the forms of a time with a zone that reports use.
var zonedLayouts = []string{
	time.RFC3339, // fractional seconds are accepted too
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -0700 MST",
	time.RFC1123Z,
	time.RubyDate,
}

// zonelessLayouts are forms of a time without a zone.
var zonelessLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"Mon Jan _2 15:04:05 2006", // Nessus HOST_END
	time.ANSIC,
}

// dayLayouts are the forms of a date.
var dayLayouts = []string{"2006-01-02", "2006/01/02"}

// parseReportTime parses when a report was made. A time without a zone is
// read in tz, and refused when tz is nil.
func parseReportTime(s string, tz *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, l := range zonelessLayouts {
		if _, err := time.Parse(l, s); err == nil {
			if tz == nil {
				return time.Time{}, fmt.Errorf("time %q has no time zone: name the zone the scanner wrote it in (for example UTC or Europe/Berlin)", s)
			}
			return time.ParseInLocation(l, s, tz)
		}
	}
	for _, l := range dayLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time", s)
}

// parseDay parses a date of a finding (a fix or a publication) to its UTC
// day. Times without a zone are taken as UTC.
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dayLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	t, err := parseReportTime(s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date", s)
	}
	return dayOf(t), nil
}

// dayOf returns the UTC day of t, at midnight UTC.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween returns the whole days from a to b (both UTC days).
func daysBetween(a, b time.Time) int {
	return int((b.Unix() - a.Unix()) / 86400)
}

// dayString formats a UTC day.
func dayString(t time.Time) string { return t.Format("2006-01-02") }

// earlierDay returns the earlier of two days, ignoring zero ones.
func earlierDay(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
