package githubapi

import (
	"context"
	"errors"
	"net/http"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/retry"
)

// StatusOf returns the HTTP status of a go-github error: 401 refused
// credentials, 403 a permission (or a rate limit that outlasted the
// retries), 404 missing or not visible, 410 a feature turned off, 422 a
// refused request, 429 rate limited, 5xx the service failing. It is 0 when
// GitHub gave no answer: a network error, a cancellation, a spent request
// budget (retry.ErrBudgetExhausted) or a rate limit longer than the retries
// wait (retry.ErrRateLimited).
func StatusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var rl *gh.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response.StatusCode
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) && ab.Response != nil {
		return ab.Response.StatusCode
	}
	return 0
}

// MessageOf returns the message GitHub gave with an error ("" when none).
func MessageOf(err error) string {
	var er *gh.ErrorResponse
	if errors.As(err, &er) {
		return er.Message
	}
	return ""
}

// IsNotFound tells whether err is GitHub's 404 (something that does not
// exist, or that the token cannot see).
func IsNotFound(err error) bool { return StatusOf(err) == http.StatusNotFound }

// AlreadyExists tells whether err is GitHub's 422 with the error code
// already_exists (creating a label a second time, for example).
func AlreadyExists(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == "already_exists" {
			return true
		}
	}
	return false
}

// MayHaveSucceeded tells whether a failed write may have been carried out
// all the same: GitHub answered a 5xx, or no answer came (a network error).
// Not after a rate limit or a spent budget (the request was not processed
// or not sent), nor after a cancellation or a deadline (the caller stops).
func MayHaveSucceeded(err error) bool {
	if errors.Is(err, retry.ErrBudgetExhausted) || errors.Is(err, retry.ErrRateLimited) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	code := StatusOf(err)
	return code == 0 || code >= 500
}
