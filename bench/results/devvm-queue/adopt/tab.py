import csv,sys,collections,statistics
# usage: tab.py olddirs... -- newdirs...
args=sys.argv[1:]; k=args.index('--'); olds=args[:k]; news=args[k+1:]
def load(d):
    out={}
    for r in csv.DictReader(l for l in open(d+'/median.csv') if not l.startswith('#')):
        out[(r['scenario'],r['case'],int(r['threads']),r['impl'])]=r
    return out
O=[load(d) for d in olds]; N=[load(d) for d in news]
def col(runs,impl,cell,field):
    v=[]
    for R in runs:
        r=R.get(cell+(impl,))
        if r and r.get(field): v.append(float(r[field]))
    return v
def fmt(v,f='%.2f'):
    if not v: return '–'
    lo,hi=min(v),max(v)
    return (f%lo) if f%lo==f%hi else (f%lo+'–'+f%hi)
cells=sorted({c[:3] for R in O+N for c in R})
for sc,case,th in cells:
    cell=(sc,case,th)
    if sc=='mutex':
        row=[f'{case} {th}']
        for runs,impl in ((O,'gs_mutex'),(N,'gs_mutex'),(O,'qmu'),(O+N,'nsync')):
            row.append(fmt(col(runs,impl,cell,'ratio'))+'× ('+fmt([x/1e6 for x in col(runs,impl,cell,'wait_max_ns')],'%.1f')+' ms)')
        print('| '+' | '.join(row)+' |')
    elif sc in ('rw',):
        row=[f'rw {case} {th}']
        for runs,impl in ((O,'gs_rwmutex'),(N,'gs_rwmutex'),(O+N,'nsync_rw'),(O+N,'absl_rw')):
            row.append(fmt(col(runs,impl,cell,'ratio'))+'×')
        print('| '+' | '.join(row)+' |')
    elif sc=='wflood':
        row=[f'wflood {case} {th}']
        for runs,impl in ((O,'gs_rwmutex'),(N,'gs_rwmutex'),(O+N,'nsync_rw'),(O+N,'absl_rw')):
            row.append(fmt(col(runs,impl,cell,'ops_per_sec'),'%.0f')+'/s ('+fmt([x/1e6 for x in col(runs,impl,cell,'wwait_max_ns')],'%.1f')+' ms)')
        print('| '+' | '.join(row)+' |')
    elif sc=='starvation':
        row=[f'starvation {case}']
        for runs,impl in ((O,'gs_mutex'),(N,'gs_mutex'),(O,'qmu'),(O+N,'nsync')):
            row.append(fmt(col(runs,impl,cell,'value'),'%.1f')+' ms')
        print('| '+' | '.join(row)+' |')
    elif sc=='uncontended':
        row=[f'uncontended {case}']
        for runs,impl in ((O,'gs_mutex'),(N,'gs_mutex'),(O,'gs_rwmutex'),(N,'gs_rwmutex'),(O+N,'nsync')):
            row.append(fmt(col(runs,impl,cell,'ratio'))+'×')
        print('| '+' | '.join(row)+' |')
