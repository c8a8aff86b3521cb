/* src/profile.c: contention profiling (include/gosync/profile.h), like Go's mutex profile.
 *
 * The slow paths carry one hook (GS__PROFILE_WAIT, src/internal/profile.h). While
 * gs__profile_rate is 0 the hook costs a load and a branch; otherwise each contended
 * acquisition is sampled with probability 1/rate (a per-thread xorshift generator, as Go's
 * fastrand) and, when sampled, its wait is timed and recorded with its call stack
 * (backtrace(3)) in a table of distinct stacks: count, total and max wait. Recording takes
 * an internal mutex, so it serializes sampled waiters; they have just waited anyway.
 *
 * The report is written in one file for two readers: '#' lines with the sites by total wait
 * (the stacks are grouped by their first frame outside gosync, named from the ELF symbol
 * tables of the loaded modules), then Go's legacy text contention profile, which pprof reads
 * ("--- mutex:", attributes, "<delay ns> <count> @ <pc>...", then "--- Memory map: ---" and
 * /proc/self/maps so that it can map addresses back to the binaries). pprof skips the '#'
 * lines.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* What the platform offers for stacks and names (Linux/glibc has all three; macOS lacks
 * elf.h; Windows has none, and CaptureStackBackTrace instead of backtrace). Without them a
 * report still counts and times the waits, with fewer frames or bare addresses. */
#if defined(__has_include)
#if __has_include(<execinfo.h>)
#include <execinfo.h>
#define GS__HAVE_BACKTRACE 1
#endif
#if __has_include(<dlfcn.h>)
#include <dlfcn.h>
#define GS__HAVE_DLADDR 1
#endif
#if __has_include(<elf.h>) && defined(__ELF__)
#include <elf.h>
#define GS__HAVE_ELF 1
#endif
#endif
#if defined(_WIN32)
#include <windows.h>
#endif
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gosync/profile.h>

#include "internal/atomic.h"
#include "internal/book.h"
#include "internal/common.h"
#include "internal/profile.h"
#include "internal/sanitizer.h"
#include "internal/wait.h"

#define GS__PROF_DEPTH 32         /* frames kept per sample */
#define GS__PROF_MAX_STACKS 65536 /* distinct stacks kept; later new ones are discarded */

uint32_t gs__profile_rate;
__thread bool gs__profile_inside;

typedef struct {
    uint64_t hash; /* 0: empty slot */
    uint32_t depth;
    uint64_t count;
    int64_t total_ns, max_ns;
    void *pcs[GS__PROF_DEPTH];
} gs__pstack;

static struct {
    gs__book lock;
    gs__pstack *slots;
    uint32_t cap, n;
    uint64_t discarded;
    int64_t start_ns;
} prof = {.lock = GS__BOOK_INIT};

static void gs__prof_lock(void) {
    gs__book_untracked(&prof, sizeof prof);
    gs__book_untracked(&gs__profile_rate, sizeof gs__profile_rate);
    gs__book_lock(&prof.lock);
}

static void gs__prof_unlock(void) { gs__book_unlock(&prof.lock); }

static __thread uint32_t gs__prof_rng;

bool gs__profile_sample(uint32_t rate) {
    if (rate <= 1)
        return true;
    uint32_t x = gs__prof_rng;
    if (x == 0)
        x = (uint32_t)(uintptr_t)&gs__prof_rng | 1u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    gs__prof_rng = x;
    return x % rate == 0;
}

static uint64_t gs__prof_hash(void *const *pcs, uint32_t depth) {
    uint64_t h = 0xcbf29ce484222325ull ^ depth;
    for (uint32_t i = 0; i < depth; i++) {
        h ^= (uint64_t)(uintptr_t)pcs[i];
        h *= 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h ? h : 1;
}

/* The slot for (hash, pcs), or an empty one where it goes; the table is never full. */
static gs__pstack *gs__prof_slot(gs__pstack *slots, uint32_t cap, uint64_t hash, void *const *pcs,
                                 uint32_t depth) {
    for (uint32_t i = (uint32_t)hash & (cap - 1);; i = (i + 1) & (cap - 1)) {
        gs__pstack *s = &slots[i];
        if (s->hash == 0 ||
            (s->hash == hash && s->depth == depth && !memcmp(s->pcs, pcs, depth * sizeof *pcs)))
            return s;
    }
}

static bool gs__prof_grow(void) {
    uint32_t cap = prof.cap ? 2 * prof.cap : 256;
    gs__pstack *slots = gs__book_calloc(cap, sizeof *slots);
    if (slots == NULL)
        return false;
    for (uint32_t i = 0; i < prof.cap; i++) {
        gs__pstack *s = &prof.slots[i];
        if (s->hash)
            *gs__prof_slot(slots, cap, s->hash, s->pcs, s->depth) = *s;
    }
    free(prof.slots);
    prof.slots = slots;
    prof.cap = cap;
    return true;
}

void gs__profile_record(const void *lock, int64_t wait_ns) {
    (void)lock;
    void *buf[GS__PROF_DEPTH + 1];
#if defined(GS__HAVE_BACKTRACE)
    int n = backtrace(buf, GS__PROF_DEPTH + 1);
#elif defined(_WIN32)
    int n = (int)CaptureStackBackTrace(0, GS__PROF_DEPTH + 1, buf, NULL);
#else
    buf[0] = NULL; /* no stack walker: the wait is counted under one unknown site */
    buf[1] = __builtin_return_address(0);
    int n = 2;
#endif
    if (n < 1)
        return;
    void **pcs = buf + 1; /* drop this function's own frame */
    uint32_t depth = (uint32_t)(n - 1);
    uint64_t hash = gs__prof_hash(pcs, depth);
    gs__prof_lock();
    gs__pstack *s = prof.cap ? gs__prof_slot(prof.slots, prof.cap, hash, pcs, depth) : NULL;
    if (s == NULL || s->hash == 0) {
        if (prof.n >= GS__PROF_MAX_STACKS || (2 * (prof.n + 1) > prof.cap && !gs__prof_grow())) {
            prof.discarded++;
            s = NULL;
        } else {
            s = gs__prof_slot(prof.slots, prof.cap, hash, pcs, depth);
            s->hash = hash;
            s->depth = depth;
            memcpy(s->pcs, pcs, depth * sizeof *pcs);
            prof.n++;
        }
    }
    if (s) {
        s->count++;
        s->total_ns += wait_ns;
        if (wait_ns > s->max_ns)
            s->max_ns = wait_ns;
    }
    gs__prof_unlock();
}

int gs_profile_start(int rate) {
    if (rate < 0)
        rate = 0;
    if (rate > 0) {
        /* backtrace() loads the unwinder (and allocates) on its first call: do that here,
         * not inside a lock's slow path. */
#if defined(GS__HAVE_BACKTRACE)
        void *warm[2];
        backtrace(warm, 2);
#endif
        gs__prof_lock();
        if (prof.start_ns == 0)
            prof.start_ns = gs__now_ns();
        gs__prof_unlock();
    }
    return (int)gs__exchange_acq_rel32(&gs__profile_rate, (uint32_t)rate);
}

void gs_profile_reset(void) {
    gs__prof_lock();
    if (prof.slots)
        memset(prof.slots, 0, prof.cap * sizeof *prof.slots);
    prof.n = 0;
    prof.discarded = 0;
    prof.start_ns = gs__now_ns();
    gs__prof_unlock();
}

/* ---- symbols: function names from the ELF symbol tables of the loaded modules ---- */

typedef struct {
    uintptr_t lo, hi;
    const char *name;
} gs__sym;

typedef struct {
    uintptr_t base; /* dli_fbase */
    char *strings;  /* the module's string table, copied */
    gs__sym *syms;  /* sorted by lo */
    size_t n;
    const char *path;
} gs__module;

typedef struct {
    gs__module mods[32];
    int n;
} gs__symbolizer;

#if defined(GS__HAVE_ELF)
static int gs__sym_cmp(const void *a, const void *b) {
    uintptr_t x = ((const gs__sym *)a)->lo, y = ((const gs__sym *)b)->lo;
    return x < y ? -1 : x > y;
}

/* Reads the function symbols of the ELF file at path (.symtab, else .dynsym). */
static void gs__module_load(gs__module *m, const char *path) {
#if defined(__LP64__)
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    unsigned char *img = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > (long)sizeof(Elf64_Ehdr) &&
        fseek(f, 0, SEEK_SET) == 0 && (img = malloc((size_t)size)) != NULL &&
        fread(img, 1, (size_t)size, f) != (size_t)size) {
        free(img);
        img = NULL;
    }
    fclose(f);
    if (img == NULL)
        return;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shoff == 0 ||
        eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > (uint64_t)size) {
        free(img);
        return;
    }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
    const Elf64_Shdr *tab = NULL;
    for (int pass = 0; pass < 2 && tab == NULL; pass++)
        for (unsigned i = 0; i < eh->e_shnum; i++)
            if (sh[i].sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
                tab = &sh[i];
    if (tab == NULL || tab->sh_link >= eh->e_shnum ||
        tab->sh_offset + tab->sh_size > (uint64_t)size ||
        sh[tab->sh_link].sh_offset + sh[tab->sh_link].sh_size > (uint64_t)size) {
        free(img);
        return;
    }
    const Elf64_Shdr *str = &sh[tab->sh_link];
    m->strings = malloc(str->sh_size + 1);
    size_t count = tab->sh_size / sizeof(Elf64_Sym);
    m->syms = malloc((count ? count : 1) * sizeof *m->syms);
    if (m->strings == NULL || m->syms == NULL) {
        free(m->strings);
        free(m->syms);
        m->strings = NULL;
        m->syms = NULL;
        free(img);
        return;
    }
    memcpy(m->strings, img + str->sh_offset, str->sh_size);
    m->strings[str->sh_size] = 0;
    /* Shared objects and PIE executables are linked at 0 and loaded at base. */
    uintptr_t bias = eh->e_type == ET_DYN ? m->base : 0;
    const Elf64_Sym *sym = (const Elf64_Sym *)(img + tab->sh_offset);
    for (size_t i = 0; i < count; i++) {
        if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC || sym[i].st_value == 0 ||
            sym[i].st_name >= str->sh_size)
            continue;
        gs__sym *s = &m->syms[m->n++];
        s->lo = bias + sym[i].st_value;
        s->hi = s->lo + (sym[i].st_size ? sym[i].st_size : 1);
        s->name = m->strings + sym[i].st_name;
    }
    qsort(m->syms, m->n, sizeof *m->syms, gs__sym_cmp);
    free(img);
#else
    (void)m;
    (void)path;
#endif
}
#else
static void gs__module_load(gs__module *m, const char *path) {
    (void)m;
    (void)path;
}
#endif

/* Names pc: its function (NULL if unknown), the offset into it, and its module's path. */
static const char *gs__symbolize(gs__symbolizer *z, uintptr_t pc, uintptr_t *off,
                                 const char **module) {
    *off = 0;
    *module = "?";
#if !defined(GS__HAVE_DLADDR)
    (void)z;
    (void)pc;
    (void)gs__module_load; /* no way to find a module here */
    return NULL;
#else
    Dl_info info;
    /* pc was a code address (a void * from the stack walk) before it was a number. */
    if (!dladdr((void *)pc, &info)) // NOLINT(performance-no-int-to-ptr)
        return NULL;
    gs__module *m = NULL;
    for (int i = 0; i < z->n; i++)
        if (z->mods[i].base == (uintptr_t)info.dli_fbase)
            m = &z->mods[i];
    if (m == NULL && z->n < (int)(sizeof z->mods / sizeof z->mods[0])) {
        m = &z->mods[z->n++];
        memset(m, 0, sizeof *m);
        m->base = (uintptr_t)info.dli_fbase;
        /* The main program has no name in the loader's list. */
        m->path = info.dli_fname && strchr(info.dli_fname, '/') ? info.dli_fname : "/proc/self/exe";
        gs__module_load(m, m->path);
    }
    if (m == NULL)
        return info.dli_sname;
    *module = m->path;
    if (m->syms != NULL) { /* the module's own table, when it could be read */
        size_t lo = 0, hi = m->n;
        while (lo < hi) { /* the last symbol starting at or below pc */
            size_t mid = (lo + hi) / 2;
            if (m->syms[mid].lo <= pc)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0 && pc < m->syms[lo - 1].hi) {
            *off = pc - m->syms[lo - 1].lo;
            return m->syms[lo - 1].name;
        }
    }
    if (info.dli_sname && info.dli_saddr) {
        *off = pc - (uintptr_t)info.dli_saddr;
        return info.dli_sname;
    }
    return NULL;
#endif
}

static void gs__symbolizer_free(gs__symbolizer *z) {
    for (int i = 0; i < z->n; i++) {
        free(z->mods[i].strings);
        free(z->mods[i].syms);
    }
}

/* A frame of gosync itself: skipped when naming the site that waited. */
static bool gs__frame_is_gosync(const char *name) { return name && strncmp(name, "gs_", 3) == 0; }

static void gs__print_frame(FILE *f, gs__symbolizer *z, void *pc, bool leaf) {
    uintptr_t off;
    const char *module;
    /* A return address points after the call: look up the call itself. */
    const char *name = gs__symbolize(z, (uintptr_t)pc - (leaf ? 0 : 1), &off, &module);
    const char *base = strrchr(module, '/');
    base = base ? base + 1 : module;
    if (name)
        fprintf(f, "%s+0x%zx (%s)", name, (size_t)off + (leaf ? 0 : 1), base);
    else
        fprintf(f, "%p (%s)", pc, base);
}

typedef struct {
    void *site;     /* first frame outside gosync */
    uint32_t frame; /* its index in the first stack seen */
    const gs__pstack *example;
    uint64_t count;
    int64_t total_ns, max_ns;
} gs__psite;

static int gs__psite_cmp(const void *a, const void *b) {
    int64_t x = ((const gs__psite *)a)->total_ns, y = ((const gs__psite *)b)->total_ns;
    return x > y ? -1 : x < y;
}

int gs_profile_write(FILE *f) {
    /* Copy the samples, then format without holding the lock. */
    gs__prof_lock();
    uint32_t n = prof.n;
    gs__pstack *stacks = malloc((n ? n : 1) * sizeof *stacks);
    uint32_t k = 0;
    if (stacks)
        for (uint32_t i = 0; i < prof.cap; i++)
            if (prof.slots[i].hash)
                stacks[k++] = prof.slots[i];
    uint64_t discarded = prof.discarded;
    int64_t start_ns = prof.start_ns;
    gs__prof_unlock();
    if (stacks == NULL)
        return -1;
    uint32_t rate = gs__load_relaxed32(&gs__profile_rate);
    int64_t ms = start_ns ? (gs__now_ns() - start_ns) / 1000000 : 0;

    /* Group the stacks by site. */
    gs__symbolizer z = {.n = 0};
    gs__psite *sites = calloc(k ? k : 1, sizeof *sites);
    uint32_t nsites = 0;
    uint64_t count = 0;
    int64_t total = 0;
    for (uint32_t i = 0; sites && i < k; i++) {
        const gs__pstack *s = &stacks[i];
        uint32_t j = 0;
        for (; j < s->depth; j++) {
            uintptr_t off;
            const char *module;
            if (!gs__frame_is_gosync(gs__symbolize(&z, (uintptr_t)s->pcs[j] - 1, &off, &module)))
                break;
        }
        void *site = j < s->depth ? s->pcs[j] : NULL;
        uint32_t t = 0;
        while (t < nsites && sites[t].site != site)
            t++;
        if (t == nsites)
            sites[nsites++] = (gs__psite){site, j, s, 0, 0, 0};
        sites[t].count += s->count;
        sites[t].total_ns += s->total_ns;
        if (s->max_ns > sites[t].max_ns)
            sites[t].max_ns = s->max_ns;
        count += s->count;
        total += s->total_ns;
    }
    if (sites)
        qsort(sites, nsites, sizeof *sites, gs__psite_cmp);

    fprintf(f, "--- mutex:\n");
    fprintf(f, "cycles/second=1000000000\n");
    fprintf(f, "sampling period=%u\n", rate ? rate : 1);
    fprintf(f, "ms since reset=%lld\n", (long long)ms);
    if (discarded)
        fprintf(f, "discarded samples=%llu\n", (unsigned long long)discarded);
    fprintf(f,
            "# gosync contention profile: %llu sampled contended acquisitions (1 in %u), "
            "%.3f ms waited in all, over %.3f s\n",
            (unsigned long long)count, rate ? rate : 1, (double)total / 1e6, (double)ms / 1e3);
    fprintf(f, "# sites by total wait (first frame outside gosync, then its callers):\n");
    fprintf(f, "#      count     total ms      mean us       max us  site\n");
    for (uint32_t t = 0; sites && t < nsites; t++) {
        const gs__psite *p = &sites[t];
        fprintf(f, "# %10llu %12.3f %12.1f %12.1f  ", (unsigned long long)p->count,
                (double)p->total_ns / 1e6, (double)p->total_ns / 1e3 / (double)p->count,
                (double)p->max_ns / 1e3);
        if (p->site == NULL) {
            fprintf(f, "(in gosync)\n");
            continue;
        }
        for (uint32_t j = p->frame; j < p->example->depth && j < p->frame + 3; j++) {
            if (j > p->frame)
                fprintf(f, " <- ");
            gs__print_frame(f, &z, p->example->pcs[j], false);
        }
        fprintf(f, "\n");
    }
    for (uint32_t i = 0; i < k; i++) {
        fprintf(f, "%lld %llu @", (long long)stacks[i].total_ns,
                (unsigned long long)stacks[i].count);
        for (uint32_t j = 0; j < stacks[i].depth; j++)
            fprintf(f, " %p", stacks[i].pcs[j]);
        fprintf(f, "\n");
    }
    /* pprof maps the addresses back to binaries with the memory map. */
    fprintf(f, "--- Memory map: ---\n");
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps) {
        char line[4096];
        while (fgets(line, sizeof line, maps))
            fputs(line, f);
        fclose(maps);
    }
    gs__symbolizer_free(&z);
    free(sites);
    free(stacks);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---- GOSYNC_PROFILE=<file> ---- */

static const char *gs__prof_path;

static void gs__prof_write_at_exit(void) {
    FILE *f = fopen(gs__prof_path, "w");
    if (f == NULL || gs_profile_write(f) != 0 || fclose(f) != 0) {
        static const char msg[] =
            "gosync: could not write the contention profile (GOSYNC_PROFILE)\n";
        ssize_t ignored = write(2, msg, sizeof msg - 1);
        (void)ignored;
    }
}

__attribute__((constructor)) static void gs__prof_from_env(void) {
    const char *path = getenv("GOSYNC_PROFILE");
    if (path == NULL || *path == 0)
        return;
    const char *r = getenv("GOSYNC_PROFILE_RATE");
    long rate = r ? strtol(r, NULL, 10) : 1;
    gs__prof_path = path;
    gs_profile_start(rate > 0 && rate <= INT_MAX ? (int)rate : 1);
    atexit(gs__prof_write_at_exit);
}
