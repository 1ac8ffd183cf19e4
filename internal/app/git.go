package app

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

var authorRE = regexp.MustCompile(`^([^<>]+?)\s*<([^<>\s]+)>$`)

// ValidAuthor reports whether s is a commit author "Name <email>".
func ValidAuthor(s string) bool { return authorRE.MatchString(s) }

// GitCommit stages the given paths (files or folders, inside one git work
// tree; ignored ones are left out) and commits only them, whatever else is
// modified or staged. It returns the new commit's short sha, or "" when the
// paths hold nothing new. git runs with explicit arguments, no shell.
func GitCommit(paths []string, msg, author string) (string, error) {
	if len(paths) == 0 {
		return "", nil
	}
	start := paths[0]
	if fi, err := os.Stat(start); err != nil || !fi.IsDir() {
		start = filepath.Dir(start)
	}
	top, err := git(start, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("%s is not inside a git work tree: %w", start, err)
	}
	root, err := filepath.EvalSymlinks(strings.TrimSpace(top))
	if err != nil {
		return "", err
	}
	var rels []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("%s is outside the git work tree %s", p, root)
		}
		rel = filepath.ToSlash(rel)
		ignored, err := gitIgnored(root, rel)
		if err != nil {
			return "", err
		}
		if !ignored {
			rels = append(rels, rel)
		}
	}
	if len(rels) == 0 {
		return "", nil
	}
	pathspec := func(args ...string) []string {
		return append(append(args, "--"), rels...)
	}
	if _, err := git(root, nil, pathspec("add", "-A")...); err != nil {
		return "", err
	}
	if changed, err := gitExit(root, pathspec("diff", "--cached", "--quiet")...); err != nil {
		return "", err
	} else if changed == 0 {
		return "", nil
	}
	args := []string{"commit", "--quiet", "-m", msg}
	var env []string
	if author != "" {
		args = append(args, "--author="+author)
		if _, err := git(root, nil, "var", "GIT_COMMITTER_IDENT"); err != nil {
			// No committer identity configured (a CI runner): commit as the author.
			m := authorRE.FindStringSubmatch(author)
			env = []string{"GIT_COMMITTER_NAME=" + m[1], "GIT_COMMITTER_EMAIL=" + m[2]}
		}
	}
	if _, err := git(root, env, pathspec(args...)...); err != nil {
		return "", err
	}
	sha, err := git(root, nil, "rev-parse", "--short", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(sha), nil
}

// gitIgnored reports whether git ignores a path.
func gitIgnored(root, rel string) (bool, error) {
	code, err := gitExit(root, "check-ignore", "--quiet", "--", rel)
	if err != nil {
		return false, err
	}
	return code == 0, nil
}

// git runs git in dir and returns its stdout; a failure carries its stderr.
func git(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GIT_TERMINAL_PROMPT=0"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// gitExit runs git and returns its exit code when it is 0 or 1 (the
// answers of check-ignore and diff --quiet); other failures are errors.
func gitExit(dir string, args ...string) (int, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		return 1, nil
	}
	return 0, fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(errb.String()))
}
