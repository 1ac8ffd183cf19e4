// Command archive writes one reproducible release archive, or the
// checksums.txt of a release; scripts/release.sh runs it.
//
//	archive -mtime EPOCH OUT.tar.gz|OUT.zip FILE...   the files, stored flat under their base names
//	archive -checksums OUT FILE...                    sha256sum-format sums of the files
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/localizevideos/posture/internal/release"
)

func main() {
	mtime := flag.Int64("mtime", -1, "modification time of every member, in seconds since 1970 (SOURCE_DATE_EPOCH)")
	sums := flag.Bool("checksums", false, "write the sha256 sums of the files to OUT instead of an archive")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: archive -mtime EPOCH OUT.tar.gz|OUT.zip FILE...\n       archive -checksums OUT FILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 2 {
		flag.Usage()
		os.Exit(2)
	}
	out, paths := flag.Arg(0), flag.Args()[1:]
	if err := run(out, paths, *sums, *mtime); err != nil {
		fmt.Fprintln(os.Stderr, "archive:", err)
		os.Exit(1)
	}
}

func run(out string, paths []string, sums bool, mtime int64) error {
	if sums {
		b, err := release.Checksums(paths)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	}
	if mtime < 0 {
		return fmt.Errorf("-mtime is required (seconds since 1970)")
	}
	files := make([]release.File, len(paths))
	for i, p := range paths {
		files[i] = release.File{Name: filepath.Base(p), Path: p}
	}
	return release.WriteArchive(out, files, time.Unix(mtime, 0))
}
