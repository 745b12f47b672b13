/* allocrun-launch: runs one program for allocrun and reports how it ended.
 *
 *   allocrun-launch FILE ARGV0 [ARG...]        status lines are written to fd 3
 *
 * Why a separate C process: ru_maxrss from wait4 is the child's resident high-water
 * mark, and at execve the kernel keeps the larger of the pre-exec image's mark and the
 * program's. Forking from node would put node's tens of MiB under every figure; a fork
 * of this launcher (static) holds ~140 KiB before exec (/usr/bin/time's: ~450 KiB).
 *
 * Environment: the program's LD_PRELOAD arrives as ALLOCRUN_TARGET_LD_PRELOAD so that
 * the allocator is never loaded into this measuring process; the program gets it back
 * as LD_PRELOAD (and does not see ALLOCRUN_TARGET_LD_PRELOAD).
 *
 * Status protocol on fd 3, one line per event, space-separated integers:
 *   pid <pid>                      the program was executed (reported once exec succeeded)
 *   exec-error <errno>             the program could not be executed (exit 127 or 126)
 *   launch-error <errno> <step>    the launcher itself failed (exit 125)
 *   forwarded <signo>              a signal from our parent was passed to the program
 *   not-forwarded <signo> <why>    why: "group" (sent to the whole process group or by the
 *                                  terminal: the program got it directly) or "echo" (our
 *                                  parent relaying that same group signal)
 *   proc <pid> <ppid> <hwm_kib> <preload> <secure> <exact> <name> <exe>
 *                                  one per process seen under the launcher (process-census.c),
 *                                  written just before "end": preload 1 all LD_PRELOAD libraries
 *                                  mapped, 0 the loader finished without them, -1 never seen
 *                                  finished; secure 1 real and effective ids differed; exact 1
 *                                  hwm is ru_maxrss (reaped here), else VmHWM as last seen;
 *                                  exe "-" when unreadable; the exe path is the rest of the line
 *   proc-overflow <count>          processes not recorded (the census is full)
 *   end exit|signal <n> <maxrss_kib> <utime_us> <stime_us> <wall_us>
 *                                  rusage of wait4 (the program and the descendants it
 *                                  waited for); wall from before fork to after wait4
 * The launcher exits with the program's status (128+N for signal N).
 *
 * Signals: INT TERM HUP QUIT USR1 USR2 are blocked here and taken with sigwaitinfo, so
 * the launcher never dies of them while the program decides. Which ones to pass on:
 *  - from the terminal (si_code SI_KERNEL) or from anyone but our parent (a kill of the
 *    process group, systemd stopping a cgroup): the program, in the same process group,
 *    already got its own copy. Forwarding would deliver it twice.
 *  - from our parent (allocrun's node process): forwarded, unless the same signal came
 *    group-wide in the last ECHO_WINDOW_NS: node got that group signal too and relays
 *    it, since node cannot tell where a signal came from.
 *  Not covered: a sender that signals each process on its own, node first (the relayed
 *  copy then arrives before the sender's own copy reaches us); the program gets it twice.
 * The program starts with default dispositions for every signal and an empty mask.
 * A text file without "#!" (ENOEXEC) is run by /bin/sh, as execvp does.
 *
 * ALLOCRUN_LAUNCH_OWN_GROUP=1 (not passed on to the program): the program leads a process
 * group of its own, so that allocrun can stop it and everything it started with one kill
 * of the group (compare's --timeout, Ctrl-C). The terminal's signals then do not reach the
 * program, so the launcher ignores group-wide copies and passes every signal from its
 * parent to the program's whole group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "process-census.h"

#define STATUS_FD 3
#define ECHO_WINDOW_NS (2LL * 1000 * 1000 * 1000)
#define TARGET_PRELOAD_VAR "ALLOCRUN_TARGET_LD_PRELOAD"
#define OWN_GROUP_VAR "ALLOCRUN_LAUNCH_OWN_GROUP"

static int own_group;


extern char **environ;

static const int forwardable[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
#define FORWARDABLE_COUNT (sizeof forwardable / sizeof forwardable[0])

/* Group-wide deliveries not yet matched by their echo from the parent, per signal. */
static int pending_echoes[NSIG];
static long long echo_deadline_ns[NSIG];

static long long monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *format, ...) {
  char line[256];
  va_list args;
  va_start(args, format);
  int length = vsnprintf(line, sizeof line, format, args);
  va_end(args);
  if (length < 0) return;
  if ((size_t)length >= sizeof line) length = sizeof line - 1;
  /* One write per line (allocrun reads back only complete lines); errors (parent gone)
   * must not stop us from waiting for the program. */
  while (write(STATUS_FD, line, (size_t)length) < 0 && errno == EINTR) {
  }
}

static void fail(const char *step) {
  int error = errno;
  report("launch-error %d %s\n", error, step);
  fprintf(stderr, "allocrun-launch: %s: %s\n", step, strerror(error));
  exit(125);
}

/* The program's environment: ours, with ALLOCRUN_TARGET_LD_PRELOAD moved into LD_PRELOAD. */
static char **build_program_environment(void) {
  const char *target_preload = getenv(TARGET_PRELOAD_VAR);
  size_t count = 0;
  while (environ[count]) count++;
  char **env = calloc(count + 2, sizeof *env);
  if (!env) fail("calloc");
  size_t used = 0;
  for (size_t i = 0; i < count; i++) {
    const char *entry = environ[i];
    if (strncmp(entry, TARGET_PRELOAD_VAR "=", sizeof TARGET_PRELOAD_VAR) == 0) continue;
    if (strncmp(entry, OWN_GROUP_VAR "=", sizeof OWN_GROUP_VAR) == 0) continue;
    if (target_preload && strncmp(entry, "LD_PRELOAD=", 11) == 0) continue;
    env[used++] = (char *)entry;
  }
  if (target_preload) {
    size_t size = strlen(target_preload) + sizeof "LD_PRELOAD=";
    char *entry = malloc(size);
    if (!entry) fail("malloc");
    snprintf(entry, size, "LD_PRELOAD=%s", target_preload);
    env[used++] = entry;
  }
  env[used] = NULL;
  return env;
}

/* Whether a file the kernel refused looks like a shell script: text in its first line,
 * as bash checks before running it (no NUL byte), and no ELF magic (an ELF file for
 * another machine must stay "not an executable format", not become shell errors). */
static int looks_like_script(const char *file) {
  unsigned char head[80];
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t length = read(fd, head, sizeof head);
  close(fd);
  if (length <= 0 || head[0] == 0x7f) return 0;
  for (ssize_t i = 0; i < length && head[i] != '\n'; i++)
    if (head[i] == 0) return 0;
  return 1;
}

/* A script without "#!" is run by /bin/sh, as execvp and shells do: /bin/sh FILE ARG...,
 * with the program's environment (LD_PRELOAD included: the script's commands are the
 * program). Returns only if that cannot be done. */
static void exec_with_shell(const char *file, char **argv, char **env) {
  if (!looks_like_script(file)) return;
  size_t count = 0;
  while (argv[count]) count++;
  char **shell_argv = calloc(count + 2, sizeof *shell_argv);
  if (!shell_argv) return;
  shell_argv[0] = "/bin/sh";
  shell_argv[1] = (char *)file;
  for (size_t i = 1; i < count; i++) shell_argv[i + 1] = argv[i];
  execve("/bin/sh", shell_argv, env);
}

/* In the forked child: default dispositions, empty mask, then the program.
 * Not posix_spawn: glibc's sets its internal signals (32, 33) to SIG_IGN in the child when
 * the parent has handlers for them (a static glibc always has), and SIG_IGN survives exec.
 * Here sigaction refuses those two, and exec resets them to default because we handle them. */
static void exec_program(const char *file, char **argv, char **env, int status_fd) {
  struct sigaction default_action;
  memset(&default_action, 0, sizeof default_action);
  default_action.sa_handler = SIG_DFL;
  for (int signo = 1; signo < NSIG; signo++)
    if (signo != SIGKILL && signo != SIGSTOP) sigaction(signo, &default_action, NULL);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);
  if (own_group) setpgid(0, 0);
  execve(file, argv, env);
  int error = errno;
  if (error == ENOEXEC) exec_with_shell(file, argv, env);
  while (write(status_fd, &error, sizeof error) < 0 && errno == EINTR) {
  }
  _exit(127);
}

static int is_from_parent(const siginfo_t *info) {
  return (info->si_code == SI_USER || info->si_code == SI_QUEUE) && info->si_pid == getppid();
}

static void decide_forwarding(pid_t child, int signo, const siginfo_t *info) {
  if (own_group) {
    if (!is_from_parent(info)) {
      report("not-forwarded %d group\n", signo);
    } else if (kill(-child, signo) == 0) {
      report("forwarded %d\n", signo);
    }
    return;
  }
  long long now = monotonic_ns();
  if (!is_from_parent(info)) {
    if (now > echo_deadline_ns[signo]) pending_echoes[signo] = 0;
    pending_echoes[signo]++;
    echo_deadline_ns[signo] = now + ECHO_WINDOW_NS;
    report("not-forwarded %d group\n", signo);
    return;
  }
  if (pending_echoes[signo] > 0 && now <= echo_deadline_ns[signo]) {
    pending_echoes[signo]--;
    report("not-forwarded %d echo\n", signo);
    return;
  }
  if (kill(child, signo) == 0) report("forwarded %d\n", signo);
}

/* Reaps what has ended: the program, and orphans of it that were reparented to us
 * (subreaper). Returns 1 once the program itself was reaped, its status in *status. */
static int reap_children(pid_t program, int *status, struct rusage *usage) {
  for (;;) {
    int reaped_status;
    struct rusage reaped_usage;
    pid_t reaped = wait4(-1, &reaped_status, WNOHANG, &reaped_usage);
    if (reaped == 0) return 0;
    if (reaped < 0) {
      if (errno == EINTR) continue;
      if (errno == ECHILD) return 0;
      fail("wait4");
    }
    if (reaped == program) {
      *status = reaped_status;
      *usage = reaped_usage;
      return 1;
    }
    census_note_reaped(reaped, &reaped_usage);
  }
}

static long long timeval_us(struct timeval tv) {
  return (long long)tv.tv_sec * 1000000LL + tv.tv_usec;
}

int main(int argc, char **argv) {
  if (fcntl(STATUS_FD, F_GETFD) < 0) {
    fprintf(stderr, "allocrun-launch: fd %d must be the status file or pipe (this tool is run by allocrun)\n",
            STATUS_FD);
    return 125;
  }
  /* The program must not inherit the status file. */
  if (fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC) < 0) fail("fcntl");
  if (argc < 3) {
    errno = EINVAL;
    fail("usage: allocrun-launch FILE ARGV0 [ARG...]");
  }
  /* A parent that left SIGCHLD ignored would make the kernel reap the program for us. */
  signal(SIGCHLD, SIG_DFL);
  /* A write to a closed status pipe (an older allocrun) must not kill us while the program runs. */
  signal(SIGPIPE, SIG_IGN);

  sigset_t waited;
  sigemptyset(&waited);
  for (size_t i = 0; i < FORWARDABLE_COUNT; i++) sigaddset(&waited, forwardable[i]);
  sigaddset(&waited, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &waited, NULL) < 0) fail("sigprocmask");

  const char *own_group_value = getenv(OWN_GROUP_VAR);
  own_group = own_group_value != NULL && strcmp(own_group_value, "1") == 0;
  char **program_env = build_program_environment();
  census_init(getenv(TARGET_PRELOAD_VAR));
  /* Orphans of the program (a daemon's double fork, `cmd &` of a shell that exits) become
   * our children, so the census still sees them and they are reaped. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  /* Learns whether exec worked: the child writes errno here, or exec closes it. */
  int exec_status[2];
  if (pipe2(exec_status, O_CLOEXEC) < 0) fail("pipe2");

  long long started_ns = monotonic_ns();
  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) exec_program(argv[1], argv + 2, program_env, exec_status[1]);
  /* Both sides set the group, so it exists whichever runs first. */
  if (own_group) setpgid(child, child);
  close(exec_status[1]);
  int exec_errno = 0;
  ssize_t got;
  while ((got = read(exec_status[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
  }
  close(exec_status[0]);
  if (got > 0) {
    int status;
    waitpid(child, &status, 0);
    report("exec-error %d\n", exec_errno);
    return exec_errno == ENOENT ? 127 : 126;
  }
  report("pid %d\n", (int)child);

  int status = 0;
  struct rusage usage;
  long long census_wait_ns = census_tick();
  for (;;) {
    siginfo_t info;
    struct timespec timeout = {census_wait_ns / 1000000000LL, census_wait_ns % 1000000000LL};
    int signo = sigtimedwait(&waited, &info, &timeout);
    if (signo < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) fail("sigtimedwait");
      census_wait_ns = census_tick();
      continue;
    }
    if (signo != SIGCHLD) {
      decide_forwarding(child, signo, &info);
      continue;
    }
    if (reap_children(child, &status, &usage)) break;
  }
  long long wall_us = (monotonic_ns() - started_ns) / 1000;

  const char *kind = WIFSIGNALED(status) ? "signal" : "exit";
  int value = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
  census_report(STATUS_FD);
  report("end %s %d %ld %lld %lld %lld\n", kind, value, usage.ru_maxrss, timeval_us(usage.ru_utime),
         timeval_us(usage.ru_stime), wall_us);
  return WIFSIGNALED(status) ? 128 + value : value;
}
