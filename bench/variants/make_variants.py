"""Writes scratch variants of src/cond.c for measuring broadcast strategies (not built by
CMake; used by bench/variants/build.sh). The library's own strategy is the cascade: each
woken waiter wakes the next before relocking. The variants:
  cond_herd.c  broadcast tells and wakes every waiter itself, at once
  cond_late.c  each chained waiter wakes the next only after it has relocked"""
import sys

src = open(sys.argv[1]).read()


def rep(s, a, b):
    assert a in s, a
    return s.replace(a, b)


PASS = '''    if (signalled && w.next != NULL) {
        /* Chained by a broadcast: wake the next waiter, before relocking, so that the
         * cascade does not wait on the lock. */
        gs__cond_waiter *next = w.next;
        gs__cond_tell(next);
        gs__wake(&next->state, 1, GS__TAG_ANY);
    }
    gs_locker_lock(c->l);'''
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
late = rep(src, PASS, '''    gs_locker_lock(c->l);
    if (signalled && w.next != NULL) {
        gs__cond_waiter *next = w.next;
        gs__cond_tell(next);
        gs__wake(&next->state, 1, GS__TAG_ANY);
    }''')
open(sys.argv[2] + '/cond_herd.c', 'w').write(herd)
open(sys.argv[2] + '/cond_late.c', 'w').write(late)
