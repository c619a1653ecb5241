// Package derive turns an organisation's own scanner reports into the four
// inputs of Cohort's assessment — cvss_score, critical_vulnerabilities,
// patch_delay and asset_exposure — locally, reproducibly, and with an
// explanation of every number. The reports never leave the organisation;
// only the four integers enter the computation.
//
// Typed by hand, the inputs of two organisations are rarely comparable: one
// types 8 for CVSS 8.0, another its worst score, a third an average. The
// derivation fixes every such choice in one named, versioned profile,
// [Profile] = "cohort-inputs/v1", so that organisations that derive by the
// same profile from the same kind of data get comparable numbers, and the
// same inputs give the same row, byte for byte.
//
// # Use
//
//	r, err := derive.ReadReport("trivy.json", derive.ReadOptions{})
//	…
//	kev, err := derive.ReadKEV("known_exploited_vulnerabilities.json", 0)
//	…
//	res, err := derive.Derive([]*derive.Report{r}, derive.Options{KEV: kev})
//	…
//	res.WriteCSV(w, "alpha") // org,cvss_score,critical_vulnerabilities,…
//	fmt.Print(res.Text())   // the derivation of each value, and the warnings
//
// The program examples/inputs does this from the command line.
//
// # Formats
//
// Reports are detected by their content, or named with [ReadOptions.Format],
// and parsed with the standard library into small local structs that read
// only what the profile needs:
//
//   - Trivy JSON, SchemaVersion 2 ([Trivy]): Results[].Vulnerabilities, and
//     Results[].ExperimentalModifiedFindings (written with
//     --show-suppressed) as dropped. Asset: ArtifactName; component:
//     PkgName@InstalledVersion; scores: the CVSS map, "nvd" being the NVD's;
//     a fix: FixedVersion or status fixed; dates: PublishedDate; end of
//     life: Metadata.OS.EOSL. Time: CreatedAt.
//   - Grype JSON ([Grype]): matches, and ignoredMatches as dropped (VEX
//     not_affected or fixed, else suppressed). Aliases and NVD scores from
//     relatedVulnerabilities; a fix: fix.state fixed; fix dates:
//     fix.available[].date. Asset: source.target (userInput for images).
//     Time: descriptor.timestamp. A report written with only-fixed or
//     only-notfixed is flagged as filtered.
//   - OSV-Scanner JSON ([OSV]): one finding per group of a package (the
//     ids OSV-Scanner found to be one vulnerability), scored from the
//     severity vectors, database_specific.severity and max_severity; a fix:
//     a "fixed" range event; withdrawn entries dropped. Asset: the source
//     path. OSV-Scanner writes no time.
//   - CycloneDX 1.5–1.7 JSON with vulnerabilities ([CycloneDX]): one finding
//     per vulnerability and affected component. Ratings by method (CVSSv2,
//     CVSSv3, CVSSv31, CVSSv4; other methods count by their severity only),
//     vectors with or without the "CVSS:3.1/" prefix; analysis.state
//     not_affected or false_positive, resolved, and rejected vulnerabilities
//     dropped; a fix: a recommendation, an unaffected version, or the
//     response "update". Asset: metadata.component.name. Time:
//     metadata.timestamp.
//   - SARIF 2.1.0 ([SARIF]): one finding per result, scored by the
//     security-severity property of the result or its rule, else a
//     severity tag; accepted suppressions, results of kind pass,
//     notApplicable or informational, and baselineState absent dropped; a
//     fix: a fixes entry. Asset: the first location's artifact URI;
//     component: its logical location or line. Time: the invocations' end.
//   - Nessus .nessus v2 XML ([Nessus]): one finding per ReportItem; the id
//     is NESSUS-<pluginID> with the plugin's CVEs as aliases. Asset: the
//     host's IP address (its name and FQDN also match the inventory);
//     component: port/protocol. Severity 0 and compliance items dropped as
//     informational; fix dates: patch_publication_date; publication:
//     vuln_publication_date; end of life: unsupported_by_vendor. Time: the
//     latest HOST_END_TIMESTAMP, else HOST_END, which has no zone: name it
//     with [ReadOptions.TZ].
//   - Greenbone/OpenVAS XML ([GreenboneXML]), the GMP get_reports response
//     or its report element, and the CSV results export ([GreenboneCSV]):
//     one finding per result; the id is GREENBONE-<NVT OID> with the CVEs
//     as aliases. False positives (threat "False Positive", severity −1)
//     are not affected, results lowered to Log by an override are
//     suppressed, Log results informational; overrides never change the
//     score. A fix: solution type VendorFix. Time: scan_end (CSV: the
//     latest Timestamp). An XML report whose filter left results out
//     (result_count) is flagged as filtered.
//
// Side files: CISA's KEV catalog JSON ([ReadKEV]), FIRST's EPSS CSV, plain
// or gzip ([ReadEPSS]), an asset inventory CSV with the columns asset,
// internet_facing (yes/no) and criticality (1..5) ([ReadInventory]), and
// the first-seen record kept between runs ([ReadFirstSeen]). Any input may
// be gzip-compressed. Every file is bounded in size ([DefaultMaxSize]),
// refused before it is read when larger.
//
// # The profile cohort-inputs/v1
//
// Open findings only. A finding marked not affected (VEX not_affected,
// false positive), suppressed or ignored, or resolved, is dropped together
// with every other report's entry for the same finding: such a statement is
// about the finding, not about one scanner's view of it. A withdrawn or
// rejected advisory, and an informational entry (informational severity,
// a negligible or unimportant label without a score, a Log result), drops
// only its own entry. Every drop is counted by reason.
//
// De-duplication. A finding is the triple (vulnerability, asset,
// component). Its vulnerability is the single CVE named by its id and
// aliases — counting the CVEs any report gives as aliases of those ids —
// or, when they name no CVE or several, its own id. Ids, assets and
// components compare without regard to case. Entries with the same triple,
// from one report or many, are one finding; so the same CVE on the same
// package of one image, reported by Trivy and by Grype, counts once, and
// the same CVE on 50 replicas of an image counts once for
// critical_vulnerabilities.
//
// One score per finding, from the first of these that any entry of the
// finding gives, the highest where one rank offers several:
//
//  1. the NVD's CVSS v3.x score;
//  2. a vendor's CVSS v3.x score (Tenable's, GitHub's, Red Hat's, …);
//  3. a CVSS v4.0 score;
//  4. a score whose version the report does not state (SARIF
//     security-severity, Greenbone's severity, OSV-Scanner's max_severity);
//  5. the severity label, as the lower bound of its band: critical 9.0,
//     high or important 7.0, medium or moderate 4.0, low 1.0;
//  6. CVSS v2, flagged as the last resort.
//
// A vector without a score is scored with github.com/pandatix/go-cvss
// (CVSS v2.0, v3.0, v3.1, v4.0); a prefix-less vector takes the version its
// source names. A vector that cannot be scored is skipped with a warning. A
// finding with none of these is dropped as unscored, with a warning. Labels
// that disagree with the score are reported; the score counts.
//
// cvss_score is round(10 × the highest open score); with
// [Options.Percentile95] (profile cohort-inputs/v1+p95) the 95th percentile
// of the open findings' scores by nearest rank instead.
//
// critical_vulnerabilities is the number of distinct vulnerabilities with an
// open finding scored 9.0 or more, at most 1000 (the assessment's bound).
//
// patch_delay is the mean, rounded half up, over the open findings scored
// 7.0 or more that have a fix, of min(365, the whole days from the day the
// fix appeared to the as-of day). The day comes from the first of: the
// report's fix date (Grype's fix.available dates, Nessus'
// patch_publication_date; the earliest where entries differ); the first
// sight of the finding recorded in an earlier run; the vulnerability's
// publication date, flagged as an upper bound; with a first-seen record,
// the as-of day itself (0 days, a lower bound). Findings with none are left
// out with a warning; if all are, the derivation fails with
// [ErrNoPatchDates]. Without such findings, patch_delay is 0.
//
// asset_exposure is, with an inventory, round(100 × the summed criticality
// of the affected assets (those with an open finding) that face the
// internet ÷ the summed criticality of all affected assets); an affected
// asset missing from the inventory is taken as internet-facing with
// criticality 3, with a warning. Without an inventory, it is round(100 ×
// the share of affected assets with an open finding whose CVE is in the
// KEV catalog or has an EPSS probability of 0.1 or more). With neither, the
// derivation fails with [ErrNoExposureSource] and asks for the value. The
// inventory matches an asset by its name or other names (IP address, FQDN,
// image tags), without regard to case, and an image also by its repository
// without tag or digest.
//
// The as-of day is the day the values are for, in whole UTC days: the day
// of the reports, which must all fall on the same UTC day, or
// [Options.AsOf], never the wall clock. A report dated after the as-of day
// is an error, as is a fix or publication date after it; a report dated
// before it, or one that is undated, is reported as a warning. Reports and
// findings are sorted before anything is counted, so the result does not
// depend on their order, and a report or finding given twice counts once.
//
// The first-seen record holds, for each open finding with a fix, the first
// as-of day it was seen; [Derive] returns it updated in
// [Result.FirstSeen], and a caller keeps it for the next run.
//
// [Options.Exposure] and [Options.PatchDelay] take a value as given instead
// of deriving it; the explanation says so.
//
// # Explanation
//
// [Result.Text] gives each value with its derivation in one line — the
// worst finding and its asset, the counts, how many dates were real, the
// exposure fraction — then what was read and dropped, and the warnings:
// stale, undated or filtered reports, end-of-life systems, v2-only scores,
// disagreeing labels, assets missing from the inventory, clamped values.
// [Result.JSON] adds the SHA-256 of every input, the KEV catalog and EPSS
// model versions, and every open finding with its score and date.
//
// # What it does not do
//
// It does not scan: it reads what the scanners wrote. It does not fetch the
// KEV catalog or EPSS scores; the organisation passes the files it has, and
// their versions are recorded. It imports none of the scanners' own
// modules, and reads only the fields listed above. It does not judge
// reachability or compensating controls beyond the VEX statements,
// suppressions and overrides the reports carry. It does not merge a Nessus
// plugin that lists several CVEs with another scanner's entries for those
// CVEs (the plugin is one finding with several CVEs). Trivy's Kubernetes
// reports, Nessus v1 and CycloneDX before 1.5 are refused.
//
// # Errors
//
// Errors about an input are [*Error] values naming the file and, where
// known, the line and the place in the document:
//
//	derive: trivy.json: line 12: Results[0].Vulnerabilities[3].PublishedDate: "2021-13-45" is not a date
//
// Malformed, truncated, unknown or mixed formats, oversized files, dates in
// the future and reports of different days are errors; nothing is derived
// from them.
package derive
