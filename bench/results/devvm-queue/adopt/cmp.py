import csv,sys,glob,collections
# usage: cmp.py dir... ; prints per cell: impl -> ratio to pthread and max wait, labelled by dir prefix
rows=collections.defaultdict(list)
for d in sys.argv[1:]:
    tag=d.rstrip('0123456789/').split('/')[-1]
    for r in csv.DictReader(l for l in open(d+'/median.csv') if not l.startswith('#')):
        impl=r['impl']
        if impl in ('pthread',) and tag!='old': continue
        name=(tag+':'+impl) if impl.startswith('gs') else impl
        cell=(r['scenario'],r['case'],int(r['threads']))
        if r['scenario']=='starvation':
            rows[cell].append((name,float(r['value']),None))
        else:
            rows[cell].append((name,float(r['ratio']),float(r['wait_max_ns'] or 0)/1e6))
for cell in sorted(rows):
    agg=collections.defaultdict(list)
    for n,v,w in rows[cell]: agg[n].append((v,w))
    out=[]
    for n in sorted(agg):
        vs=agg[n]
        if vs[0][1] is None: out.append(f"{n} {' '.join('%.1fms'%v for v,_ in vs)}")
        else: out.append(f"{n} {'/'.join('%.2f'%v for v,_ in vs)} ({'/'.join('%.1f'%w for _,w in vs)}ms)")
    print(cell, ' | '.join(out))
