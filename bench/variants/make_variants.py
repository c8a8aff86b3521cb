"""Writes scratch variants of src/cond.c for measuring broadcast strategies (not built by
CMake): cond_herd.c (broadcast tells and wakes every waiter itself) and cond_early.c (each
chained waiter wakes the next as soon as it wakes, before relocking)."""
import sys
src = open(sys.argv[1]).read()

def rep(s, a, b):
    assert a in s, a
    return s.replace(a, b)

PASS = '''    gs_locker_lock(c->l);
    if (signalled && w.next != NULL) {
        /* Chained by a broadcast: wake the next waiter now that this one holds the lock. */
        gs__cond_waiter *next = w.next;
        gs__cond_tell(next);
        gs__wake(&next->state, 1, GS__TAG_ANY);
    }'''
TELL = '''    if (first != NULL) { /* told after unlocking mu, as in gs_cond_signal */
        gs__cond_tell(first);
        gs__wake(&first->state, 1, GS__TAG_ANY);
    }'''
herd = rep(src, PASS, '    gs_locker_lock(c->l);')
herd = rep(herd, TELL, '''    for (gs__cond_waiter *n = first, *next; n != NULL; n = next) {
        next = n->next;
        gs__cond_tell(n);
        gs__wake(&n->state, 1, GS__TAG_ANY);
    }''')
early = rep(src, PASS, '''    if (signalled && w.next != NULL) {
        gs__cond_waiter *next = w.next;
        gs__cond_tell(next);
        gs__wake(&next->state, 1, GS__TAG_ANY);
    }
    gs_locker_lock(c->l);''')
open(sys.argv[2] + '/cond_herd.c', 'w').write(herd)
open(sys.argv[2] + '/cond_early.c', 'w').write(early)
