import csv, sys, collections
# compact table: per run dir, rows scenario/case/impl, columns threads: Mops (worst wait ms)
for d in sys.argv[1:]:
    try: rows=[r for r in csv.reader(l for l in open(d+'/median.csv') if not l.startswith('#'))]
    except OSError: print('==',d,'missing'); continue
    h=rows[0]; ix={k:i for i,k in enumerate(h)}
    t=collections.OrderedDict(); ths=set()
    for r in rows[1:]:
        k=(r[0],r[1],r[2]); th=r[3]; ths.add(th)
        ops=r[ix['ops_per_sec']]; wm=r[ix['wait_max_ns']]; v=r[ix['value']]
        if r[0] in ('starvation','wflood','uncontended'):
            cell='%s|%s|%s'%(ops and '%.3g'%float(ops), v, r[ix['ns_per_op']])
        else:
            cell='%.1f'%(float(ops)/1e6) + ('/%.1f'%(float(wm)/1e6) if wm else '')
        t.setdefault(k,{})[th]=cell
    ths=sorted(ths,key=lambda x:int(x) if x.isdigit() else 0)
    print('==',d,'(M ops/s / worst wait ms) threads',' '.join(ths))
    for k,v in t.items(): print('%-24s %-16s'%(k[0]+'/'+k[1],k[2]),' '.join('%11s'%v.get(x,'-') for x in ths))
