//go:build !amd64

package main

import "time"

var tscBase = time.Now()

// rdtsc: nanoseconds since start where there is no TSC; the C harness then also times in
// nanoseconds (tsc-per-ns 1).
func rdtsc() uint64 { return uint64(time.Since(tscBase)) }
