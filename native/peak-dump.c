/*
 * liballocrun-peak.so — heap profile at the high-water mark, for `allocrun --prof`.
 *
 * Preloaded after jemalloc or libtcmalloc when ALLOCRUN_PEAK_PREFIX is set. One thread
 * polls the allocator's count of bytes in live allocations (jemalloc stats.allocated,
 * gperftools generic.current_allocated_bytes) every ALLOCRUN_PEAK_POLL_MS (default 10)
 * and, when it passes the last dumped value by ALLOCRUN_PEAK_STEP_PERCENT (default 3 %),
 * writes a heap profile to <prefix>.<pid>.heap through a .tmp file and rename(): the
 * folder always holds one complete peak dump per process, whatever the run's length.
 *
 * Why not jemalloc's prof_gdump: it dumps on every new high of mapped pages, which for a
 * steadily allocating program is every few KiB (11 000 dumps and 4x the wall time on jq
 * over 10 MB of JSON). A geometric step bounds the dumps to log(peak)/log(1.03).
 * A heap that stops growing less than a step past the last dump (a peak the program
 * holds) is dumped once more when it stalls, SETTLE_STEP past it: otherwise the peak
 * dump would sit up to a whole step below the peak (measured on jq: 4.5% below on average).
 * After a dump that took d of CPU time, the next waits 20 d: dumping costs at most ~5%.
 * The poll can miss a peak shorter than its interval; the exit dump is still written.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);
typedef int (*numeric_property_fn)(const char *, size_t *);
typedef char *(*heap_profile_fn)(void);
typedef int (*profiler_running_fn)(void);

static mallctl_fn je_mallctl;
static numeric_property_fn tc_numeric_property;
static heap_profile_fn tc_heap_profile;
static profiler_running_fn tc_profiler_running;

static char final_path[4096];
static char partial_path[4120];
static long poll_ms = 10;
static double step = 1.03;
/* A stalled heap this far past the last dump is dumped again; "stalled" is growing less
 * than STALL_GROWTH since the previous poll (and not shrinking). */
static const double SETTLE_STEP = 1.005;
static const double STALL_GROWTH = 1.001;
/* Below this nothing is worth a dump: the exit dump covers tiny programs. */
static const size_t MIN_BYTES = 1 << 20;

static pthread_mutex_t dumping = PTHREAD_MUTEX_INITIALIZER;
static volatile int stopping;
static pid_t owner;

/* Turns jemalloc's sampling of the calling thread off (0) or back on, returning the old
 * setting. The watcher is allocrun's, not the program's: what pthread_create allocates
 * for it (ld.so's TLS block) must not appear in the profile, where one sampled 320 B
 * block is reported as a whole sampling period of memory. */
static _Bool set_thread_sampling(_Bool on) {
  _Bool previous = on;
  size_t length = sizeof previous;
  if (je_mallctl && je_mallctl("thread.prof.active", &previous, &length, &on, sizeof on) != 0) previous = on;
  return previous;
}

static int read_allocated(size_t *bytes) {
  if (je_mallctl) {
    uint64_t epoch = 1;
    size_t length = sizeof epoch;
    if (je_mallctl("epoch", &epoch, &length, &epoch, length) != 0) return -1;
    length = sizeof *bytes;
    return je_mallctl("stats.allocated", bytes, &length, NULL, 0);
  }
  if (tc_profiler_running && tc_profiler_running()) return tc_numeric_property("generic.current_allocated_bytes", bytes) ? 0 : -1;
  return -1;
}

/* This library's address range, to recognise its own allocation in a profile. */
static uintptr_t self_start, self_end;

static int find_self(struct dl_phdr_info *info, size_t size, void *base) {
  (void)size;
  if ((void *)info->dlpi_addr != base) return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
    if (segment->p_type != PT_LOAD) continue;
    uintptr_t end = info->dlpi_addr + segment->p_vaddr + segment->p_memsz;
    if (end > self_end) self_end = end;
  }
  self_start = info->dlpi_addr;
  return 1;
}

/* Whether a line of a gperftools profile is the buffer GetHeapProfile() malloc'ed for
 * itself (a stack through this library): it was not the program's memory. */
static int is_own_allocation(const char *line) {
  if (!self_end) {
    Dl_info self;
    if (!dladdr((void *)is_own_allocation, &self)) return 0;
    dl_iterate_phdr(find_self, self.dli_fbase);
  }
  const char *at = strchr(line, '@');
  while (at && *at) {
    char *end;
    uintptr_t address = (uintptr_t)strtoull(at + 1, &end, 16);
    if (end == at + 1) break;
    if (address >= self_start && address < self_end) return 1;
    at = end;
  }
  return 0;
}

/* Writes GetHeapProfile()'s text without this library's own buffer, header corrected. */
static int write_gperftools_profile(FILE *out, char *text) {
  long long inuse_count, inuse_bytes, alloc_count, alloc_bytes;
  char *body = strchr(text, '\n');
  if (!body || sscanf(text, "heap profile: %lld: %lld [ %lld: %lld]", &inuse_count, &inuse_bytes, &alloc_count, &alloc_bytes) != 4) return fputs(text, out) == EOF ? -1 : 0;
  body++;
  char *maps = strstr(body, "\nMAPPED_LIBRARIES:");
  char *stacks_end = maps ? maps + 1 : body + strlen(body);
  for (char *line = body; line < stacks_end;) {
    char *next = memchr(line, '\n', (size_t)(stacks_end - line));
    next = next ? next + 1 : stacks_end;
    long long c1, b1, c2, b2;
    char saved = *next;
    *next = '\0';
    if (sscanf(line, " %lld: %lld [ %lld: %lld]", &c1, &b1, &c2, &b2) == 4 && is_own_allocation(line)) {
      inuse_count -= c1, inuse_bytes -= b1, alloc_count -= c2, alloc_bytes -= b2;
      *line = '\0'; /* marks the line dropped; its newline stays for the walk below */
    }
    *next = saved;
    line = next;
  }
  if (fprintf(out, "heap profile: %6lld: %8lld [%6lld: %8lld] @ heapprofile\n", inuse_count, inuse_bytes, alloc_count, alloc_bytes) < 0) return -1;
  for (char *line = body; line < stacks_end;) {
    char *next = memchr(line, '\n', (size_t)(stacks_end - line));
    next = next ? next + 1 : stacks_end;
    if (*line && fwrite(line, 1, (size_t)(next - line), out) != (size_t)(next - line)) return -1;
    line = next;
  }
  return fputs(stacks_end, out) == EOF ? -1 : 0;
}

static int write_profile(void) {
  if (je_mallctl) {
    const char *name = partial_path;
    return je_mallctl("prof.dump", NULL, NULL, &name, sizeof name);
  }
  char *text = tc_heap_profile();
  if (!text) return -1;
  FILE *out = fopen(partial_path, "w");
  int failed = !out || write_gperftools_profile(out, text) != 0;
  if (out && fclose(out) != 0) failed = 1;
  free(text);
  return failed ? -1 : 0;
}

/* At exit: let a dump in progress finish, and start no other (the exit dump follows). */
static void stop_watching(void) {
  stopping = 1;
  if (getpid() != owner) return; /* a forked child may hold a copy of a locked mutex */
  pthread_mutex_lock(&dumping);
  pthread_mutex_unlock(&dumping);
}

static double seconds_of(clockid_t clock) {
  struct timespec now;
  clock_gettime(clock, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void *watch_peak(void *unused) {
  (void)unused;
  set_thread_sampling(0);
  size_t dumped = 0;
  struct timespec pause = {poll_ms / 1000, (poll_ms % 1000) * 1000000L};
  int registered = 0;
  double next_dump_at = 0;
  size_t previous = 0;
  while (!stopping) {
    nanosleep(&pause, NULL);
    size_t allocated;
    if (stopping || read_allocated(&allocated) != 0) continue;
    int stalled = allocated >= previous && (double)allocated <= (double)previous * STALL_GROWTH;
    previous = allocated;
    if (allocated < MIN_BYTES) continue;
    int stepped = (double)allocated >= (double)dumped * step;
    int settled = stalled && (double)allocated >= (double)dumped * SETTLE_STEP;
    if (!stepped && !settled) continue;
    /* After a dump that took d of CPU time, wait 20 d, so dumping costs the program at
     * most ~5%. CPU time, not wall: on a loaded machine a dump's wall time is mostly
     * waiting for a core, and waiting 20x that would miss the peak. */
    if (seconds_of(CLOCK_MONOTONIC) < next_dump_at) continue;
    double cpu_before = seconds_of(CLOCK_THREAD_CPUTIME_ID);
    /* Registered at the first dump, long after the allocator set up its own exit dump
     * (gperftools does it lazily): handlers run in reverse, so ours stops us first. */
    if (!registered) registered = atexit(stop_watching) == 0;
    pthread_mutex_lock(&dumping);
    if (!stopping && write_profile() == 0 && rename(partial_path, final_path) == 0) dumped = allocated;
    pthread_mutex_unlock(&dumping);
    next_dump_at = seconds_of(CLOCK_MONOTONIC) + 20 * (seconds_of(CLOCK_THREAD_CPUTIME_ID) - cpu_before);
  }
  return NULL;
}

static int jemalloc_profiles(void) {
  je_mallctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
  if (!je_mallctl) je_mallctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "_rjem_mallctl");
  if (!je_mallctl) return 0;
  _Bool profiling = 0;
  size_t length = sizeof profiling;
  if (je_mallctl("opt.prof", &profiling, &length, NULL, 0) != 0 || !profiling) je_mallctl = NULL;
  return je_mallctl != NULL;
}

static int gperftools_profiles(void) {
  tc_numeric_property = (numeric_property_fn)dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty");
  tc_heap_profile = (heap_profile_fn)dlsym(RTLD_DEFAULT, "GetHeapProfile");
  tc_profiler_running = (profiler_running_fn)dlsym(RTLD_DEFAULT, "IsHeapProfilerRunning");
  return tc_numeric_property && tc_heap_profile && tc_profiler_running;
}

__attribute__((constructor)) static void start_peak_watch(void) {
  const char *prefix = getenv("ALLOCRUN_PEAK_PREFIX");
  if (!prefix || !*prefix) return;
  if (!jemalloc_profiles() && !gperftools_profiles()) return;
  const char *poll = getenv("ALLOCRUN_PEAK_POLL_MS");
  if (poll && atol(poll) > 0) poll_ms = atol(poll);
  const char *percent = getenv("ALLOCRUN_PEAK_STEP_PERCENT");
  if (percent && atof(percent) > 0) step = 1.0 + atof(percent) / 100.0;
  owner = getpid();
  int length = snprintf(final_path, sizeof final_path, "%s.%d.heap", prefix, (int)owner);
  if (length <= 0 || (size_t)length >= sizeof final_path) return;
  snprintf(partial_path, sizeof partial_path, "%s.tmp", final_path);
  /* The thread takes no signals: they stay the program's. */
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attributes, 64 * 1024);
  pthread_t thread;
  _Bool sampling = set_thread_sampling(0);
  pthread_create(&thread, &attributes, watch_peak, NULL);
  set_thread_sampling(sampling);
  pthread_attr_destroy(&attributes);
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
}
