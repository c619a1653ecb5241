package derive

import (
	"fmt"
	"strings"
	"time"
)

// Format names a report format.
type Format string

// The report formats read. FormatAuto detects the format from the content.
const (
	FormatAuto   Format = ""
	Trivy        Format = "trivy"         // Trivy JSON, SchemaVersion 2
	Grype        Format = "grype"         // Grype JSON
	OSV          Format = "osv"           // OSV-Scanner JSON
	CycloneDX    Format = "cyclonedx"     // CycloneDX 1.5–1.7 JSON with vulnerabilities
	SARIF        Format = "sarif"         // SARIF 2.1.0
	Nessus       Format = "nessus"        // Nessus .nessus v2 XML
	GreenboneXML Format = "greenbone-xml" // Greenbone/OpenVAS report XML
	GreenboneCSV Format = "greenbone-csv" // Greenbone/OpenVAS CSV results export
)

// Formats returns the report formats, in the order the documentation lists
// them.
func Formats() []Format {
	return []Format{Trivy, Grype, OSV, CycloneDX, SARIF, Nessus, GreenboneXML, GreenboneCSV}
}

// ParseFormat returns the format named s ("auto" or empty for detection).
func ParseFormat(s string) (Format, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "auto" {
		return FormatAuto, nil
	}
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, 0, 9)
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("derive: unknown format %q (want auto, %s)", s, strings.Join(names, ", "))
}

// Status says whether a finding is open and, if not, why it was dropped.
type Status string

// The statuses of a finding. Statements about a finding (NotAffected,
// Suppressed, Resolved) drop every report's copy of it; Withdrawn and
// Informational drop only the entry that says so.
const (
	Open          Status = ""
	NotAffected   Status = "not_affected"  // VEX not_affected, false positive
	Suppressed    Status = "suppressed"    // ignored, suppressed or accepted by the organisation
	Resolved      Status = "resolved"      // fixed, or no longer present
	Withdrawn     Status = "withdrawn"     // the advisory was withdrawn or rejected
	Informational Status = "informational" // informational, log or negligible
	Unscored      Status = "unscored"      // no score and no severity label (set by the derivation)
)

// statusOrder lists the drop reasons in the order they are reported.
var statusOrder = []Status{NotAffected, Suppressed, Resolved, Withdrawn, Informational, Unscored}

// describe returns a status for humans.
func (s Status) describe() string {
	switch s {
	case NotAffected:
		return "not affected (VEX or false positive)"
	case Suppressed:
		return "suppressed or ignored"
	case Resolved:
		return "resolved"
	case Withdrawn:
		return "withdrawn or rejected"
	case Informational:
		return "informational"
	case Unscored:
		return "without score or severity"
	}
	return "open"
}

// statement reports whether a status is a statement about the finding
// itself, which holds for every report's copy of it.
func (s Status) statement() bool {
	return s == NotAffected || s == Suppressed || s == Resolved
}

// A Score is one CVSS score (or score-like number) a report gives for a
// finding.
type Score struct {
	// Source is "nvd" for the NVD's score, else the vendor or database that
	// gave it, in lowercase ("ghsa", "redhat", "tenable", …).
	Source string
	// Version is CVSS2, CVSS30, CVSS31 or CVSS40, or empty when the report
	// gives a number without saying what it is (SARIF security-severity,
	// Greenbone's severity, OSV-Scanner's max_severity).
	Version string
	// Value is the base score, or negative when the report gives only the
	// vector.
	Value float64
	// Vector is the CVSS vector, if given.
	Vector string
}

// A Finding is one entry of a report: a vulnerability on a component of an
// asset, as the report states it.
type Finding struct {
	ID         string   // the vulnerability id as reported
	Aliases    []string // other ids of the same vulnerability
	Asset      string   // what was scanned: image, host, lockfile, …
	AssetNames []string // other names of the asset (IP address, FQDN, tags), for the inventory
	Component  string   // package@version, or port/protocol
	Scores     []Score
	Severity   string    // the report's severity label, if any
	Fix        bool      // a fix is available
	FixDate    time.Time // when the fix appeared, if the report says (UTC day)
	Published  time.Time // when the vulnerability was published, if the report says (UTC day)
	Status     Status
	Place      string // where in the report, for messages
	EndOfLife  bool   // the asset's system is no longer supported by its vendor
}

// A Report is one scanner report, read and normalised to findings.
type Report struct {
	Name     string // the file it was read from, as named by the caller
	Format   Format
	SHA256   string // hex SHA-256 of the bytes read (before decompression)
	Size     int64  // bytes read
	Gzip     bool   // the file was gzip-compressed
	Time     time.Time
	TimeFrom string // the report field the time came from; empty when the report has none
	Findings []Finding
	Notes    []string // warnings about the report: end-of-life systems, filters that left findings out
}

// Error is a problem with an input: a file that cannot be read, parsed or
// used. It names the file and, where known, the line and the place in the
// document.
type Error struct {
	File  string
	Line  int    // 1-based, or 0 when unknown
	Place string // a path in the document, such as Results[0].Vulnerabilities[3]
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("derive: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Place != "" {
		b.WriteString(e.Place)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// errorf makes an *Error for file.
func errorf(file string, line int, place string, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Place: place, Err: fmt.Errorf(format, args...)}
}
