# Tables of a run.sh log. Default: per build and cell, the range of M ops/s over the rounds
# and, in brackets, the worst sampled wait of any round. With --ratio REF: per build and
# cell, the range over the rounds of the build's rate divided by REF's in the same round
# (the dev VM changes mode between rounds, which moves every build's rate; the ratio within
# one round is what compares). Usage: python3 tab.py LOG [--ratio REF]
import collections
import re
import sys

log = sys.argv[1]
ref = sys.argv[sys.argv.index("--ratio") + 1] if "--ratio" in sys.argv else None
d = collections.defaultdict(dict)  # (threads, work, build) -> {round: (ops, maxwait)}
builds = []
pat = r"r(\d+) (\S+)\s+threads=(\d+) work=(\d+) ops/s=([\d.]+)M .*maxwait\(sampled\)=([\d.]+)ms"
for line in open(log):
    m = re.match(pat, line)
    if not m:
        continue
    r, b, t, w, ops, mw = m.groups()
    d[(int(t), int(w), b)][int(r)] = (float(ops), float(mw))
    if b not in builds:
        builds.append(b)
cells = sorted({(k[0], k[1]) for k in d}, key=lambda x: (x[1], x[0]))
print("| build | " + " | ".join(f"{'short' if w == 0 else 'work'} {t}" for t, w in cells) + " |")
print("|---|" + "---:|" * len(cells))
for b in builds:
    row = []
    for t, w in cells:
        v = d[(t, w, b)]
        if ref:
            rv = d[(t, w, ref)]
            x = [v[r][0] / rv[r][0] for r in v if r in rv]
            row.append(f"{min(x):.2f}–{max(x):.2f}×")
        else:
            ops = [o for o, _ in v.values()]
            row.append(f"{min(ops):.1f}–{max(ops):.1f} ({max(m for _, m in v.values()):.0f} ms)")
    print(f"| {b} | " + " | ".join(row) + " |")
