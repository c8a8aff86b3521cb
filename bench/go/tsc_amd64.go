package main

// rdtsc reads the time-stamp counter: the clock the C harness times waits with, at the
// same cost, so both sides pay the same for being measured. The harness passes its
// calibration (-tsc-per-ns).
func rdtsc() uint64
