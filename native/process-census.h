/* Which processes ran under the launcher, and whether the preloaded libraries were mapped
 * in each (see process-census.c). */
#ifndef ALLOCRUN_PROCESS_CENSUS_H
#define ALLOCRUN_PROCESS_CENSUS_H

#include <sys/resource.h>
#include <sys/types.h>

/* Remembers the libraries to look for (LD_PRELOAD's list, spaces or colons between). */
void census_init(const char *preload_list);
/* Looks for new processes (and walks the tree when there may be some, or when the last
 * walk is old); returns how long to wait, in nanoseconds, before the next tick. */
long long census_tick(void);
/* A descendant this process reaped itself (an orphan, as subreaper): its exact peak. */
void census_note_reaped(pid_t pid, const struct rusage *usage);
/* Writes one "proc ..." status line per process seen (protocol in launch.c). */
void census_report(int fd);

#endif
