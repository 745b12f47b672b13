/* Process census: every process that runs under the launcher (the program, what it
 * forks, what those exec), its executable, whether the preloaded libraries are mapped in
 * it, and its resident high-water mark (VmHWM) as last seen.
 *
 * Why here and not in node: a walk is a few reads per process in C, so the launcher can
 * afford to look every 2 ms whenever the system created a process; node's 20 ms sampler
 * misses a child that does its work in 5 ms. A process that lives less than a tick can
 * still be missed: the caller compares the peaks seen with ru_maxrss to tell when that hid
 * the largest one. Not ptrace: it would disable set-ID execution and keep gdb (the live
 * commands) from attaching.
 *
 * A process is one entry per (pid, executable): a fork that then execs yields two.
 * The launcher's own pre-exec copy of itself is not a process of the program.
 */
#define _GNU_SOURCE
#include "process-census.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCESSES 4096
#define MAX_LIBRARIES 16
/* Give up looking for the loader's libc in a process after this many walks: a static
 * program never maps one (the caller tells static from slow by the executable). */
#define MAX_MAPS_CHECKS 64
#define MAX_WALK_QUEUE 4096
/* Ticks: every 2 ms a look at the system's last created pid (one small read);
 * a walk when it changed or in the HOT_TICKS ticks after a walk found something new, else
 * every WALK_EVERY_TICKS ticks to refresh the peaks and to
 * catch an exec in place (which creates no pid). A walk never takes more than
 * 1/DUTY_DIVISOR of the time: many threads or children make it dearer. */
#define TICK_NS (2LL * 1000 * 1000)
#define WALK_EVERY_TICKS 16
/* After a walk that found a new process (or exec), walk on this many ticks. */
#define HOT_TICKS 8
#define DUTY_DIVISOR 200
/* A process met while its loader is still at work (ld.so mapped, libc not yet) has only its
 * maps read again, every FAST_TICK_NS, FAST_CHECKS times at most: a program that runs for a
 * millisecond (`true`, a quick test binary) has ended by the next 2 ms tick, and whether its
 * allocator was preloaded would stay unknown. A read of the maps costs ~15 us. */
#define FAST_TICK_NS (100LL * 1000)
#define FAST_CHECKS 20

enum preload_state { PRELOAD_UNKNOWN = -1, PRELOAD_MISSING = 0, PRELOAD_MAPPED = 1 };

struct process {
  pid_t pid;
  pid_t ppid;
  long hwm_kib;
  int preload;
  int maps_checks;
  int secure; /* real and effective user or group differ: the loader ignores LD_PRELOAD paths */
  int exact; /* hwm_kib is ru_maxrss from our own wait4 */
  int loading; /* its loader was at work at the last look: looked at again soon */
  char comm[17];
  char *exe; /* NULL when unreadable (another user's process) */
};

static struct process processes[MAX_PROCESSES];
static int process_count;
/* Some process is loading (see FAST_TICK_NS). */
static int loader_pending;
static int overflowed;
/* Each preloaded library by the name LD_PRELOAD gives and by its real path, which is
 * what the maps show when the given one is a symlink. */
static struct library {
  char *given;
  char *real;
} libraries[MAX_LIBRARIES];
static int library_count;
static char self_exe[PATH_MAX];
static pid_t self_pid;
static size_t maps_size = 64 * 1024;
static char *maps_buffer;

void census_init(const char *preload_list) {
  self_pid = getpid();
  ssize_t length = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
  self_exe[length > 0 ? length : 0] = '\0';
  if (!preload_list) return;
  char *copy = strdup(preload_list);
  if (!copy) return;
  for (char *save = NULL, *entry = strtok_r(copy, " :", &save); entry && library_count < MAX_LIBRARIES;
       entry = strtok_r(NULL, " :", &save)) {
    libraries[library_count].given = entry;
    libraries[library_count].real = realpath(entry, NULL);
    library_count++;
  }
}

/* The whole of a /proc file into buffer (NUL-terminated, cut at size-1); its length or -1. */
static ssize_t read_proc_file(const char *path, char *buffer, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t used = 0;
  for (;;) {
    ssize_t got = read(fd, buffer + used, size - 1 - used);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    used += (size_t)got;
    if (used == size - 1) break;
  }
  close(fd);
  buffer[used] = '\0';
  return (ssize_t)used;
}

/* The maps of a process, whole: they grow with the program, so the buffer does too. */
static const char *read_maps(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
  for (;;) {
    if (!maps_buffer && !(maps_buffer = malloc(maps_size))) return NULL;
    ssize_t length = read_proc_file(path, maps_buffer, maps_size);
    if (length < 0) return NULL;
    if ((size_t)length < maps_size - 1) return maps_buffer;
    char *larger = realloc(maps_buffer, maps_size * 2);
    if (!larger) return maps_buffer;
    maps_buffer = larger;
    maps_size *= 2;
  }
}

static long field_after(const char *text, const char *label) {
  const char *at = strstr(text, label);
  return at ? strtol(at + strlen(label), NULL, 10) : -1;
}

/* "Uid:\treal\teffective\t..." → whether real and effective differ. */
static int ids_differ(const char *text, const char *label) {
  const char *at = strstr(text, label);
  if (!at) return 0;
  char *end;
  long real = strtol(at + strlen(label), &end, 10);
  long effective = strtol(end, NULL, 10);
  return real != effective;
}

/* Libraries are mapped by the loader before libc, so a mapped libc means it is done. */
static int loader_is_done(const char *maps) {
  return strstr(maps, "/libc.so.6") || strstr(maps, "/libc-") || strstr(maps, "/libc.musl-") || strstr(maps, "/ld-musl-");
}

/* The dynamic loader is mapped: a program without one (static) never maps its preloads. */
static int has_loader(const char *maps) {
  return strstr(maps, "/ld-linux") || strstr(maps, "/ld-musl-") || strstr(maps, "/ld64.so") || strstr(maps, "/ld.so");
}

static int preload_state_of(const char *maps) {
  if (!loader_is_done(maps)) return PRELOAD_UNKNOWN;
  for (int index = 0; index < library_count; index++) {
    const struct library *library = &libraries[index];
    if (!strstr(maps, library->given) && !(library->real && strstr(maps, library->real))) return PRELOAD_MISSING;
  }
  return PRELOAD_MAPPED;
}

static struct process *latest_entry_of(pid_t pid) {
  for (int index = process_count - 1; index >= 0; index--)
    if (processes[index].pid == pid) return &processes[index];
  return NULL;
}

static int same_exe(const struct process *entry, const char *exe, const char *comm) {
  if (entry->exe && exe) return strcmp(entry->exe, exe) == 0;
  return !entry->exe && !exe && strcmp(entry->comm, comm) == 0;
}

/* "Name:\tbusybox\n" → "busybox", blanks made underscores so the status line stays parseable. */
static void copy_name(const char *status, char *name, size_t size) {
  const char *at = strstr(status, "Name:\t");
  size_t used = 0;
  if (at)
    for (at += 6; *at && *at != '\n' && used < size - 1; at++) name[used++] = (*at == ' ' || *at == '\t') ? '_' : *at;
  name[used] = '\0';
  if (used == 0) snprintf(name, size, "?");
}

static ssize_t read_exe(pid_t pid, char *buffer, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
  ssize_t length = readlink(path, buffer, size - 1);
  buffer[length > 0 ? length : 0] = '\0';
  return length;
}

/* Reads the maps of a process whose preloads are not known yet. */
static void check_preload(struct process *entry) {
  entry->maps_checks++;
  const char *maps = read_maps(entry->pid);
  if (maps) entry->preload = preload_state_of(maps);
  entry->loading = maps && entry->preload == PRELOAD_UNKNOWN && entry->maps_checks < FAST_CHECKS && has_loader(maps);
  if (entry->loading) loader_pending = 1;
}

/* The maps of the processes whose loader was at work, once more; a gone one is dropped. */
static void recheck_loading(void) {
  loader_pending = 0;
  for (int index = 0; index < process_count; index++)
    if (processes[index].loading) check_preload(&processes[index]);
}

/* Looks at one live process; returns its thread count (0 when gone) and sets *is_new. */
static long observe(pid_t pid, pid_t ppid, int *is_new) {
  char path[64];
  char status[4096];
  char exe_buffer[PATH_MAX];
  char exe_before[PATH_MAX];
  ssize_t length = -1;
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  /* status and exe are two reads: a process that execs between them would be recorded
   * with the new program's path but the old one's name and identity (a set-user-ID child
   * as not secure). Read exe on both sides and retry when it changed. */
  for (int attempt = 0; attempt < 3; attempt++) {
    ssize_t length_before = read_exe(pid, exe_before, sizeof exe_before);
    if (read_proc_file(path, status, sizeof status) < 0) return 0;
    length = read_exe(pid, exe_buffer, sizeof exe_buffer);
    if (length == length_before && strcmp(exe_before, exe_buffer) == 0) break;
  }
  long hwm_kib = field_after(status, "VmHWM:");
  long threads = field_after(status, "Threads:");
  if (hwm_kib < 0) return threads > 0 ? threads : 0; /* a zombie, or a kernel thread */
  const char *exe = length > 0 ? exe_buffer : NULL;
  if (exe && strcmp(exe, self_exe) == 0) return threads; /* our own fork, before its exec */
  char comm[17];
  copy_name(status, comm, sizeof comm);
  int secure = ids_differ(status, "Uid:") || ids_differ(status, "Gid:");
  struct process *entry = latest_entry_of(pid);
  if (!entry || !same_exe(entry, exe, comm)) {
    if (process_count == MAX_PROCESSES) {
      overflowed++;
      return threads;
    }
    entry = &processes[process_count++];
    memset(entry, 0, sizeof *entry);
    entry->pid = pid;
    entry->ppid = ppid;
    entry->preload = library_count > 0 ? PRELOAD_UNKNOWN : PRELOAD_MAPPED;
    entry->exe = exe ? strdup(exe) : NULL;
    *is_new = 1;
  }
  /* Kept up to date: the exec's own name and credentials may land after its new exe. A
   * set-user-ID program that later drops its privileges still started secure. */
  memcpy(entry->comm, comm, sizeof comm);
  entry->secure = entry->secure || secure;
  if (hwm_kib > entry->hwm_kib) entry->hwm_kib = hwm_kib;
  if (entry->preload == PRELOAD_UNKNOWN && entry->maps_checks < MAX_MAPS_CHECKS) check_preload(entry);
  return threads;
}

/* Appends the children of every thread of pid (a child belongs to the thread that forked it). */
static void queue_children(pid_t pid, long threads, pid_t *queue, pid_t *parents, int *tail) {
  char path[96];
  char text[4096];
  DIR *tasks = NULL;
  struct dirent *task = NULL;
  if (threads > 1) {
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    if (!(tasks = opendir(path))) return;
  }
  for (;;) {
    long tid = pid;
    if (tasks) {
      do task = readdir(tasks);
      while (task && task->d_name[0] == '.');
      if (!task) break;
      tid = strtol(task->d_name, NULL, 10);
    }
    snprintf(path, sizeof path, "/proc/%d/task/%ld/children", (int)pid, tid);
    if (read_proc_file(path, text, sizeof text) > 0) {
      for (char *cursor = text, *end; *tail < MAX_WALK_QUEUE; cursor = end) {
        long child = strtol(cursor, &end, 10);
        if (end == cursor) break;
        queue[*tail] = (pid_t)child;
        parents[*tail] = pid;
        (*tail)++;
      }
    }
    if (!tasks) break;
  }
  if (tasks) closedir(tasks);
}

static int census_walk(void) {
  static pid_t queue[MAX_WALK_QUEUE];
  static pid_t parents[MAX_WALK_QUEUE];
  int head = 0;
  int tail = 0;
  int found_new = 0;
  loader_pending = 0;
  for (int index = 0; index < process_count; index++) processes[index].loading = 0;
  /* The launcher has one thread; its children are the program and, as subreaper, orphans. */
  queue_children(self_pid, 1, queue, parents, &tail);
  while (head < tail) {
    pid_t pid = queue[head];
    pid_t ppid = parents[head];
    head++;
    long threads = observe(pid, ppid, &found_new);
    if (threads > 0) queue_children(pid, threads, queue, parents, &tail);
  }
  return found_new;
}

/* The 5th field of /proc/loadavg: the pid the kernel handed out last (in our namespace). */
static long last_created_pid(void) {
  static int fd = -2;
  char text[128];
  /* Kept open: a pread at 0 makes the kernel render it afresh, without open and close. */
  if (fd == -2) fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t length = pread(fd, text, sizeof text - 1, 0);
  if (length <= 0) return -1;
  text[length] = '\0';
  const char *at = strrchr(text, ' ');
  return at ? strtol(at + 1, NULL, 10) : -1;
}

/* CPU time, not wall: on a busy machine a walk that was preempted did not cost more. */
static long long cpu_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long monotonic_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long census_tick(void) {
  static long long next_regular_ns;
  long long started = monotonic_now_ns();
  /* Between regular ticks only the maps of loading processes are read: the walk cadence
   * (hot ticks after a new process, a walk every WALK_EVERY_TICKS) stays in 2 ms ticks. */
  if (started < next_regular_ns) {
    if (loader_pending) recheck_loading();
    long long until_regular = next_regular_ns - started;
    return loader_pending && until_regular > FAST_TICK_NS ? FAST_TICK_NS : until_regular;
  }
  next_regular_ns = started + TICK_NS;
  static long seen_last_pid = -2;
  static int ticks_since_walk = WALK_EVERY_TICKS;
  static long long walk_cpu_ns;
  static long long last_walk_ns;
  static int hot_ticks;
  long last_pid = last_created_pid();
  int pid_changed = last_pid != seen_last_pid || last_pid < 0;
  seen_last_pid = last_pid;
  ticks_since_walk++;
  long long now = monotonic_now_ns();
  int affordable = now - last_walk_ns >= walk_cpu_ns * DUTY_DIVISOR;
  if ((pid_changed || hot_ticks > 0 || ticks_since_walk >= WALK_EVERY_TICKS) && affordable) {
    long long began = cpu_now_ns();
    int found_new = census_walk();
    /* A walk that met a new process also read its maps once: not the recurring cost. */
    if (!found_new) walk_cpu_ns = cpu_now_ns() - began;
    /* A new process is often a fork about to exec, which creates no pid: keep looking. */
    hot_ticks = found_new ? HOT_TICKS : hot_ticks - 1;
    last_walk_ns = monotonic_now_ns();
    ticks_since_walk = 0;
  } else if (pid_changed) {
    seen_last_pid = -2; /* not looked at yet: look at the next affordable tick */
  } else if (loader_pending) {
    recheck_loading();
  }
  return loader_pending ? FAST_TICK_NS : TICK_NS;
}

void census_note_reaped(pid_t pid, const struct rusage *usage) {
  struct process *entry = latest_entry_of(pid);
  if (!entry) return;
  entry->hwm_kib = usage->ru_maxrss > entry->hwm_kib ? usage->ru_maxrss : entry->hwm_kib;
  entry->exact = 1;
}

void census_report(int fd) {
  char line[PATH_MAX + 128];
  for (int index = 0; index < process_count; index++) {
    const struct process *entry = &processes[index];
    /* The path ends the line: a newline in it must not start another. */
    if (entry->exe)
      for (char *c = entry->exe; *c; c++)
        if (*c == '\n') *c = '?';
    int length = snprintf(line, sizeof line, "proc %d %d %ld %d %d %d %s %s\n", (int)entry->pid, (int)entry->ppid,
                          entry->hwm_kib, entry->preload, entry->secure, entry->exact, entry->comm,
                          entry->exe ? entry->exe : "-");
    if (length < 0) continue;
    if ((size_t)length >= sizeof line) length = sizeof line - 1;
    while (write(fd, line, (size_t)length) < 0 && errno == EINTR) {
    }
  }
  if (overflowed) {
    int length = snprintf(line, sizeof line, "proc-overflow %d\n", overflowed);
    while (write(fd, line, (size_t)length) < 0 && errno == EINTR) {
    }
  }
}
