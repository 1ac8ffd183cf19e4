// Package tabular reads table exports — CSV, a JSON array of objects, or
// JSON Lines — and provides the file source kinds built on them:
// incidents, alerts, accounts, tokens and audit_findings
// (docs/configuration.md#table-files; formats.md is that section's text).
//
// Format: by extension (.csv/.tsv, .json, .jsonl/.ndjson, a trailing .gz is
// decompressed); any other name is sniffed: a first non-space byte '[' or
// '{' means JSON, anything else CSV. A .json file holding several objects
// one after another is read as JSON Lines.
//
// CSV: the first row is the header; names are matched case-insensitively
// and trimmed, a UTF-8 BOM is dropped, extra columns are ignored, values
// are trimmed, rows whose cells are all empty are skipped. The delimiter is
// ',' unless the header line has none and has a tab or ';'. A required
// column missing from the header is an error at "<file>:1".
//
// JSON: an array of objects, or an object with exactly one array-valued
// field holding them ({"generated": "...", "incidents": [...]}); keys are
// matched like CSV headers; values may be strings, numbers (kept as
// written), booleans or null (= empty).
//
// JSON Lines: one object per line, however long the line; blank lines are
// skipped.
//
// Files: which paths are read, and which are errors (a path naming a
// directory, a named pipe, a symbolic link loop), is files.Glob's rule; a
// directory matched by a wildcard is skipped. A file is read whole: one
// holding more than files.MaxStructured (256 MiB) after decompression is
// an error, and a .gz file is inflated once without keeping anything to
// check that first (a gzip bomb is refused, not inflated into memory). A
// truncated .gz is an error. Text is made valid UTF-8 as JSON reads it
// (each invalid byte becomes U+FFFD), so CSV values match what a snapshot
// holds.
//
// Every row keeps its origin "<file>:<line>" (the line its CSV record or
// JSON object starts on). A row that does not parse — wrong number of CSV
// fields, a bad quote, invalid JSON, a bad timestamp or boolean, a required
// value missing or empty — makes the whole source fail with
// "<file>:<line>: <what> (column <name>)". A file holding nothing (or only
// a CSV header) has zero rows and is not an error; a file that does not
// exist is.
//
// Values: times are read with timefmt.Parse in the source's `timezone`
// (else the run's zone, else UTC), empty = unknown; booleans accept
// true/false, yes/no, y/n, 1/0, t/f in any case, empty = unset; enumerated
// values (status, severity, role) are lower-cased. Incident severity also
// loses '-' and spaces ("SEV-1", "Sev 1" → "sev1"), the given text is kept
// in severity_raw.
//
// accounts: records are unique by (system, login), compared
// case-insensitively. When a later row (in the same or a later file of the
// source) repeats an account, it only fills the fields the first row left
// empty (role, status, mfa, privileged, created_at, last_active_at); the
// record keeps the first row's origin.
package tabular
