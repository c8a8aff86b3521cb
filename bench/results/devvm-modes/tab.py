# bench/results/devvm-modes/tab.py: one line per cell of the series (see run.sh), from the repository root.
import csv, re, glob, os
rows=[]
for i in range(1,15):
    d=f'bench/results/devvm-modes/r{i}'
    if not os.path.exists(d+'/median.csv'): continue
    err=open(d+'/stderr.txt').read()
    xf={}
    for m in re.finditer(r'(rw/w\d+) threads=(\d+) \(line transfer (\d+) ns\)', err):
        xf[(m.group(1),m.group(2))]=int(m.group(3))
    data={}
    for r in csv.DictReader(l for l in open(d+'/median.csv') if not l.startswith('#')):
        data[(r['scenario']+'/'+r['case'], r['threads'], r['impl'])]=float(r['ops_per_sec'])/1e6
    for (cell,th),x in sorted(xf.items()):
        g=lambda im: data.get((cell,th,im),float('nan'))
        print(f"r{i:<2} {cell}/{th:<3} xfer {x:4d} ns  pthread {g('pthread_rw'):6.2f}  absl {g('absl_rw'):6.2f}  nsync {g('nsync_rw'):6.2f}  gs {g('gs_rwmutex'):6.2f}  nolock {g('no_lock'):6.2f}  gs/absl {g('gs_rwmutex')/g('absl_rw'):.2f}")
