package output

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/localizevideos/posture/report"
)

// JSON prints the report object (schema posture.report/v1), indented by two
// spaces, with a trailing newline.
type JSON struct{}

// Write implements Writer.
func (JSON) Write(w io.Writer, r *report.Report, opt Options) error {
	r, err := selected(r, opt)
	if err != nil {
		return err
	}
	if err := EncodeJSON(w, r); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// EncodeJSON writes v as every JSON document of posture is written:
// indented by two spaces, HTML characters unescaped, with a trailing
// newline.
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
