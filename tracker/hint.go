package tracker

import (
	"context"
	"errors"
	"net/http"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/internal/retry"
)

// Hint adds what to check to the common GitHub errors.
func Hint(err error) string {
	switch githubapi.StatusOf(err) {
	case http.StatusUnauthorized:
		return "the token was refused: check GITHUB_TOKEN / GH_TOKEN"
	case http.StatusForbidden:
		return "the token lacks a permission: the workflow needs `permissions: issues: write` (or a token with the issues scope)"
	case http.StatusNotFound:
		return "repository not found, or not visible to the token: check --repo / GITHUB_REPOSITORY and the token's access"
	}
	if errors.Is(err, retry.ErrBudgetExhausted) {
		return "the run's request budget is spent"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return ""
}
