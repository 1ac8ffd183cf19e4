//go:build !unix

package files

import (
	"errors"
	"os"
)

func mappedLines(string, func(int, []byte) error) (bool, error) { return false, nil }

func mapLines(*os.File, int64, int64, int, func(int, []byte) error) error {
	return errors.New("files: memory maps are not supported here")
}

const canMap = false

const nonBlock = 0
