# bench/results/devvm-modes/mutex/tab.py: one line per cell of the mutex series (see run.sh), from the repository root.
import csv, re, os, sys
base=sys.argv[1] if len(sys.argv)>1 else 'bench/results/devvm-modes/mutex'
for i in range(1,15):
    d=f'{base}/r{i}'
    if not os.path.exists(d+'/median.csv'): continue
    err=open(d+'/stderr.txt').read()
    xf={}
    for m in re.finditer(r'(mutex/\w+) threads=(\d+) \(line transfer (\d+) ns\)', err):
        xf[(m.group(1),m.group(2))]=int(m.group(3))
    data={}; wmax={}
    for r in csv.DictReader(l for l in open(d+'/median.csv') if not l.startswith('#')):
        k=(r['scenario']+'/'+r['case'], r['threads'], r['impl'])
        data[k]=float(r['ops_per_sec'])/1e6; wmax[k]=float(r['wait_max_ns'] or 'nan')/1e6
    for (cell,th),x in sorted(xf.items()):
        g=lambda im: data.get((cell,th,im),float('nan'))
        w=lambda im: wmax.get((cell,th,im),float('nan'))
        print(f"r{i:<2} {cell:12s}/{th:<3} xfer {x:4d} ns  pthread {g('pthread'):6.2f}  nsync {g('nsync'):6.2f} ({w('nsync'):5.1f} ms)  absl {g('absl'):6.2f}  gs {g('gs_mutex'):6.2f} ({w('gs_mutex'):5.1f} ms)  gs/pthread {g('gs_mutex')/g('pthread'):.2f}  gs/nsync {g('gs_mutex')/g('nsync'):.2f}")
