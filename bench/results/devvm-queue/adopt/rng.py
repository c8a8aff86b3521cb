import csv,sys
dirs=sys.argv[1:]
def rng(v,f='%.2f'):
    return (f%min(v))+'–'+(f%max(v)) if v else '-'
for case,th in (('short',8),('short',32),('work',8),('work',32)):
    r=[];w=[]
    for d in dirs:
        for x in csv.DictReader(l for l in open(d+'/median.csv') if not l.startswith('#')):
            if x['scenario']=='mutex' and x['case']==case and int(x['threads'])==th and x['impl']=='gs_mutex':
                r.append(float(x['ratio'])); w.append(float(x['wait_max_ns'])/1e6)
    print(case,th,rng(r),'(',rng(w,'%.1f'),'ms )')
