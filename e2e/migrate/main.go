// The migration image of e2e/migrations.e2e.ts: says what it would migrate, as a migration tool logs
// it, and exits with the status given as its only argument (0 succeeds, anything else fails the Job).
// Built by the suite itself (one static binary, standard library only), not by e2e/build.sh: its
// images are shared by every suite.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	code := 2
	if len(os.Args) == 2 {
		if c, err := strconv.Atoi(os.Args[1]); err == nil {
			code = c
		}
	}
	fmt.Printf("%s migration of %s to %s as %s: exit %d\n", os.Getenv("ZDP_MIGRATION_PHASE"), os.Getenv("DATABASE_NAME"), os.Getenv("ZDP_VERSION"), os.Getenv("DATABASE_USER"), code)
	os.Exit(code)
}
