// Command gosync-bench-go runs gosync's benchmark scenarios on Go's sync.Mutex and
// sync.RWMutex, with the parameters and the CSV row format of the C harness
// (bench/harness.c), which starts it once per measurement so that Go interleaves with the
// C locks. It can also be run alone:
//
//	gosync-bench-go -scenario mutex -case work -threads 8 -impl go
//
// Threads are goroutines (GOMAXPROCS = the CPUs), as a Go program would use them; only the
// uncontended and starvation scenarios pin (LockOSThread + sched_setaffinity), as the C
// harness does there. Waits are timed with the TSC (rdtsc in tsc_amd64.s) around every
// Lock call, into the same log-linear histograms as the C harness.
//
// Every scenario checks its result as the C one does, and on a violation prints
// "VALIDATION FAILED" to stderr and exits with status 3.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/bits"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

var (
	scenario     = flag.String("scenario", "mutex", "uncontended, mutex, starvation, rw or wflood")
	kase         = flag.String("case", "short", "the scenario's case (lock/rlock/wlock, short/work, polite10, w0/w1/w10/w50, r8)")
	impl         = flag.String("impl", "go", "go (sync.Mutex) or go_rw (sync.RWMutex)")
	threads      = flag.Int("threads", 2, "goroutines")
	rep          = flag.Int("rep", 1, "repetition number, copied into the row")
	duration     = flag.Float64("duration", 0.2, "measured seconds (mutex, rw)")
	warmup       = flag.Float64("warmup", 0.05, "warm-up seconds before measuring")
	uncS         = flag.Float64("unc", 0.05, "uncontended: seconds per sample")
	capS         = flag.Float64("cap", 5, "starvation: give up after this many seconds")
	floodS       = flag.Float64("flood", 1, "writer flood: seconds")
	readers      = flag.Int("readers", 8, "writer flood: readers")
	holdUs       = flag.Int("hold-us", 100, "writer flood: read hold, microseconds")
	greedyHoldUs = flag.Int("greedy-hold-us", 100, "starvation: greedy hold, microseconds")
	work         = flag.Int("work", 100, "local work iterations between acquisitions (case work)")
	rwork        = flag.Int("rwork", 100, "work iterations inside a read critical section")
	tscPerNs     = flag.Float64("tsc-per-ns", 0, "TSC ticks per ns (the C harness passes its calibration)")
	version      = flag.Bool("version", false, "print the Go version and exit")
)

// ---- failure ----

func violation(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "\ngosync-bench-go: VALIDATION FAILED: "+format+"\n", args...)
	os.Exit(3)
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gosync-bench-go: "+format+"\n", args...)
	os.Exit(2)
}

// ---- clocks, sleeping, pinning ----

func calibrate() {
	if *tscPerNs > 0 {
		return
	}
	t0, c0 := time.Now(), rdtsc()
	time.Sleep(50 * time.Millisecond)
	c1, t1 := rdtsc(), time.Now()
	*tscPerNs = float64(c1-c0) / float64(t1.Sub(t0).Nanoseconds())
}

// nanosleep blocks the OS thread, as the C harness's sleeps do (time.Sleep would park the
// goroutine on Go's timer, whose resolution differs).
func nanosleep(ns int64) {
	ts := syscall.NsecToTimespec(ns)
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}

var allowedCPUs []int

func readCPUs() {
	var mask [16]uint64
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(mask), uintptr(unsafe.Pointer(&mask[0])))
	if e == 0 {
		for i := 0; i < len(mask)*64; i++ {
			if mask[i/64]&(1<<(i%64)) != 0 {
				allowedCPUs = append(allowedCPUs, i)
			}
		}
	}
	if len(allowedCPUs) == 0 {
		allowedCPUs = []int{0}
	}
}

// pin locks the calling goroutine to its OS thread and that thread to the i-th allowed CPU
// (round-robin).
func pin(i int) {
	runtime.LockOSThread()
	var mask [16]uint64
	c := allowedCPUs[i%len(allowedCPUs)]
	mask[c/64] |= 1 << (c % 64)
	syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(mask), uintptr(unsafe.Pointer(&mask[0])))
}

// ---- histograms: log-linear, 32 buckets per power of two (as bench/harness.c) ----

const (
	hsubBits = 5
	hsub     = 1 << hsubBits
	hbuckets = (64 - hsubBits + 1) * hsub
)

type hist struct {
	n, max uint64
	b      [hbuckets]uint32
}

func hindex(v uint64) int {
	if v < hsub {
		return int(v)
	}
	e := 63 - bits.LeadingZeros64(v)
	return (e-hsubBits+1)*hsub + int((v>>(e-hsubBits))&(hsub-1))
}

func hvalue(i int) float64 {
	if i < hsub {
		return float64(i)
	}
	e, sub := i/hsub+hsubBits-1, i%hsub
	w := math.Ldexp(1, e-hsubBits)
	return float64(hsub+sub)*w + w/2
}

func (h *hist) add(ticks uint64) {
	h.n++
	if ticks > h.max {
		h.max = ticks
	}
	h.b[hindex(ticks)]++
}

func (h *hist) merge(o *hist) {
	h.n += o.n
	if o.max > h.max {
		h.max = o.max
	}
	for i := range h.b {
		h.b[i] += o.b[i]
	}
}

func (h *hist) pctNs(q float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	if q >= 1 {
		return float64(h.max) / *tscPerNs
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank == 0 {
		rank = 1
	}
	var seen uint64
	for i := range h.b {
		seen += uint64(h.b[i])
		if seen >= rank {
			v := hvalue(i)
			if v > float64(h.max) {
				v = float64(h.max)
			}
			return v / *tscPerNs
		}
	}
	return float64(h.max) / *tscPerNs
}

// ---- the row (same columns as GSB_CSV_HEADER in bench/run.h) ----

type row struct {
	seconds, ops, opsPerSec, nsPerOp, shareMin, shareMax, jain float64
	p50, p99, max, rp99, rmax, wp99, wmax, value               float64
	capped                                                     int
}

func newRow() *row {
	n := math.NaN()
	return &row{n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, 0}
}

func put(b *strings.Builder, v float64, format string) {
	b.WriteByte(',')
	if !math.IsNaN(v) {
		fmt.Fprintf(b, format, v)
	}
}

func (r *row) print() {
	var b strings.Builder
	fmt.Fprintf(&b, "%s,%s,%s,%d,%d", *scenario, *kase, *impl, *threads, *rep)
	put(&b, r.seconds, "%.6f")
	put(&b, r.ops, "%.0f")
	put(&b, r.opsPerSec, "%.1f")
	put(&b, r.nsPerOp, "%.3f")
	put(&b, r.shareMin, "%.4f")
	put(&b, r.shareMax, "%.4f")
	put(&b, r.jain, "%.4f")
	put(&b, r.p50, "%.0f")
	put(&b, r.p99, "%.0f")
	put(&b, r.max, "%.0f")
	put(&b, r.rp99, "%.0f")
	put(&b, r.rmax, "%.0f")
	put(&b, r.wp99, "%.0f")
	put(&b, r.wmax, "%.0f")
	put(&b, r.value, "%.3f")
	fmt.Fprintf(&b, ",%d\n", r.capped)
	os.Stdout.WriteString(b.String())
}

func fairness(r *row, ops []uint64) {
	var sum, sq float64
	mn, mx := math.Inf(1), 0.0
	for _, o := range ops {
		x := float64(o)
		sum += x
		sq += x * x
		mn = math.Min(mn, x)
		mx = math.Max(mx, x)
	}
	if sum <= 0 {
		return
	}
	mean := sum / float64(len(ops))
	r.shareMin, r.shareMax, r.jain = mn/mean, mx/mean, sum*sum/(float64(len(ops))*sq)
}

// ---- shared data ----

// line is the cache line the mutex scenarios' critical sections touch.
type line struct {
	_       [64]byte
	owner   uint64
	counter uint64
	_       [112]byte
}

const recWords = 8

type record struct {
	_ [64]byte
	w [recWords]uint64
	_ [64]byte
}

// whole reads the record word by word (atomic loads are plain loads on amd64, but the
// compiler cannot fold them) and says whether every word holds the same value.
func (r *record) whole() (uint64, bool) {
	first := atomic.LoadUint64(&r.w[0])
	ok := true
	for k := 1; k < recWords; k++ {
		ok = ok && atomic.LoadUint64(&r.w[k]) == first
	}
	return first, ok
}

func (r *record) write(v uint64) {
	for k := 0; k < recWords; k++ {
		r.w[k] = v
	}
}

// workLoop is the C harness's gsb_work: a dependent multiply-add chain.
func workLoop(x uint64, n int) uint64 {
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

var sink uint64

// ---- teams ----

const (
	phaseWarmup = iota
	phaseMeasure
	phaseStop
)

type team struct {
	_     [64]byte
	phase int32
	_     [64]byte
	start sync.WaitGroup // every goroutine ready
	gate  chan struct{}  // closed to release them together
	done  sync.WaitGroup
}

// run starts n goroutines running fn(i), releases them together, lets them warm up,
// measures for duration and stops them; returns the measured seconds after all returned.
func (t *team) run(n int, fn func(i int)) float64 {
	t.gate = make(chan struct{})
	t.start.Add(n)
	t.done.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			defer t.done.Done()
			t.start.Done()
			<-t.gate
			fn(i)
		}(i)
	}
	t.start.Wait()
	close(t.gate)
	nanosleep(int64(*warmup * 1e9))
	t0 := time.Now()
	atomic.StoreInt32(&t.phase, phaseMeasure)
	nanosleep(int64(*duration * 1e9))
	atomic.StoreInt32(&t.phase, phaseStop)
	secs := time.Since(t0).Seconds()
	t.done.Wait()
	return secs
}

// poll returns false at stop, and reset=true when the measured phase has just begun.
func (t *team) poll(seen *int32) (more, reset bool) {
	ph := atomic.LoadInt32(&t.phase)
	if ph == *seen {
		return true, false
	}
	if ph == phaseStop {
		return false, false
	}
	*seen = ph
	return true, true
}

// ---- scenarios ----

const uncSamples = 20

func uncontended(r *row) {
	read := *kase == "rlock"
	var mu sync.Mutex
	var rw sync.RWMutex
	var count uint64
	loop := func(n uint64) {
		switch {
		case *impl == "go":
			for i := uint64(0); i < n; i++ {
				mu.Lock()
				count++
				mu.Unlock()
			}
		case read:
			for i := uint64(0); i < n; i++ {
				rw.RLock()
				count++
				rw.RUnlock()
			}
		default:
			for i := uint64(0); i < n; i++ {
				rw.Lock()
				count++
				rw.Unlock()
			}
		}
	}
	done := make(chan struct{})
	var nsPerPair float64
	var pairs uint64
	go func() {
		defer close(done)
		pin(0)
		total := uint64(10000)
		loop(10000)
		n := uint64(4096)
		var t float64
		for {
			t0 := time.Now()
			loop(n)
			t = time.Since(t0).Seconds()
			total += n
			if t >= *uncS/uncSamples/4 || n >= 1<<40 {
				break
			}
			n *= 2
		}
		// uncSamples short samples; the fastest counts (as in the C harness).
		n = uint64(float64(n) * *uncS / uncSamples / math.Max(t, 1e-9))
		if n < 1000 {
			n = 1000
		}
		nsPerPair = math.Inf(1)
		for s := 0; s < uncSamples; s++ {
			t0 := time.Now()
			loop(n)
			nsPerPair = math.Min(nsPerPair, float64(time.Since(t0).Nanoseconds())/float64(n))
			total += n
		}
		pairs = n
		tryLock, unlock := mu.TryLock, mu.Unlock
		if *impl != "go" {
			tryLock, unlock = rw.TryLock, rw.Unlock
		}
		switch {
		case count != total:
			violation("uncontended/%s %s: the guarded count lost updates", *kase, *impl)
		case !tryLock():
			violation("uncontended/%s %s: TryLock failed on a free lock", *kase, *impl)
		case tryLock():
			violation("uncontended/%s %s: TryLock succeeded on a held lock", *kase, *impl)
		}
		unlock()
	}()
	<-done
	r.nsPerOp = nsPerPair
	r.ops = float64(pairs)
	r.seconds = nsPerPair * float64(pairs) / 1e9
	r.opsPerSec = 1e9 / nsPerPair
}

func mutex(r *row) {
	var mu sync.Mutex
	ln := new(line)
	n := *threads
	w := 0
	if *kase == "work" {
		w = *work
	}
	measured := make([]uint64, n)
	totals := make([]uint64, n)
	overlaps := make([]uint64, n)
	hists := make([]*hist, n)
	var tm team
	secs := tm.run(n, func(i int) {
		me := uint64(i) + 1
		var cnt, total, over uint64
		x := me
		h := new(hist)
		seen := int32(phaseWarmup)
		for {
			more, reset := tm.poll(&seen)
			if !more {
				break
			}
			if reset {
				cnt = 0
				h = new(hist)
			}
			t0 := rdtsc()
			mu.Lock()
			t1 := rdtsc()
			ln.owner = me
			ln.counter++
			if atomic.LoadUint64(&ln.owner) != me {
				over++
			}
			ln.owner = 0
			mu.Unlock()
			h.add(t1 - t0)
			cnt++
			total++
			if w > 0 {
				x = workLoop(x, w)
			}
		}
		if seen == phaseWarmup { // never saw the measured phase: nothing to count
			cnt, h = 0, new(hist)
		}
		measured[i], totals[i], overlaps[i], hists[i] = cnt, total, over, h
		atomic.AddUint64(&sink, x)
	})
	all := new(hist)
	var sum, total, over uint64
	for i := 0; i < n; i++ {
		sum += measured[i]
		total += totals[i]
		over += overlaps[i]
		all.merge(hists[i])
	}
	if ln.counter != total || over != 0 {
		violation("mutex/%s %s %d threads: guarded counter %d after %d critical sections, %d overlapping",
			*kase, *impl, n, ln.counter, total, over)
	}
	if !mu.TryLock() {
		violation("mutex/%s %s: lock still held after every goroutine unlocked", *kase, *impl)
	}
	mu.Unlock()
	r.seconds = secs
	r.ops = float64(sum)
	r.opsPerSec = float64(sum) / secs
	fairness(r, measured)
	r.p50, r.p99, r.max = all.pctNs(0.5), all.pctNs(0.99), all.pctNs(1)
}

func starvation(r *row) {
	var mu sync.Mutex
	ln := new(line)
	var stop, greedyIn, politeDone, politeCount int32
	var greedyN uint64
	var politeNs int64
	polite := new(hist)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		pin(0)
		var n uint64
		for atomic.LoadInt32(&stop) == 0 {
			mu.Lock()
			ln.counter++
			atomic.StoreInt32(&greedyIn, 1)
			nanosleep(int64(*greedyHoldUs) * 1000)
			mu.Unlock()
			n++
		}
		greedyN = n
	}()
	go func() {
		defer wg.Done()
		pin(1)
		for atomic.LoadInt32(&greedyIn) == 0 {
			nanosleep(10000)
		}
		start := time.Now()
		for i := 0; i < 10; i++ {
			nanosleep(100000)
			t0 := rdtsc()
			mu.Lock()
			t1 := rdtsc()
			ln.counter++
			mu.Unlock()
			polite.add(t1 - t0)
			atomic.StoreInt32(&politeCount, int32(i+1))
		}
		politeNs = time.Since(start).Nanoseconds()
		atomic.StoreInt32(&politeDone, 1)
	}()
	deadline := time.Now().Add(time.Duration(*capS * 1e9))
	for atomic.LoadInt32(&politeDone) == 0 && time.Now().Before(deadline) {
		nanosleep(1000000)
	}
	capped := atomic.LoadInt32(&politeDone) == 0
	got := atomic.LoadInt32(&politeCount)
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	if ln.counter != greedyN+10 {
		violation("starvation %s: guarded counter %d, expected %d", *impl, ln.counter, greedyN+10)
	}
	if capped {
		r.capped = 1
		r.value = *capS * 1e3
		r.ops = float64(got)
	} else {
		r.value = float64(politeNs) / 1e6
		r.ops = 10
	}
	r.seconds = r.value / 1e3
	r.max = polite.pctNs(1)
}

func rwMix(r *row) {
	permille := map[string]uint64{"w0": 0, "w1": 10, "w10": 100, "w50": 500}
	pm, ok := permille[*kase]
	if !ok {
		die("unknown rw case %q", *kase)
	}
	var mu sync.RWMutex
	rec := new(record)
	n := *threads
	measured := make([]uint64, n)
	writes := make([]uint64, n)
	torns := make([]uint64, n)
	rh := make([]*hist, n)
	wh := make([]*hist, n)
	var tm team
	secs := tm.run(n, func(i int) {
		var cnt, wr, torn uint64
		x := uint64(i) + 1
		seed := 0x9e3779b97f4a7c15 * (uint64(i) + 1)
		rhist, whist := new(hist), new(hist)
		seen := int32(phaseWarmup)
		for {
			more, reset := tm.poll(&seen)
			if !more {
				break
			}
			if reset {
				cnt = 0
				rhist, whist = new(hist), new(hist)
			}
			seed ^= seed << 13
			seed ^= seed >> 7
			seed ^= seed << 17
			if seed%1000 < pm {
				t0 := rdtsc()
				mu.Lock()
				t1 := rdtsc()
				v, whole := rec.whole()
				if !whole {
					torn++
				}
				rec.write(v + 1)
				mu.Unlock()
				whist.add(t1 - t0)
				wr++
			} else {
				t0 := rdtsc()
				mu.RLock()
				t1 := rdtsc()
				v, whole := rec.whole()
				x = workLoop(x^v, *rwork)
				v2, whole2 := rec.whole()
				if !whole || !whole2 || v2 != v {
					torn++
				}
				mu.RUnlock()
				rhist.add(t1 - t0)
			}
			cnt++
		}
		if seen == phaseWarmup {
			cnt, rhist, whist = 0, new(hist), new(hist)
		}
		measured[i], writes[i], torns[i], rh[i], wh[i] = cnt, wr, torn, rhist, whist
		atomic.AddUint64(&sink, x)
	})
	rall, wall, all := new(hist), new(hist), new(hist)
	var sum, wsum, torn uint64
	for i := 0; i < n; i++ {
		sum += measured[i]
		wsum += writes[i]
		torn += torns[i]
		rall.merge(rh[i])
		wall.merge(wh[i])
	}
	v, whole := rec.whole()
	if torn != 0 || !whole || v != wsum {
		violation("rw/%s %s %d threads: %d torn reads, record whole=%v, value %d after %d writes",
			*kase, *impl, n, torn, whole, v, wsum)
	}
	if !mu.TryLock() {
		violation("rw/%s %s: lock still held after every goroutine left", *kase, *impl)
	}
	mu.Unlock()
	all.merge(rall)
	all.merge(wall)
	r.seconds = secs
	r.ops = float64(sum)
	r.opsPerSec = float64(sum) / secs
	fairness(r, measured)
	r.p50, r.p99, r.max = all.pctNs(0.5), all.pctNs(0.99), all.pctNs(1)
	r.rp99, r.rmax = rall.pctNs(0.99), rall.pctNs(1)
	r.wp99, r.wmax = wall.pctNs(0.99), wall.pctNs(1)
}

func wflood(r *row) {
	var mu sync.RWMutex
	rec := new(record)
	var stop int32
	var torn uint64
	var wg sync.WaitGroup
	gate := make(chan struct{})
	n := *readers
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			nanosleep(int64(*holdUs) * 1000 * int64(i) / int64(n))
			for atomic.LoadInt32(&stop) == 0 {
				mu.RLock()
				v, whole := rec.whole()
				nanosleep(int64(*holdUs) * 1000)
				v2, whole2 := rec.whole()
				if !whole || !whole2 || v2 != v {
					atomic.AddUint64(&torn, 1)
				}
				mu.RUnlock()
			}
		}(i)
	}
	var acquired, writes uint64
	wait := new(hist)
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-gate
		end := time.Now().Add(time.Duration(*floodS * 1e9))
		endTsc := rdtsc() + uint64(*floodS*1e9**tscPerNs)
		for {
			nanosleep(1000000)
			if !time.Now().Before(end) {
				break
			}
			t0 := rdtsc()
			mu.Lock()
			t1 := rdtsc()
			v, whole := rec.whole()
			if !whole {
				atomic.AddUint64(&torn, 1)
			}
			rec.write(v + 1)
			mu.Unlock()
			wait.add(t1 - t0)
			writes++
			if t1 <= endTsc {
				acquired++
			}
		}
	}()
	close(gate)
	nanosleep(int64(*floodS * 1e9))
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	v, whole := rec.whole()
	if torn != 0 || !whole || v != writes {
		violation("wflood %s: %d torn reads, record value %d after %d writes", *impl, torn, v, writes)
	}
	r.seconds = *floodS
	r.ops = float64(acquired)
	r.opsPerSec = float64(acquired) / *floodS
	r.wp99, r.wmax = wait.pctNs(0.99), wait.pctNs(1)
}

func main() {
	flag.Parse()
	if *version {
		fmt.Println(runtime.Version())
		return
	}
	wantRW := map[string]bool{"uncontended/rlock": true, "uncontended/wlock": true, "rw": true, "wflood": true}
	key := *scenario
	if key == "uncontended" {
		key += "/" + *kase
	}
	if (*impl == "go_rw") != wantRW[key] || (*impl != "go" && *impl != "go_rw") {
		die("implementation %q does not fit scenario %s/%s (go: sync.Mutex; go_rw: sync.RWMutex)", *impl, *scenario, *kase)
	}
	readCPUs()
	calibrate()
	r := newRow()
	switch *scenario {
	case "uncontended":
		uncontended(r)
	case "mutex":
		if *kase != "short" && *kase != "work" {
			die("unknown mutex case %q", *kase)
		}
		mutex(r)
	case "starvation":
		starvation(r)
	case "rw":
		rwMix(r)
	case "wflood":
		wflood(r)
	default:
		die("unknown scenario %q", *scenario)
	}
	r.print()
}
